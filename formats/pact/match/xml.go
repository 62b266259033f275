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
			el := &xmlElem{name: t.Name.Local}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				el.attrs = append(el.attrs, xml.Attr{Name: xml.Name{Local: a.Name.Local}, Value: a.Value})
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
// ("$.root.item[1]['@id']", used in mismatches) and plain without indexes
// ("$.root.item['@id']"); rules written either way apply.
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

// value compares an attribute value or element text.
func (c *xmlCmp) value(loc, plain []string, exp, act string) {
	if list, cascaded := c.rules.bestOf(loc, plain); list != nil {
		for _, msg := range applyList(list, exp, act, cascaded, true) {
			c.add(loc, exp, act, msg)
		}
		return
	}
	if exp != act {
		c.add(loc, exp, act, fmt.Sprintf("Expected '%s' to be equal to '%s'", act, exp))
	}
}

func (c *xmlCmp) element(loc, plain []string, e, a *xmlElem) {
	for _, ea := range e.attrs {
		name := "@" + ea.Name.Local
		av, ok := attrValue(a.attrs, ea.Name.Local)
		if !ok {
			c.add(child(loc, name), ea.Value, "", fmt.Sprintf("Expected attribute '%s'='%s' but was missing", ea.Name.Local, ea.Value))
			continue
		}
		c.value(child(loc, name), child(plain, name), ea.Value, av)
	}
	if !c.allowUnexpected {
		for _, aa := range a.attrs {
			if _, ok := attrValue(e.attrs, aa.Name.Local); !ok {
				c.add(child(loc, "@"+aa.Name.Local), "", aa.Value, fmt.Sprintf("Unexpected attribute '%s'='%s' received", aa.Name.Local, aa.Value))
			}
		}
	}
	c.children(loc, plain, e, a)
	if e.text != "" || a.text != "" {
		c.value(child(loc, "#text"), child(plain, "#text"), e.text, a.text)
	}
}

// children compares child elements grouped by name. A rule on a group
// (such as a type rule with min/max from eachLike) makes every actual child
// match the first expected one and bounds the group's size; otherwise
// children pair up in order.
func (c *xmlCmp) children(loc, plain []string, e, a *xmlElem) {
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
		gloc, gplain := child(loc, n), child(plain, n)
		if list, cascaded := c.rules.bestOf(gloc, gplain); list != nil {
			if !cascaded {
				items := make([]any, len(ag))
				for i := range ag {
					items[i] = "<" + n + "/>"
				}
				for i := range list.Matchers {
					for _, msg := range sizeMessages(&list.Matchers[i], items) {
						c.add(gloc, "", "", msg)
					}
				}
			}
			for i, ac := range ag {
				c.element(child(gloc, strconv.Itoa(i)), gplain, eg[0], ac)
			}
			continue
		}
		if len(ag) == 0 {
			c.add(loc, "<"+n+"/>", "", fmt.Sprintf("Expected child <%s/> but was missing", n))
			continue
		}
		for i, ec := range eg {
			if i < len(ag) {
				c.element(child(gloc, strconv.Itoa(i)), gplain, ec, ag[i])
			} else {
				c.add(gloc, "<"+n+"/>", "", fmt.Sprintf("Expected child <%s/> but was missing", n))
			}
		}
		if len(ag) > len(eg) && !c.allowUnexpected {
			c.add(gloc, "", "<"+n+"/>", fmt.Sprintf("Unexpected child <%s/>", n))
		}
	}
	if !c.allowUnexpected {
		for _, n := range anames {
			if _, ok := egroups[n]; !ok {
				c.add(loc, "", "<"+n+"/>", fmt.Sprintf("Unexpected child <%s/>", n))
			}
		}
	}
}
