package match

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// xmlElem is a parsed XML element: attributes, child elements in order, and
// its text (character data of the element itself, trimmed).
type xmlElem struct {
	name     string
	attrs    []xml.Attr
	children []*xmlElem
	text     string
}

func parseXML(data []byte) (*xmlElem, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	var stack []*xmlElem
	var root *xmlElem
	var text []strings.Builder
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
			el := &xmlElem{name: qualified(t.Name)}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				el.attrs = append(el.attrs, xml.Attr{Name: xml.Name{Local: qualified(a.Name)}, Value: a.Value})
			}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, el)
			} else if root == nil {
				root = el
			}
			stack = append(stack, el)
			text = append(text, strings.Builder{})
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

// qualified keeps a namespace prefix-free local name; namespaces are
// compared through the local names, as Pact does.
func qualified(n xml.Name) string { return n.Local }

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
		c.add([]string{"$"}, e.name, a.name, fmt.Sprintf("Expected element %s but received %s", e.name, a.name))
		return c.out
	}
	c.element(rootLoc(e.name), e, a)
	return c.out
}

type xmlCmp struct {
	rules           *ruleSet
	allowUnexpected bool
	out             []Mismatch
}

func (c *xmlCmp) add(loc []string, exp, act, msg string) {
	c.out = append(c.out, Mismatch{Kind: KindBody, Path: formatPath(loc), Expected: exp, Actual: act, Message: msg})
}

func attrValue(attrs []xml.Attr, name string) (string, bool) {
	for _, a := range attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

func (c *xmlCmp) element(loc []string, e, a *xmlElem) {
	for _, ea := range e.attrs {
		aloc := child(loc, "@"+ea.Name.Local)
		av, ok := attrValue(a.attrs, ea.Name.Local)
		if !ok {
			c.add(aloc, ea.Value, "", fmt.Sprintf("Expected attribute '%s' with value '%s' but was missing", ea.Name.Local, ea.Value))
			continue
		}
		if _, list, cascaded := c.rules.best(aloc); list != nil {
			for _, msg := range applyList(list, ea.Value, av, cascaded, true) {
				c.add(aloc, ea.Value, av, msg)
			}
		} else if ea.Value != av {
			c.add(aloc, ea.Value, av, fmt.Sprintf("Expected attribute '%s' to have value '%s' but was '%s'", ea.Name.Local, ea.Value, av))
		}
	}
	if !c.allowUnexpected {
		for _, aa := range a.attrs {
			if _, ok := attrValue(e.attrs, aa.Name.Local); !ok {
				c.add(child(loc, "@"+aa.Name.Local), "", aa.Value, fmt.Sprintf("Unexpected attribute '%s' received", aa.Name.Local))
			}
		}
	}

	// Children, grouped by element name in order of first appearance.
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
	for _, n := range names {
		eg, ag := egroups[n], agroups[n]
		cloc := child(loc, n)
		_, list, cascaded := c.rules.best(cloc)
		if list != nil {
			if !cascaded {
				items := make([]any, len(ag))
				for i := range ag {
					items[i] = "<" + n + "/>"
				}
				for i := range list.Matchers {
					for _, msg := range sizeMessages(&list.Matchers[i], items) {
						c.add(cloc, "", "", msg)
					}
				}
			}
			for i, ac := range ag {
				c.child(child(cloc, strconv.Itoa(i)), eg[0], ac)
			}
			continue
		}
		if len(ag) == 0 {
			c.add(loc, "<"+n+"/>", "", fmt.Sprintf("Expected child <%s/> but was missing", n))
			continue
		}
		for i, ec := range eg {
			if i < len(ag) {
				c.child(child(cloc, strconv.Itoa(i)), ec, ag[i])
			}
		}
		if len(eg) != len(ag) {
			c.add(cloc, strconv.Itoa(len(eg)), strconv.Itoa(len(ag)),
				fmt.Sprintf("Expected %d <%s/> child element(s) but there were %d", len(eg), n, len(ag)))
		}
	}
	if !c.allowUnexpected {
		for _, n := range anames {
			if _, ok := egroups[n]; !ok {
				c.add(loc, "", "<"+n+"/>", fmt.Sprintf("Unexpected child <%s/>", n))
			}
		}
	}

	if e.text != "" || a.text != "" {
		tloc := child(loc, "#text")
		if _, list, cascaded := c.rules.best(tloc); list != nil {
			for _, msg := range applyList(list, e.text, a.text, cascaded, true) {
				c.add(tloc, e.text, a.text, msg)
			}
		} else if e.text != a.text {
			c.add(tloc, e.text, a.text, fmt.Sprintf("Expected '%s' but received '%s'", e.text, a.text))
		}
	}
}

func (c *xmlCmp) child(loc []string, e, a *xmlElem) { c.element(loc, e, a) }
