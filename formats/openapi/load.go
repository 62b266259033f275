// Package openapi loads OpenAPI documents: Swagger 2.0 (converted to
// OpenAPI 3.0), OpenAPI 3.0 and 3.1, in YAML or JSON, with $refs to other
// files resolved, through kin-openapi.
//
// A document that does not load is refused with an *Error naming the file
// and, where it can be told, the line and the JSON pointer of the problem:
// a syntax error, a missing or unsupported version field, a $ref that
// points nowhere.
//
//	doc, err := openapi.LoadFile("api/openapi.yaml", openapi.Options{})
//	// doc.Spec is a *openapi3.T with every $ref resolved
package openapi

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	yaml "go.yaml.in/yaml/v3"
)

// Document is a loaded OpenAPI document.
type Document struct {
	// File is the path the document was loaded from, as given; for Parse,
	// the name given.
	File string
	// Version is the version the document declares: its "swagger" value
	// ("2.0") or its "openapi" value ("3.0.3", "3.1.0").
	Version string
	// Spec is the document as OpenAPI 3, every $ref resolved. A Swagger 2.0
	// document is converted.
	Spec *openapi3.T
}

// Options tune loading.
type Options struct {
	// Origin records the file, line and column of each element of the
	// document (openapi3.Loader.IncludeOrigin), for reports that point at
	// the source. It costs time on large documents.
	Origin bool
	// Loader, when not nil, is used for 3.x documents, so several documents
	// share its cache of referenced files. Its IncludeOrigin is set from
	// Origin.
	Loader *openapi3.Loader
}

// Error is a document that does not load.
type Error struct {
	// File is the file the problem is in: the document, or a file it
	// references.
	File string
	// Line is the 1-based line of the problem; 0 when unknown.
	Line int
	// Pointer is the JSON pointer of the problem in File ("/paths/~1orders/get"),
	// empty when unknown or the problem is the whole file.
	Pointer string
	// Msg says what is wrong.
	Msg string
	// Err is the underlying error, if any.
	Err error
}

// Error formats e as "file:line: at #/pointer: msg".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":" + strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Pointer != "" {
		b.WriteString("at #" + e.Pointer + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// LoadFile loads the document at path and every file its $refs reach. It
// reads files itself, since the documents a $ref names are only known while
// loading.
func LoadFile(path string, opts Options) (*Document, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot read the document: " + errText(err), Err: err}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &Error{File: path, Msg: err.Error(), Err: err}
	}
	return load(data, path, abs, opts)
}

// Parse loads a document from data. name names it in errors. A $ref to
// another file is refused: there is nothing to resolve it against.
func Parse(data []byte, name string, opts Options) (*Document, error) {
	return load(data, name, "", opts)
}

func load(data []byte, name, abs string, opts Options) (*Document, error) {
	loader := opts.Loader
	if loader == nil {
		loader = openapi3.NewLoader()
	}
	loader.IncludeOrigin = opts.Origin
	loader.IsExternalRefsAllowed = abs != ""
	var location *url.URL
	if abs != "" {
		location = &url.URL{Path: filepath.ToSlash(abs)}
	}

	// The fast path: an OpenAPI 3 document kin-openapi loads is not parsed a
	// second time. The positions of the problem in a document that does not
	// load come from diagnose, which parses it again with positions kept.
	if !bytes.Contains(data, []byte("swagger")) {
		var spec *openapi3.T
		var err error
		if location != nil {
			spec, err = loader.LoadFromDataWithPath(data, location)
		} else {
			spec, err = loader.LoadFromData(data)
		}
		if err == nil && supported3(spec.OpenAPI) {
			return &Document{File: name, Version: spec.OpenAPI, Spec: spec}, nil
		}
		if derr := diagnose(data, name, abs); derr != nil {
			return nil, derr
		}
		if err != nil {
			return nil, kinError(name, err)
		}
	}

	if err := diagnose(data, name, abs); err != nil {
		return nil, err
	}
	root, _ := parseNode(data, name)
	version, isSwagger, _ := declaredVersion(root, name)
	var spec *openapi3.T
	var err error
	if isSwagger {
		var doc2 openapi2.T
		if err := openapi2.UnmarshalFromData(data, &doc2); err != nil {
			return nil, kinError(name, err)
		}
		if location != nil {
			spec, err = openapi2conv.ToV3WithLoader(&doc2, loader, location)
		} else {
			spec, err = openapi2conv.ToV3(&doc2)
		}
		if err != nil {
			return nil, kinError(name, fmt.Errorf("convert Swagger 2.0 to OpenAPI 3: %w", err))
		}
	} else {
		if location != nil {
			spec, err = loader.LoadFromDataWithPath(data, location)
		} else {
			spec, err = loader.LoadFromData(data)
		}
		if err != nil {
			return nil, kinError(name, err)
		}
	}
	return &Document{File: name, Version: version, Spec: spec}, nil
}

