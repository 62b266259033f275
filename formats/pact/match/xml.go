package match

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/contracts-dev/contracts/formats/pact"
)

// xmlElem is a parsed XML element: attributes, child elements in order, and
// its text (character data of the element itself, trimmed).
type xmlElem struct {
	name     string
	space    string // namespace URI, "" for none
	attrs    []xml.Attr
	children []*xmlElem
	text     string
}

func parseXML(data []byte) (*xmlElem, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	var stack []*xmlElem
	var root *xmlElem
	// Pointers: a strings.Builder must not be copied once written, and
	// appending to a slice of values copies them when it grows.
	var text []*strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			el := &xmlElem{name: t.Name.Local, space: t.Name.Space}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				el.attrs = append(el.attrs, xml.Attr{Name: xml.Name{Space: a.Name.Space, Local: a.Name.Local}, Value: a.Value})
			}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, el)
			} else if root == nil {
				root = el
			}
			stack = append(stack, el)
			text = append(text, &strings.Builder{})
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, fmt.Errorf("unbalanced end element %s", t.Name.Local)
			}
			stack[len(stack)-1].text = strings.TrimSpace(text[len(text)-1].String())
			stack = stack[:len(stack)-1]
			text = text[:len(text)-1]
		case xml.CharData:
			if len(text) > 0 {
				text[len(text)-1].Write(t)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("no root element")
	}
	return root, nil
}

func (bc *bodyCmp) xml(exp, act []byte) []Mismatch {
	e, err := parseXML(exp)
	if err != nil {
		return []Mismatch{{Kind: KindBody, Path: "$", Message: fmt.Sprintf("Failed to parse the expected body: '%v'", err)}}
	}
	a, err := parseXML(act)
	if err != nil {
		return []Mismatch{{Kind: KindBody, Path: "$", Message: fmt.Sprintf("Failed to parse the actual body: '%v'", err)}}
	}
	c := &xmlCmp{rules: bc.rules, allowUnexpected: bc.allowUnexpected}
	if e.name != a.name {
		c.add(rootLoc(), e.name, a.name, fmt.Sprintf("Expected element %s but received %s", e.name, a.name))
		return c.out
	}
	c.element(rootLoc(e.name), rootLoc(e.name), e, a)
	return c.out
}

// xmlCmp compares XML trees. Every location has two spellings: loc with
// the index of an element among its same-named siblings
// ("$.root.item[1]['@id']") and plain without indexes
// ("$.root.item['@id']"). Rules written either way apply; mismatches are
// reported at the plain path, as Pact reports them.
type xmlCmp struct {
	rules           *ruleSet
	allowUnexpected bool
	out             []Mismatch
}

func (c *xmlCmp) add(plain []string, exp, act, msg string) {
	c.out = append(c.out, Mismatch{Kind: KindBody, Path: formatPath(plain), Expected: exp, Actual: act, Message: msg})
}

// attrValue finds an attribute by local name and namespace URI.
func attrValue(attrs []xml.Attr, name xml.Name) (string, bool) {
	for _, a := range attrs {
		if a.Name == name {
			return a.Value, true
		}
	}
	return "", false
}

