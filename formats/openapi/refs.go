package openapi

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// refChecker follows every $ref of a document and the files they reach
// before kin-openapi loads it, so that a dangling $ref is reported at the
// file, line and JSON pointer where it is written (kin-openapi's own error
// names only the target).
type refChecker struct {
	// files holds each parsed file by absolute path; a nil node marks a file
	// being or already walked.
	files  map[string]*yaml.Node
	walked map[string]bool
}

// checkRefs checks the $refs of root, the document called name at absolute
// path abs ("" when it is not a file).
func checkRefs(root *yaml.Node, name, abs string) error {
	c := &refChecker{files: map[string]*yaml.Node{}, walked: map[string]bool{}}
	if abs != "" {
		c.files[abs] = root
	}
	return c.walkFile(root, name, abs)
}

func (c *refChecker) walkFile(root *yaml.Node, name, abs string) error {
	if abs != "" {
		if c.walked[abs] {
			return nil
		}
		c.walked[abs] = true
	}
	return c.walk(root, "", name, abs, root, 0)
}

// maxDepth bounds the nesting walked, against hostile inputs.
const maxDepth = 10000

func (c *refChecker) walk(n *yaml.Node, pointer, name, abs string, root *yaml.Node, depth int) error {
	if depth > maxDepth {
		return &Error{File: name, Line: n.Line, Pointer: pointer, Msg: "the document nests too deeply"}
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			child := pointer + "/" + escapePointer(k.Value)
			if k.Value == "$ref" && v.Kind == yaml.ScalarNode {
				if err := c.checkRef(v, child, name, abs, root); err != nil {
					return err
				}
				continue
			}
			if err := c.walk(v, child, name, abs, root, depth+1); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for i, v := range n.Content {
			if err := c.walk(v, pointer+"/"+strconv.Itoa(i), name, abs, root, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *refChecker) checkRef(v *yaml.Node, pointer, name, abs string, root *yaml.Node) error {
	ref := v.Value
	fail := func(format string, args ...any) error {
		return &Error{File: name, Line: v.Line, Pointer: pointer, Msg: fmt.Sprintf("$ref %q: ", ref) + fmt.Sprintf(format, args...)}
	}
	target, fragment, _ := strings.Cut(ref, "#")
	if target == "" {
		if _, err := resolvePointer(root, fragment); err != nil {
			return fail("%s has nothing at #%s (%v)", name, fragment, err)
		}
		return nil
	}
	if u, err := url.Parse(target); err == nil && u.Scheme != "" && len(u.Scheme) > 1 {
		return nil // a URL: left to the loader
	}
	if abs == "" {
		return fail("refers to another file, which cannot be resolved: the document was not loaded from a file")
	}
	unescaped, err := url.PathUnescape(target)
	if err != nil {
		return fail("bad file name: %v", err)
	}
	file := filepath.Join(filepath.Dir(abs), filepath.FromSlash(unescaped))
	displayName := filepath.Join(filepath.Dir(name), filepath.FromSlash(unescaped))
	other, ok := c.files[file]
	if !ok {
		data, err := os.ReadFile(file)
		if err != nil {
			return fail("cannot read %s: %s", displayName, errText(err))
		}
		node, perr := parseAny(data, displayName)
		if perr != nil {
			return perr
		}
		c.files[file] = node
		other = node
		if err := c.walkFile(node, displayName, file); err != nil {
			return err
		}
	}
	if fragment != "" {
		if _, err := resolvePointer(other, fragment); err != nil {
			return fail("%s has nothing at #%s (%v)", displayName, fragment, err)
		}
	}
	return nil
}

// parseAny parses a referenced file: any YAML or JSON value.
func parseAny(data []byte, name string) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, syntaxError(name, err)
	}
	if len(doc.Content) == 0 {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}, nil
	}
	return doc.Content[0], nil
}

// resolvePointer follows a JSON pointer (a URI fragment, so %-escaped) in n.
func resolvePointer(n *yaml.Node, fragment string) (*yaml.Node, error) {
	if fragment == "" {
		return n, nil
	}
	unescaped, err := url.PathUnescape(fragment)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(unescaped, "/") {
		return nil, fmt.Errorf("a JSON pointer starts with /")
	}
	for _, tok := range strings.Split(unescaped[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		for n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		switch n.Kind {
		case yaml.MappingNode:
			v := mapValue(n, tok)
			if v == nil {
				return nil, fmt.Errorf("no key %q", tok)
			}
			n = v
		case yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil, fmt.Errorf("no item %q", tok)
			}
			n = n.Content[i]
		default:
			return nil, fmt.Errorf("%q is inside a scalar", tok)
		}
	}
	return n, nil
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
