package pact

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
)

// singleCategory reports whether rules and generators of a category have no
// sub-paths and so are written without a key.
func singleCategory(cat string) bool {
	return cat == CategoryPath || cat == CategoryStatus || cat == CategoryMethod
}

// ParseMatchingRules reads a "matchingRules" object in either layout: V2
// path keys ("$.body.x", "$.headers.X", "$.query.a", "$.path") or V3/V4
// categories. Errors name JSON paths relative to "$".
func ParseMatchingRules(data []byte) (MatchingRules, error) {
	if !json.Valid(data) {
		return nil, perr("$", "invalid JSON")
	}
	return parseRules("$", data)
}

func parseRules(path string, raw json.RawMessage) (MatchingRules, error) {
	if isNull(raw) {
		return nil, nil
	}
	o, err := asObject(path, raw)
	if err != nil {
		return nil, err
	}
	rules := MatchingRules{}
	v2 := false
	for k := range o {
		if strings.HasPrefix(k, "$") {
			v2 = true
		}
	}
	if v2 {
		for _, k := range slices.Sorted(maps.Keys(o)) {
			kp := childPath(path, k)
			if !strings.HasPrefix(k, "$") {
				return nil, perr(kp, "expected a V2 rule key starting with \"$\" (the other keys are V2 paths), got %q", k)
			}
			m, err := parseMatcher(kp, o[k])
			if err != nil {
				return nil, err
			}
			cat, sub := splitV2Key(k)
			if !v2Categories[cat] {
				return nil, perr(kp, "unknown V2 rule path %q: expected one under $.body, $.headers, $.query, $.path, $.method, $.status or $.metadata", k)
			}
			if rules[cat] == nil {
				rules[cat] = map[string]RuleList{}
			}
			rl := rules[cat][sub]
			rl.Matchers = append(rl.Matchers, m)
			rules[cat][sub] = rl
		}
		return rules, nil
	}
	for _, cat := range slices.Sorted(maps.Keys(o)) {
		cp := childPath(path, cat)
		v := o[cat]
		if isNull(v) {
			continue
		}
		co, err := asObject(cp, v)
		if err != nil {
			return nil, err
		}
		rules[cat] = map[string]RuleList{}
		if isRuleList(cat, co) {
			rl, err := parseRuleList(cp, v)
			if err != nil {
				return nil, err
			}
			rules[cat][""] = rl
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(co)) {
			rl, err := parseRuleList(childPath(cp, k), co[k])
			if err != nil {
				return nil, err
			}
			rules[cat][k] = rl
		}
	}
	return rules, nil
}

// isRuleList reports whether a category object is itself one rule list
// rather than a map of paths to rule lists.
func isRuleList(cat string, o map[string]json.RawMessage) bool {
	m, ok := o["matchers"]
	if ok && jsonKind(m) == "array" {
		return true
	}
	if singleCategory(cat) {
		_, ok := o["match"]
		return ok
	}
	return false
}

// ParseRuleLists reads an object of paths to rule lists, as found inside
// matchers such as arrayContains variants: {"$.a": {"matchers": [...]}}. v
// is the decoded JSON (as held in Matcher.Attrs).
func ParseRuleLists(v any) (map[string]RuleList, error) {
	raw, err := marshal(v)
	if err != nil {
		return nil, err
	}
	o, err := asObject("$", raw)
	if err != nil {
		return nil, err
	}
	out := make(map[string]RuleList, len(o))
	for k, rv := range o {
		rl, err := parseRuleList(childPath("$", k), rv)
		if err != nil {
			return nil, err
		}
		out[k] = rl
	}
	return out, nil
}