func showAttrs(attrs []xml.Attr) string {
	parts := make([]string, len(attrs))
	for i, a := range attrs {
		parts[i] = strconv.Quote(a.Name.Local) + ": " + strconv.Quote(a.Value)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func childNames(children []*xmlElem) string {
	names := make([]string, len(children))
	for i, ch := range children {
		names[i] = ch.name
	}
	return strings.Join(names, ", ")
}

// value compares an attribute value or element text.
func (c *xmlCmp) value(loc, plain []string, exp, act string) {
	if list, cascaded := c.rules.bestOf(loc, plain); list != nil {
		for _, msg := range applyList(list, exp, act, cascaded, true) {
			c.add(plain, exp, act, msg)
		}
		return
	}
	if exp != act {
		c.add(plain, exp, act, fmt.Sprintf("Expected '%s' to be equal to '%s'", act, exp))
	}
}

// elementRules applies the rules at an element itself: its name (type,
// equality, regex) and the number of its child elements (min/max).
func elementRules(list *pact.RuleList, e, a *xmlElem, cascaded bool) []string {
	var msgs []string
	or := strings.EqualFold(list.Combine, "OR")
	for i := range list.Matchers {
		m := &list.Matchers[i]
		var ms []string
		switch m.Type {
		case "type", "min", "max", "minType", "maxType", "minmax", "minMaxType":
			if e.name != a.name {
				ms = append(ms, fmt.Sprintf("Expected '%s' to be the same type as '%s'", e.name, a.name))
			}
			if !cascaded {
				// Pact counts child nodes: the element's text is one.
				n := len(a.children)
				if a.text != "" {
					n++
				}
				if min, ok := toInt(m.Attrs["min"]); ok && n < min {
					ms = append(ms, fmt.Sprintf("Expected '%s' to have at least %d children", a.name, min))
				}
				if max, ok := toInt(m.Attrs["max"]); ok && n > max {
					ms = append(ms, fmt.Sprintf("Expected '%s' to have at most %d children", a.name, max))
				}
			}
		case "equality":
			if e.name != a.name {
				ms = append(ms, fmt.Sprintf("Expected '%s' to be equal to '%s'", a.name, e.name))
			}
		case "regex":
			if !cascaded {
				ms = applyMatcher(m, e.name, a.name, false, true)
			}
		}
		if or && len(ms) == 0 {
			return nil
		}
		msgs = append(msgs, ms...)
	}
	return msgs
}

// qualifiedName is an element's name as Pact writes a namespaced one:
// "urn:x:root".
func (e *xmlElem) qualifiedName() string {
	if e.space == "" {
		return e.name
	}
	return e.space + ":" + e.name
}

// namespace adds a mismatch and reports true when two same-named elements
// are in different namespaces (prefixes do not matter, URIs do).
func (c *xmlCmp) namespace(plain []string, e, a *xmlElem) bool {
	if e.space == a.space {
		return false
	}
	en, an := e.qualifiedName(), a.qualifiedName()
	c.add(plain, en, an, fmt.Sprintf("Expected '%s' to be equal to '%s'", en, an))
	return true
}

func (c *xmlCmp) element(loc, plain []string, e, a *xmlElem) {
	if c.namespace(plain, e, a) {
		return
	}
	if list, cascaded := c.rules.bestOf(loc, plain); list != nil {
		if msgs := elementRules(list, e, a, cascaded); len(msgs) > 0 {
			for _, msg := range msgs {
				c.add(plain, e.name, a.name, msg)
			}
			return
		}
	}
	c.attributes(loc, plain, e, a)
	c.children(loc, plain, e, a)
	tloc, tplain := child(loc, "#text"), child(plain, "#text")
	if list, cascaded := c.rules.bestOf(tloc, tplain); e.text != "" || a.text != "" || (list != nil && !cascaded) {
		// A rule on the text itself applies to an empty element too.
		c.value(tloc, tplain, e.text, a.text)
	}
}

func (c *xmlCmp) attributes(loc, plain []string, e, a *xmlElem) {
	switch {
	case len(e.attrs) == 0 && len(a.attrs) > 0 && !c.allowUnexpected:
		c.add(plain, showAttrs(e.attrs), showAttrs(a.attrs), fmt.Sprintf("Did not expect any attributes but received %s", showAttrs(a.attrs)))
		return
	case c.allowUnexpected && len(e.attrs) > len(a.attrs):
		c.add(plain, showAttrs(e.attrs), showAttrs(a.attrs),
			fmt.Sprintf("Expected at least %d attribute(s) but received %d attribute(s)", len(e.attrs), len(a.attrs)))
	case !c.allowUnexpected && len(e.attrs) != len(a.attrs):
		c.add(plain, showAttrs(e.attrs), showAttrs(a.attrs),
			fmt.Sprintf("Expected %d attribute(s) but received %d attribute(s)", len(e.attrs), len(a.attrs)))
	}
	for _, ea := range e.attrs {
		name := "@" + ea.Name.Local
		av, ok := attrValue(a.attrs, ea.Name)
		if !ok {
			qname := ea.Name.Local
			if ea.Name.Space != "" {
				qname = ea.Name.Space + ":" + qname
			}
			c.add(child(plain, name), ea.Value, "", fmt.Sprintf("Expected attribute '%s'='%s' but was missing", qname, ea.Value))
			continue
		}
		c.value(child(loc, name), child(plain, name), ea.Value, av)
	}
}

// groupByExample reports whether a rule list makes same-named children
// match the first expected one (a type rule, as eachLike writes).
func groupByExample(list *pact.RuleList) bool {
	return hasMatcher(list, "type", "min", "max", "minType", "maxType", "minmax", "minMaxType", "values", "eachValue") != nil
}

// children compares child elements grouped by name. With a type rule on a
// group every actual child must match the first expected one; otherwise
// children pair up in order.
func (c *xmlCmp) children(loc, plain []string, e, a *xmlElem) {
	if len(e.children) == 0 && len(a.children) > 0 && !c.allowUnexpected {
		c.add(plain, "", childNames(a.children), fmt.Sprintf("Expected no children but received [%s]", childNames(a.children)))
		return
	}
	var names []string
	egroups := map[string][]*xmlElem{}
	for _, ch := range e.children {
		if _, ok := egroups[ch.name]; !ok {
			names = append(names, ch.name)
		}
		egroups[ch.name] = append(egroups[ch.name], ch)
	}
	agroups := map[string][]*xmlElem{}
	var anames []string
	for _, ch := range a.children {
		if _, ok := agroups[ch.name]; !ok {
			anames = append(anames, ch.name)
		}
		agroups[ch.name] = append(agroups[ch.name], ch)
	}
	enames, actualNames := childNames(e.children), childNames(a.children)
	for _, n := range names {
		eg, ag := egroups[n], agroups[n]
		gloc, gplain := child(loc, n), child(plain, n)
		if len(ag) == 0 {
			c.add(plain, enames, actualNames, fmt.Sprintf("Expected child <%s/> but was missing", n))
			continue
		}
		if list, _ := c.rules.bestOf(gloc, gplain); list != nil && groupByExample(list) {
			for i, ac := range ag {
				c.element(child(gloc, strconv.Itoa(i)), gplain, eg[0], ac)
			}
			continue
		}
		for i := 0; i < max(len(eg), len(ag)); i++ {
			switch {
			case i >= len(ag):
				c.add(gplain, enames, actualNames, fmt.Sprintf("Expected child <%s/> but was missing", n))
			case i >= len(eg):
				if !c.allowUnexpected {
					c.add(gplain, enames, actualNames, fmt.Sprintf("Unexpected child <%s/>", n))
				}
			default:
				c.element(child(gloc, strconv.Itoa(i)), gplain, eg[i], ag[i])
			}
		}
	}
	for _, n := range anames {
		if _, ok := egroups[n]; ok {
			continue
		}
		list, _ := c.rules.bestOf(child(loc, n), child(plain, n))
		if !c.allowUnexpected || (list != nil && groupByExample(list)) {
			c.add(plain, enames, actualNames, fmt.Sprintf("Unexpected child <%s/>", n))
		}
	}
}
