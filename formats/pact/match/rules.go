package match

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/contracts-dev/contracts/formats/pact"
)

// rule is one matching-rule entry of a category with its path parsed once.
type rule struct {
	key  string
	path pact.Path
	// idx holds the decimal form of index tokens, so weighing a location
	// compares strings instead of parsing each element.
	idx    []string
	rooted bool
	list   pact.RuleList
	// cascade holds the matchers that also apply to descendants: every
	// matcher except those that only make sense on the exact location.
	cascade pact.RuleList
	// variants holds the parsed variants of arrayContains matchers, by
	// matcher index in list.
	variants map[int][]variant
}

// variant is one arrayContains variant: the index of the expected item and
// the rules that apply inside it.
type variant struct {
	index int
	rules *ruleSet
}

// ruleSet is a category's rules parsed for one match call.
type ruleSet struct {
	rules []rule
}

// directOnly reports matcher types that do not cascade to children.
func directOnly(t string) bool {
	switch t {
	case "values", "eachKey", "eachValue", "arrayContains", "each-key", "each-value", "array-contains":
		return true
	}
	return false
}

// newRuleSet parses the path of every rule of the given categories once.
// Keys that are not path expressions are kept as plain field names.
func newRuleSet(cats ...map[string]pact.RuleList) *ruleSet {
	rs := &ruleSet{}
	for _, cat := range cats {
		for key, list := range cat {
			if len(list.Matchers) == 0 {
				continue
			}
			p, err := pact.ParsePath(key)
			if err != nil {
				p = pact.Path{pact.Field(key)}
			}
			r := rule{key: key, path: p, list: list, rooted: len(p) > 0 && p[0].Kind == pact.TokenRoot}
			r.idx = make([]string, len(p))
			for i, t := range p {
				if t.Kind == pact.TokenIndex {
					r.idx[i] = strconv.Itoa(t.Index)
				}
			}
			r.cascade.Combine = list.Combine
			for i, m := range list.Matchers {
				if !directOnly(m.Type) {
					r.cascade.Matchers = append(r.cascade.Matchers, m)
				}
				if m.Type == "arrayContains" {
					if r.variants == nil {
						r.variants = map[int][]variant{}
					}
					r.variants[i] = parseVariants(m.Attrs["variants"])
				}
			}
			rs.rules = append(rs.rules, r)
		}
	}
	sort.Slice(rs.rules, func(i, j int) bool { return rs.rules[i].key < rs.rules[j].key })
	return rs
}

// best returns the rule list that applies at loc: the one whose path scores
// the highest weight. cascaded is true when the list comes from an
// ancestor's rule (only its cascading matchers are then kept).
func (rs *ruleSet) best(loc []string) (r *rule, list *pact.RuleList, cascaded bool) {
	if rs == nil {
		return nil, nil, false
	}
	bestW := 0
	for i := range rs.rules {
		cand := &rs.rules[i]
		w, exact := cand.weigh(loc)
		if w == 0 || w <= bestW {
			continue
		}
		if exact {
			r, list, cascaded, bestW = cand, &cand.list, false, w
			continue
		}
		if len(cand.cascade.Matchers) == 0 {
			continue
		}
		r, list, cascaded, bestW = cand, &cand.cascade, true, w
	}
	return r, list, cascaded
}

// bestOf is best for a location that has several spellings (an XML
// element addressed with or without its sibling index): each rule scores
// its highest weight over the spellings.
func (rs *ruleSet) bestOf(locs ...[]string) (list *pact.RuleList, cascaded bool) {
	if rs == nil {
		return nil, false
	}
	bestW := 0
	for i := range rs.rules {
		cand := &rs.rules[i]
		w, exact := 0, false
		if len(locs) > 0 {
			// The spelling the rule's own path uses: sibling indexes
			// where it has index steps ("$.a.item[*].name['#text']").
			locs = append(locs[:len(locs):len(locs)], cand.alignIndexes(locs[0]))
		}
		for _, loc := range locs {
			if lw, le := cand.weigh(loc); lw > w || (lw == w && le && !exact) {
				w, exact = lw, le
			}
		}
		if w == 0 || w <= bestW {
			continue
		}
		if exact {
			list, cascaded, bestW = &cand.list, false, w
			continue
		}
		if len(cand.cascade.Matchers) == 0 {
			continue
		}
		list, cascaded, bestW = &cand.cascade, true, w
	}
	return list, cascaded
}

