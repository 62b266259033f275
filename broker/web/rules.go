package web

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/contracts-dev/contracts/formats/pact"
)

// note is one readable line about a field: a matching rule or a
// generator, such as "$.id: integer".
type note struct {
	// Field is the path, header, query parameter or metadata key ("" for
	// the path, status or method categories).
	Field string
	Text  string
	// Generated marks a generator note rather than a matching rule.
	Generated bool
}

// describeRuleList renders a rule list: matchers joined by "and" / "or".
func describeRuleList(rl pact.RuleList) string {
	parts := make([]string, 0, len(rl.Matchers))
	for _, m := range rl.Matchers {
		parts = append(parts, describeMatcher(m))
	}
	sep := " and "
	if strings.EqualFold(rl.Combine, "OR") {
		sep = " or "
	}
	return strings.Join(parts, sep)
}

// describeMatcher says in words what a matcher accepts.
func describeMatcher(m pact.Matcher) string {
	a := m.Attrs
	switch m.Type {
	case "type":
		if s := sizeBounds(a); s != "" {
			return "an array " + s + ", each item like the example"
		}
		return "same type as the example"
	case "regex":
		return "matches regex " + attrText(a, "regex")
	case "equality":
		return "equal to the example"
	case "include":
		return fmt.Sprintf("includes %q", attrText(a, "value"))
	case "integer":
		return "integer"
	case "decimal":
		return "decimal number"
	case "number":
		return "number"
	case "null":
		return "null"
	case "boolean":
		return "boolean"
	case "date", "time", "timestamp", "datetime":
		kind := map[string]string{"date": "date", "time": "time", "timestamp": "date-time", "datetime": "date-time"}[m.Type]
		for _, k := range []string{"format", m.Type, "date", "time", "timestamp", "datetime"} {
			if f := attrText(a, k); f != "" {
				return fmt.Sprintf("%s in format %s", kind, f)
			}
		}
		return kind + " (ISO 8601)"
	case "contentType":
		return "content of type " + attrText(a, "value")
	case "values":
		return "an object whose values match by type (keys not checked)"
	case "eachKey":
		return "each key " + describeNested(a)
	case "eachValue":
		return "each value " + describeNested(a)
	case "arrayContains":
		n := 0
		if vs, ok := a["variants"].([]any); ok {
			n = len(vs)
		}
		if n == 1 {
			return "an array containing an item like variant 1"
		}
		return fmt.Sprintf("an array containing items like each of %d variants", n)
	case "notEmpty":
		return "not empty, same type as the example"
	case "semver":
		return "a semantic version"
	case "statusCode":
		return "status " + describeStatus(a["status"])
	}
	if s := sizeBounds(a); s != "" && (m.Type == "min" || m.Type == "max" || m.Type == "") {
		return "an array " + s + ", each item like the example"
	}
	if len(a) == 0 {
		return m.Type
	}
	return m.Type + " (" + attrList(a) + ")"
}

// sizeBounds describes min/max array bounds ("" when there are none).
func sizeBounds(a map[string]any) string {
	lo, hi := attrText(a, "min"), attrText(a, "max")
	switch {
	case lo != "" && hi != "":
		return fmt.Sprintf("of %s to %s items", lo, hi)
	case lo != "":
		return fmt.Sprintf("of at least %s item%s", lo, pluralS(lo))
	case hi != "":
		return fmt.Sprintf("of at most %s item%s", hi, pluralS(hi))
	}
	return ""
}

func pluralS(n string) string {
	if n == "1" {
		return ""
	}
	return "s"
}

// describeNested renders the "rules" of eachKey / eachValue.
func describeNested(a map[string]any) string {
	list, _ := a["rules"].([]any)
	var parts []string
	for _, item := range list {
		o, ok := item.(map[string]any)
		if !ok {
			continue
		}
		m := pact.Matcher{Attrs: map[string]any{}}
		for k, v := range o {
			if k == "match" {
				m.Type, _ = v.(string)
				continue
			}
			m.Attrs[k] = v
		}
		if m.Type == "" {
			m.Type = "type"
			if _, ok := o["regex"]; ok {
				m.Type = "regex"
			}
		}
		parts = append(parts, describeMatcher(m))
	}
	if len(parts) == 0 {
		return "like the example"
	}
	return strings.Join(parts, " and ")
}