// parseRuleList reads {"combine": "AND", "matchers": [...]}; a bare matcher
// object or an array of matchers is also accepted.
func parseRuleList(path string, raw json.RawMessage) (RuleList, error) {
	if jsonKind(raw) == "array" {
		ms, err := parseMatchers(path, raw)
		return RuleList{Matchers: ms}, err
	}
	o, err := asObject(path, raw)
	if err != nil {
		return RuleList{}, err
	}
	var rl RuleList
	if c, ok := o["combine"]; ok {
		s, err := asString(childPath(path, "combine"), c)
		if err != nil {
			return RuleList{}, err
		}
		switch strings.ToUpper(s) {
		case "AND", "OR":
			rl.Combine = strings.ToUpper(s)
		default:
			return RuleList{}, perr(childPath(path, "combine"), `expected "AND" or "OR", got %q`, s)
		}
	}
	ms, ok := o["matchers"]
	if !ok {
		if _, bare := o["match"]; bare {
			m, err := parseMatcher(path, raw)
			if err != nil {
				return RuleList{}, err
			}
			rl.Matchers = []Matcher{m}
			return rl, nil
		}
		return RuleList{}, perr(path, `expected a "matchers" array`)
	}
	rl.Matchers, err = parseMatchers(childPath(path, "matchers"), ms)
	return rl, err
}