// alignIndexes returns loc, an XML location with the sibling index of
// every element below the root ("$", "a", "item", "1", "name", "0"),
// keeping only the indexes the rule's path has an index step for.
func (r *rule) alignIndexes(loc []string) []string {
	out := make([]string, 0, len(loc))
	for _, e := range loc {
		if isDigits(e) && len(out) > 0 {
			k := len(out)
			if !r.rooted {
				k-- // the path's first step is the location's second element
			}
			if k < 0 || k >= len(r.path) || (r.path[k].Kind != pact.TokenIndex && r.path[k].Kind != pact.TokenStarIndex) {
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

// weigh scores the rule's path against a location as pact.Path.Weight does
// (0 when it selects neither the location nor an ancestor), and reports
// whether it selects the location itself.
func (r *rule) weigh(loc []string) (int, bool) {
	if !r.rooted {
		w := r.path.Weight(loc)
		return w, w > 0 && r.path.Matches(loc)
	}
	n := len(r.path)
	if n == 0 || n > len(loc) {
		return 0, false
	}
	w := 1
	for i, t := range r.path {
		a := loc[i]
		switch t.Kind {
		case pact.TokenRoot:
			if a != "$" {
				return 0, false
			}
			w *= 2
		case pact.TokenField:
			if a != t.Name {
				return 0, false
			}
			w *= 2
		case pact.TokenIndex:
			if a != r.idx[i] {
				return 0, false
			}
			w *= 2
		case pact.TokenStar:
		case pact.TokenStarIndex:
			if !isDigits(a) {
				return 0, false
			}
		}
	}
	return w * n, n == len(loc)
}

// exact returns the rules at exactly loc (no cascading), or nil.
func (rs *ruleSet) exact(loc []string) *rule {
	if rs == nil {
		return nil
	}
	var out *rule
	bestW := 0
	for i := range rs.rules {
		cand := &rs.rules[i]
		if w, exact := cand.weigh(loc); exact && w > bestW {
			out, bestW = cand, w
		}
	}
	return out
}

// byName returns the rule list keyed by name (header, query, metadata
// names), comparing case-insensitively when fold is set. A key written as a
// path ("$.x-test", "$['x-test']") is matched by its last field.
func (rs *ruleSet) byName(name string, fold bool) *pact.RuleList {
	if rs == nil {
		return nil
	}
	for i := range rs.rules {
		r := &rs.rules[i]
		k := r.key
		if len(r.path) > 0 && r.path[len(r.path)-1].Kind == pact.TokenField && strings.HasPrefix(k, "$") {
			k = r.path[len(r.path)-1].Name
		}
		if k == name || (fold && strings.EqualFold(k, name)) {
			return &r.list
		}
	}
	return nil
}

// single returns the first rule list of a category without sub-paths
// (path, status, method).
func (rs *ruleSet) single() *pact.RuleList {
	if rs == nil || len(rs.rules) == 0 {
		return nil
	}
	return &rs.rules[0].list
}

// parseVariants decodes arrayContains variants: [{"index": 0, "rules": {...}}].
func parseVariants(v any) []variant {
	items, _ := v.([]any)
	out := make([]variant, 0, len(items))
	for i, it := range items {
		m, _ := it.(map[string]any)
		idx := i
		if n, ok := toInt(m["index"]); ok {
			idx = n
		}
		out = append(out, variant{index: idx, rules: newRuleSet(decodeRuleMap(m["rules"]))})
	}
	return out
}

// decodeRuleMap decodes a {"path": {"combine": ..., "matchers": [...]}} object
// (or the V2 {"path": {"match": ...}} form) into rule lists.
func decodeRuleMap(v any) map[string]pact.RuleList {
	m, _ := v.(map[string]any)
	out := make(map[string]pact.RuleList, len(m))
	for k, raw := range m {
		obj, _ := raw.(map[string]any)
		if obj == nil {
			continue
		}
		var list pact.RuleList
		if c, ok := obj["combine"].(string); ok {
			list.Combine = c
		}
		if ms, ok := obj["matchers"].([]any); ok {
			list.Matchers = decodeMatchers(ms)
		} else {
			list.Matchers = decodeMatchers([]any{obj})
		}
		out[k] = list
	}
	return out
}

// decodeMatchers decodes a list of {"match": ..., ...} objects.
func decodeMatchers(items []any) []pact.Matcher {
	out := make([]pact.Matcher, 0, len(items))
	for _, it := range items {
		obj, _ := it.(map[string]any)
		if obj == nil {
			continue
		}
		m := pact.Matcher{Attrs: map[string]any{}}
		for k, v := range obj {
			if k == "match" {
				m.Type, _ = v.(string)
				continue
			}
			m.Attrs[k] = v
		}
		if m.Type == "" {
			if _, ok := obj["regex"]; ok {
				m.Type = "regex"
			} else {
				m.Type = "type"
			}
		}
		out = append(out, m)
	}
	return out
}

// toInt reads an integer attribute (json.Number, float64, int or string).
func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := strconv.Atoi(string(n))
		if err != nil {
			f, ferr := n.Float64()
			if ferr != nil {
				return 0, false
			}
			return int(f), true
		}
		return i, true
	case float64:
		return int(n), true
	case int:
		return n, true
	case int64:
		return int(n), true
	case string:
		i, err := strconv.Atoi(n)
		return i, err == nil
	}
	return 0, false
}