// diagnose parses the document with positions kept and returns the first
// problem it can place: a syntax error, a missing or unsupported version, a
// $ref that leads nowhere. nil when it finds none.
func diagnose(data []byte, name, abs string) error {
	root, err := parseNode(data, name)
	if err != nil {
		return err
	}
	if _, _, err := declaredVersion(root, name); err != nil {
		return err
	}
	return checkRefs(root, name, abs)
}

func supported3(version string) bool {
	return strings.HasPrefix(version, "3.0") || strings.HasPrefix(version, "3.1")
}

// yamlLine finds the line number in a YAML (or JSON) parser message.
var yamlLine = regexp.MustCompile(`line (\d+)`)

// parseNode parses YAML or JSON (JSON is YAML) keeping positions.
func parseNode(data []byte, name string) (*yaml.Node, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &Error{File: name, Msg: "the document is empty"}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, syntaxError(name, err)
	}
	if len(doc.Content) == 0 {
		return nil, &Error{File: name, Msg: "the document is empty"}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, &Error{File: name, Line: root.Line, Msg: fmt.Sprintf("the document is a %s, want an object with an openapi or swagger field", kindName(root))}
	}
	return root, nil
}

// declaredVersion reads the "openapi" or "swagger" field.
func declaredVersion(root *yaml.Node, name string) (string, bool, error) {
	if v := mapValue(root, "openapi"); v != nil {
		if v.Kind != yaml.ScalarNode || !supported3(v.Value) {
			return "", false, &Error{File: name, Line: v.Line, Pointer: "/openapi", Msg: fmt.Sprintf("unsupported OpenAPI version %q: want 3.0.x or 3.1.x (or swagger: \"2.0\")", v.Value)}
		}
		return v.Value, false, nil
	}
	if v := mapValue(root, "swagger"); v != nil {
		if v.Kind != yaml.ScalarNode || v.Value != "2.0" {
			return "", false, &Error{File: name, Line: v.Line, Pointer: "/swagger", Msg: fmt.Sprintf("unsupported Swagger version %q: want \"2.0\"", v.Value)}
		}
		return v.Value, true, nil
	}
	return "", false, &Error{File: name, Line: root.Line, Msg: "not an OpenAPI document: it has neither an openapi nor a swagger field"}
}

// kinError wraps an error of kin-openapi, keeping a line number when the
// message has one.
func kinError(name string, err error) *Error {
	e := &Error{File: name, Msg: err.Error(), Err: err}
	if m := yamlLine.FindStringSubmatch(e.Msg); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Msg = strings.Replace(e.Msg, m[0]+": ", "", 1)
	}
	if m := kinPointer.FindStringSubmatch(e.Msg); m != nil {
		e.Pointer = m[1]
		e.Msg = strings.TrimSuffix(e.Msg, m[0])
	}
	return e
}

// kinPointer finds the JSON pointer kin-openapi appends to decoding errors.
var kinPointer = regexp.MustCompile(` in (/[^ ]*)$`)

func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "scalar"
	case yaml.AliasNode:
		return "alias"
	}
	return "value"
}

// mapValue returns the value of key in a mapping node, or nil.
func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// syntaxError reports a YAML or JSON syntax error at its line.
func syntaxError(name string, err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	e := &Error{File: name, Msg: "not valid YAML or JSON: " + msg, Err: err}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Msg = "not valid YAML or JSON: " + strings.Replace(msg, m[0]+": ", "", 1)
	}
	return e
}
