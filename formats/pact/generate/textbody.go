package generate

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/contracts-dev/contracts/formats/pact"
)

// Generators on form and XML bodies, which pact-jvm and the Rust core
// write with the same JSON-path keys as for JSON bodies: "$.id" (or
// "$['name[]'][0]") for a form field, "$.order.item['@id']" for an XML
// attribute and "$.order.item['#text']" for an element's text.

// patch replaces content[start:end] with text.
type patch struct {
	start, end int
	text       string
}

func applyPatches(data []byte, ps []patch) []byte {
	slices.SortFunc(ps, func(a, b patch) int { return a.start - b.start })
	var out bytes.Buffer
	at := 0
	for _, p := range ps {
		out.Write(data[at:p.start])
		out.WriteString(p.text)
		at = p.end
	}
	out.Write(data[at:])
	return out.Bytes()
}

// matchesAny reports whether p denotes one of the spellings of a location.
func matchesAny(p pact.Path, locs ...[]string) bool {
	for _, loc := range locs {
		if p.Matches(loc) {
			return true
		}
	}
	return false
}

// applyForm sets the form fields p selects: "$.name" selects every value
// of the field, "$.name[1]" its second value.
func applyForm(b *pact.Body, p pact.Path, g pact.Generator, ctx *Context) error {
	pairs := strings.Split(string(b.Content), "&")
	seen := map[string]int{}
	changed := false
	for i, pair := range pairs {
		if pair == "" {
			continue
		}
		rawKey, rawVal, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(rawKey)
		if err != nil {
			return nil // not a form body after all: left unchanged
		}
		idx := seen[name]
		seen[name]++
		if !matchesAny(p, []string{"$", name}, []string{"$", name, strconv.Itoa(idx)}) {
			continue
		}
		cur, err := url.QueryUnescape(rawVal)
		if err != nil {
			cur = rawVal
		}
		v, err := value(g, cur, ctx)
		if err != nil {
			return err
		}
		pairs[i] = rawKey + "=" + url.QueryEscape(text(v))
		changed = true
	}
	if changed {
		b.Content = []byte(strings.Join(pairs, "&"))
		b.Raw = nil
	}
	return nil
}

// xmlStep is one element on the way to a location: its name and its index
// among its same-named siblings.
type xmlStep struct {
	name  string
	index int
}

// xmlSelects reports whether p selects leaf ("@attr" or "#text") of the
// element at steps. An element's sibling index is part of the location
// only where the path gives one ("$.a.item[1]['@id']" or
// "$.a.item['@id']"), as the matcher reads XML paths.
func xmlSelects(p pact.Path, steps []xmlStep, leaf string) bool {
	toks := p
	if len(toks) > 0 && toks[0].Kind == pact.TokenRoot {
		toks = toks[1:]
	}
	loc := []string{"$"}
	for _, s := range steps {
		loc = append(loc, s.name)
		if k := len(loc) - 1; k < len(toks) && (toks[k].Kind == pact.TokenIndex || toks[k].Kind == pact.TokenStarIndex) {
			loc = append(loc, strconv.Itoa(s.index))
		}
	}
	return p.Matches(append(loc, leaf))
}

// xmlFrame is an open element while scanning an XML body.
type xmlFrame struct {
	steps    []xmlStep
	siblings map[string]int
	// tagStart and tagEnd bound the start tag; selfClosing is "<a/>".
	tagStart, tagEnd int
	selfClosing      bool
	qname            string
	hasText          bool
	hasChildren      bool
}

func qualified(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// applyXML sets the attributes and element texts p selects, patching the
// document's bytes so everything else stays as written.
func applyXML(b *pact.Body, p pact.Path, g pact.Generator, ctx *Context) error {
	data := b.Content
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	var stack []*xmlFrame
	var patches []patch
	rootSiblings := map[string]int{}
	for {
		start := int(dec.InputOffset())
		tok, err := dec.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil // not well-formed: left unchanged, as JSON bodies are
		}
		end := int(dec.InputOffset())
		switch t := tok.(type) {
		case xml.StartElement:
			siblings := rootSiblings
			var parentSteps []xmlStep
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.hasChildren = true
				siblings, parentSteps = parent.siblings, parent.steps
			}
			n := siblings[t.Name.Local]
			siblings[t.Name.Local]++
			f := &xmlFrame{
				steps:    append(parentSteps[:len(parentSteps):len(parentSteps)], xmlStep{t.Name.Local, n}),
				siblings: map[string]int{},
				tagStart: start, tagEnd: end,
				selfClosing: bytes.HasSuffix(data[start:end], []byte("/>")),
				qname:       qualified(t.Name),
			}
			tag, changed, err := generateAttrs(t, f, p, g, ctx)
			if err != nil {
				return err
			}
			if changed {
				patches = append(patches, patch{start, end, tag})
			}
			stack = append(stack, f)
		case xml.CharData:
			if len(stack) == 0 || len(bytes.TrimSpace(t)) == 0 {
				continue
			}
			f := stack[len(stack)-1]
			if f.hasText {
				continue
			}
			f.hasText = true
			if !xmlSelects(p, f.steps, "#text") {
				continue
			}
			v, err := value(g, strings.TrimSpace(string(t)), ctx)
			if err != nil {
				return err
			}
			patches = append(patches, patch{start, end, escapeXML(text(v))})
		case xml.EndElement:
			if len(stack) == 0 {
				return nil
			}
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if f.hasText || f.hasChildren || !xmlSelects(p, f.steps, "#text") {
				continue
			}
			// An empty element gets its text: "<a></a>" or "<a/>".
			v, err := value(g, "", ctx)
			if err != nil {
				return err
			}
			s := escapeXML(text(v))
			if f.selfClosing {
				patches = append(patches, patch{f.tagEnd - 2, f.tagEnd, ">" + s + "</" + f.qname + ">"})
			} else {
				patches = append(patches, patch{start, start, s})
			}
		}
	}
	if len(patches) == 0 {
		return nil
	}
	b.Content = applyPatches(data, patches)
	b.Raw = nil
	return nil
}

// generateAttrs writes the start tag again when p selects one of its
// attributes, with the generated value in place.
func generateAttrs(t xml.StartElement, f *xmlFrame, p pact.Path, g pact.Generator, ctx *Context) (string, bool, error) {
	changed := false
	var tag strings.Builder
	tag.WriteString("<" + f.qname)
	for _, a := range t.Attr {
		val := a.Value
		isNS := a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns")
		if !isNS && xmlSelects(p, f.steps, "@"+a.Name.Local) {
			v, err := value(g, a.Value, ctx)
			if err != nil {
				return "", false, err
			}
			val, changed = text(v), true
		}
		tag.WriteString(" " + qualified(a.Name) + `="` + escapeXML(val) + `"`)
	}
	if f.selfClosing {
		tag.WriteString("/>")
	} else {
		tag.WriteString(">")
	}
	return tag.String(), changed, nil
}

func escapeXML(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