func parseMatchers(path string, raw json.RawMessage) ([]Matcher, error) {
	items, err := asArray(path, raw)
	if err != nil {
		return nil, err
	}
	out := make([]Matcher, 0, len(items))
	for i, it := range items {
		m, err := parseMatcher(indexPath(path, i), it)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// parseMatcher reads one rule object. A rule without "match" is a regex
// rule when it has "regex" and a type rule otherwise (the V2 convention).
func parseMatcher(path string, raw json.RawMessage) (Matcher, error) {
	attrs, err := asAnyMap(path, raw)
	if err != nil {
		return Matcher{}, err
	}
	var m Matcher
	if t, ok := attrs["match"]; ok {
		s, isStr := t.(string)
		if !isStr {
			o, _ := asObject(path, raw)
			return Matcher{}, expected(childPath(path, "match"), "a string", o["match"])
		}
		m.Type = s
		delete(attrs, "match")
	} else if _, ok := attrs["regex"]; ok {
		m.Type = "regex"
	} else {
		m.Type = "type"
	}
	if len(attrs) > 0 {
		m.Attrs = attrs
	}
	return m, nil
}

// v2Categories are the categories a V2 rule path may name (after
// splitV2Key). Anything else would become a category no later version can
// write back in a form that reads as the same rules.
var v2Categories = map[string]bool{
	CategoryBody: true, CategoryHeader: true, CategoryQuery: true, CategoryPath: true,
	CategoryMethod: true, CategoryStatus: true, CategoryMetadata: true,
}

// splitV2Key converts a V2 rule key into a category and a key within it:
// "$.body.a[0]" gives ("body", "$.a[0]"), "$.headers['X-A']" gives
// ("header", "X-A"), "$.query.q" gives ("query", "q"), "$.path" gives
// ("path", "").
func splitV2Key(k string) (string, string) {
	rest := strings.TrimPrefix(k, "$")
	rest = strings.TrimPrefix(rest, ".")
	i := strings.IndexAny(rest, ".[")
	head, tail := rest, ""
	if i >= 0 {
		head, tail = rest[:i], rest[i:]
	}
	switch head {
	case "body", "content", "contents":
		return CategoryBody, "$" + tail
	case "header", "headers":
		return CategoryHeader, v2Name(tail)
	case "query":
		return CategoryQuery, v2Name(tail)
	case "metadata", "metaData":
		return CategoryMetadata, v2Name(tail)
	}
	return head, v2Name(tail)
}

// v2Name reads the name after a V2 category: ".X-A" or "['X A']".
func v2Name(tail string) string {
	if tail == "" {
		return ""
	}
	if p, err := ParsePath("$" + tail); err == nil && len(p) == 2 && p[1].Kind == TokenField {
		return p[1].Name
	}
	return strings.TrimPrefix(tail, ".")
}

// v2Key is the reverse of splitV2Key.
func v2Key(cat, sub string) string {
	switch cat {
	case CategoryBody:
		switch {
		case sub == "" || sub == "$":
			return "$.body"
		case strings.HasPrefix(sub, "$"):
			return "$.body" + sub[1:]
		default:
			return "$.body." + sub
		}
	case CategoryHeader:
		cat = "headers"
	}
	if sub == "" {
		return "$." + cat
	}
	return childPath("$."+cat, sub)
}

// writeRulesV2 writes rules with V2 path keys. V2 holds one rule per path,
// so only the first matcher of each list is written.
func writeRulesV2(rules MatchingRules) map[string]any {
	out := map[string]any{}
	for cat, byPath := range rules {
		for sub, rl := range byPath {
			if len(rl.Matchers) == 0 {
				continue
			}
			out[v2Key(cat, sub)] = matcherJSON(rl.Matchers[0])
		}
	}
	return out
}

// writeRulesV3 writes rules in the V3/V4 category layout.
func writeRulesV3(rules MatchingRules) map[string]any {
	out := map[string]any{}
	for cat, byPath := range rules {
		if len(byPath) == 1 && singleCategory(cat) {
			if rl, ok := byPath[""]; ok {
				out[cat] = ruleListJSON(rl)
				continue
			}
		}
		c := map[string]any{}
		for sub, rl := range byPath {
			c[sub] = ruleListJSON(rl)
		}
		out[cat] = c
	}
	return out
}

func ruleListJSON(rl RuleList) map[string]any {
	combine := rl.Combine
	if combine == "" {
		combine = "AND"
	}
	ms := make([]any, 0, len(rl.Matchers))
	for _, m := range rl.Matchers {
		ms = append(ms, matcherJSON(m))
	}
	return map[string]any{"combine": combine, "matchers": ms}
}

func matcherJSON(m Matcher) map[string]any {
	out := make(map[string]any, len(m.Attrs)+1)
	for k, v := range m.Attrs {
		out[k] = v
	}
	out["match"] = m.Type
	return out
}

// ParseGenerators reads a "generators" object:
// {"body": {"$.a": {"type": "RandomInt"}}, "path": {"type": ...}}.
func ParseGenerators(data []byte) (Generators, error) {
	if !json.Valid(data) {
		return nil, perr("$", "invalid JSON")
	}
	return parseGenerators("$", data)
}

func parseGenerators(path string, raw json.RawMessage) (Generators, error) {
	if isNull(raw) {
		return nil, nil
	}
	o, err := asObject(path, raw)
	if err != nil {
		return nil, err
	}
	gens := Generators{}
	for _, cat := range slices.Sorted(maps.Keys(o)) {
		cp := childPath(path, cat)
		if isNull(o[cat]) {
			continue
		}
		co, err := asObject(cp, o[cat])
		if err != nil {
			return nil, err
		}
		gens[cat] = map[string]Generator{}
		if t, ok := co["type"]; ok && jsonKind(t) == "string" {
			g, err := parseGenerator(cp, o[cat])
			if err != nil {
				return nil, err
			}
			gens[cat][""] = g
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(co)) {
			g, err := parseGenerator(childPath(cp, k), co[k])
			if err != nil {
				return nil, err
			}
			gens[cat][k] = g
		}
	}
	return gens, nil
}

func parseGenerator(path string, raw json.RawMessage) (Generator, error) {
	o, err := asObject(path, raw)
	if err != nil {
		return Generator{}, err
	}
	t, ok := o["type"]
	if !ok {
		return Generator{}, perr(path, `expected a generator with a "type"`)
	}
	typ, err := asString(childPath(path, "type"), t)
	if err != nil {
		return Generator{}, err
	}
	attrs, err := asAnyMap(path, raw)
	if err != nil {
		return Generator{}, err
	}
	delete(attrs, "type")
	g := Generator{Type: typ}
	if len(attrs) > 0 {
		g.Attrs = attrs
	}
	return g, nil
}

func writeGenerators(gens Generators) map[string]any {
	out := map[string]any{}
	for cat, byPath := range gens {
		if len(byPath) == 1 {
			if g, ok := byPath[""]; ok {
				out[cat] = generatorJSON(g)
				continue
			}
		}
		c := map[string]any{}
		for sub, g := range byPath {
			c[sub] = generatorJSON(g)
		}
		out[cat] = c
	}
	return out
}

func generatorJSON(g Generator) map[string]any {
	out := make(map[string]any, len(g.Attrs)+1)
	for k, v := range g.Attrs {
		out[k] = v
	}
	out["type"] = g.Type
	return out
}