// statusClasses are the status code classes a statusCode matcher names.
var statusClasses = map[string]string{
	"information": "1xx (information)", "success": "2xx (success)", "redirect": "3xx (redirect)",
	"clientError": "4xx (client error)", "serverError": "5xx (server error)", "nonError": "not an error (1xx-3xx)",
	"error": "an error (4xx-5xx)",
}

func describeStatus(v any) string {
	switch s := v.(type) {
	case string:
		if d, ok := statusClasses[s]; ok {
			return d
		}
		return s
	case []any:
		codes := make([]string, 0, len(s))
		for _, c := range s {
			codes = append(codes, fmt.Sprint(c))
		}
		return "one of " + strings.Join(codes, ", ")
	}
	return fmt.Sprint(v)
}

// describeGenerator says what a generator produces.
func describeGenerator(g pact.Generator) string {
	a := g.Attrs
	switch g.Type {
	case "RandomInt":
		lo, hi := attrText(a, "min"), attrText(a, "max")
		if lo != "" || hi != "" {
			return fmt.Sprintf("generated: random integer from %s to %s", orDefault(lo, "0"), orDefault(hi, "2147483647"))
		}
		return "generated: random integer"
	case "RandomDecimal":
		return "generated: random decimal" + withAttr(a, "digits", " of %s digits")
	case "RandomHexadecimal":
		return "generated: random hexadecimal" + withAttr(a, "digits", " of %s digits")
	case "RandomString":
		return "generated: random string" + withAttr(a, "size", " of %s characters")
	case "Regex":
		return "generated: string matching regex " + attrText(a, "regex")
	case "Uuid":
		return "generated: random UUID" + withAttr(a, "format", " (%s)")
	case "Date", "Time", "DateTime":
		s := "generated: " + strings.ToLower(map[string]string{"Date": "date", "Time": "time", "DateTime": "date-time"}[g.Type])
		s += withAttr(a, "format", " in format %s")
		s += withAttr(a, "expression", ", %s")
		return s
	case "RandomBoolean":
		return "generated: random boolean"
	case "ProviderState":
		return "generated: from provider state expression " + attrText(a, "expression")
	case "MockServerURL":
		return "generated: the mock server's URL" + withAttr(a, "example", " (like %s)")
	}
	if len(a) == 0 {
		return "generated: " + g.Type
	}
	return "generated: " + g.Type + " (" + attrList(a) + ")"
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func withAttr(a map[string]any, key, format string) string {
	if v := attrText(a, key); v != "" {
		return fmt.Sprintf(format, v)
	}
	return ""
}

// attrText renders one attribute as text ("" when absent).
func attrText(a map[string]any, key string) string {
	v, ok := a[key]
	if !ok || v == nil {
		return ""
	}
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case bool, float64, int, int64:
		return fmt.Sprint(t)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// attrList renders all attributes as "k=v" in key order.
func attrList(a map[string]any) string {
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+attrText(a, k))
	}
	return strings.Join(parts, ", ")
}

// notesFor lists the rules and generators of the given categories, rules
// first, each ordered by field.
func notesFor(rules pact.MatchingRules, gens pact.Generators, categories ...string) []note {
	var out []note
	for _, cat := range categories {
		for _, k := range slices.Sorted(maps.Keys(rules[cat])) {
			out = append(out, note{Field: k, Text: describeRuleList(rules[cat][k])})
		}
	}
	for _, cat := range categories {
		for _, k := range slices.Sorted(maps.Keys(gens[cat])) {
			out = append(out, note{Field: k, Text: describeGenerator(gens[cat][k]), Generated: true})
		}
	}
	return out
}

// fieldNotes returns the notes for one named field (a header or query
// parameter, compared case-insensitively for headers).
func fieldNotes(notes []note, name string, foldCase bool) []note {
	var out []note
	for _, n := range notes {
		if n.Field == name || (foldCase && strings.EqualFold(n.Field, name)) {
			out = append(out, n)
		}
	}
	return out
}
