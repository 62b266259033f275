package pact

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
)

// Ruby matchers: pact-mock_service wrote V1 pacts with its matchers
// serialised in place, as objects with a "json_class": Pact::Term (a regex
// with an example), Pact::SomethingLike (match by type) and Pact::ArrayLike
// (an array of at least min items like the example). They are read as the
// example value plus the matching rule they stand for.

// rubyClass returns the "json_class" of a decoded JSON object, or "".
func rubyClass(v any) string {
	o, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	c, _ := o["json_class"].(string)
	if strings.HasPrefix(c, "Pact::") {
		return c
	}
	return ""
}

// convertRuby replaces the Ruby matchers in v, a decoded JSON body at
// path, with their examples, and adds the rules they stand for to rules
// (keyed by body path) where the file has none of its own.
func convertRuby(errPath string, v any, at string, rules map[string]RuleList) (any, error) {
	switch rubyClass(v) {
	case "Pact::Term":
		raw, err := marshal(v)
		if err != nil {
			return nil, perr(errPath, "%v", err)
		}
		example, re, err := parseTerm(errPath, raw)
		if err != nil {
			return nil, err
		}
		addRule(rules, at, Matcher{Type: "regex", Attrs: map[string]any{"regex": re}})
		return example, nil
	case "Pact::SomethingLike":
		contents, ok := v.(map[string]any)["contents"]
		if !ok {
			return nil, perr(errPath, `expected a Pact::SomethingLike with "contents"`)
		}
		addRule(rules, at, Matcher{Type: "type"})
		return convertRuby(errPath, contents, at, rules)
	case "Pact::ArrayLike":
		o := v.(map[string]any)
		contents, ok := o["contents"]
		if !ok {
			return nil, perr(errPath, `expected a Pact::ArrayLike with "contents"`)
		}
		min := 1
		if n, ok := o["min"].(json.Number); ok {
			if i, err := n.Int64(); err == nil && i >= 0 && i <= 1000 {
				min = int(i)
			}
		}
		addRule(rules, at, Matcher{Type: "type", Attrs: map[string]any{"min": json.Number(itoa(min))}})
		item, err := convertRuby(errPath, contents, at+"[*]", rules)
		if err != nil {
			return nil, err
		}
		items := make([]any, max(min, 1))
		for i := range items {
			items[i] = item
		}
		return items, nil
	}
	// Other objects, including other "json_class" values, are data.
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for _, k := range slices.Sorted(maps.Keys(t)) {
			c, err := convertRuby(errPath, t[k], childPath(at, k), rules)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, it := range t {
			c, err := convertRuby(errPath, it, indexPath(at, i), rules)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
	return v, nil
}

func itoa(n int) string { return string(mustMarshal(n)) }

func addRule(rules map[string]RuleList, at string, m Matcher) {
	if _, ok := rules[at]; !ok {
		rules[at] = RuleList{Matchers: []Matcher{m}}
	}
}

// convertRubyBody converts the Ruby matchers of a V1/V2 JSON body (see
// convertRuby), adding their rules to the body category of rules unless
// the file has rules at the same paths.
func convertRubyBody(path string, b *Body, rules *MatchingRules) error {
	if b.State != BodyPresent || !bytes.Contains(b.Content, []byte(`"Pact::`)) || !b.IsJSON() {
		return nil
	}
	doc, err := b.JSON()
	if err != nil {
		return nil
	}
	found := map[string]RuleList{}
	out, err := convertRuby(path, doc, "$", found)
	if err != nil || len(found) == 0 {
		return err
	}
	content, err := marshal(out)
	if err != nil {
		return perr(path, "%v", err)
	}
	b.Content = content
	if *rules == nil {
		*rules = MatchingRules{}
	}
	if (*rules)[CategoryBody] == nil {
		(*rules)[CategoryBody] = map[string]RuleList{}
	}
	for k, rl := range found {
		if _, ok := (*rules)[CategoryBody][k]; !ok {
			(*rules)[CategoryBody][k] = rl
		}
	}
	return nil
}

// parseRequestPath reads a request path: a string, or a Ruby Pact::Term
// whose regex becomes the path rule.
func parseRequestPath(path string, raw json.RawMessage, rules *MatchingRules) (string, error) {
	if jsonKind(raw) != "object" {
		return asString(path, raw)
	}
	example, re, err := parseTerm(path, raw)
	if err != nil {
		return "", err
	}
	if *rules == nil {
		*rules = MatchingRules{}
	}
	if _, ok := (*rules)[CategoryPath]; !ok {
		(*rules)[CategoryPath] = map[string]RuleList{"": {Matchers: []Matcher{{Type: "regex", Attrs: map[string]any{"regex": re}}}}}
	}
	return example, nil
}
