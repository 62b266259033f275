package match

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/contracts-dev/contracts/formats/pact"
)

// jsonCmp compares decoded JSON values (as produced by encoding/json with
// UseNumber) under one category's rules, collecting mismatches.
type jsonCmp struct {
	rules           *ruleSet
	allowUnexpected bool
	kind            Kind
	out             []Mismatch
	// inherit holds eachValue's rules while comparing one of the values:
	// they cascade to every location deeper than inheritDepth that no rule
	// of the category selects.
	inherit      *pact.RuleList
	inheritDepth int
}

// best resolves the rules at loc, falling back to inherited eachValue
// rules.
func (c *jsonCmp) best(loc []string) (*rule, *pact.RuleList, bool) {
	r, list, cascaded := c.rules.best(loc)
	if list == nil && c.inherit != nil && len(loc) > c.inheritDepth {
		return nil, c.inherit, true
	}
	return r, list, cascaded
}

func (c *jsonCmp) add(loc []string, exp, act any, msg string) {
	c.out = append(c.out, Mismatch{
		Kind:     c.kind,
		Path:     formatPath(loc),
		Expected: compactJSON(exp),
		Actual:   compactJSON(act),
		Message:  msg,
	})
}

// compare compares the values at loc.
func (c *jsonCmp) compare(loc []string, exp, act any) {
	switch e := exp.(type) {
	case map[string]any:
		a, ok := act.(map[string]any)
		if !ok {
			c.typeMismatch(loc, exp, act)
			return
		}
		c.compareMaps(loc, e, a)
	case []any:
		a, ok := act.([]any)
		if !ok {
			c.typeMismatch(loc, exp, act)
			return
		}
		c.compareLists(loc, e, a)
	default:
		c.compareValues(loc, exp, act)
	}
}

func (c *jsonCmp) typeMismatch(loc []string, exp, act any) {
	c.add(loc, exp, act, fmt.Sprintf("Type mismatch: Expected %s to be the same type as %s", showTyped(act), showTyped(exp)))
}

func (c *jsonCmp) compareValues(loc []string, exp, act any) {
	_, list, cascaded := c.best(loc)
	if list != nil {
		for _, msg := range applyList(list, exp, act, cascaded, false) {
			c.add(loc, exp, act, msg)
		}
		return
	}
	if !equalValues(exp, act) {
		c.add(loc, exp, act, fmt.Sprintf("Expected %s to be equal to %s", showTyped(act), showTyped(exp)))
	}
}

// compareWith compares a value under eachValue's rules, which also cascade
// into the value's children.
func (c *jsonCmp) compareWith(loc []string, list *pact.RuleList, exp, act any) {
	switch exp.(type) {
	case map[string]any, []any:
		if kindOf(exp) != kindOf(act) {
			c.typeMismatch(loc, exp, act)
			return
		}
		for _, msg := range applyCollection(list, exp, act, false) {
			c.add(loc, exp, act, msg)
		}
		saved, savedDepth := c.inherit, c.inheritDepth
		c.inherit, c.inheritDepth = list, len(loc)
		if m, ok := exp.(map[string]any); ok {
			c.compareMapEntries(loc, m, act.(map[string]any))
		} else {
			c.compare(loc, exp, act)
		}
		c.inherit, c.inheritDepth = saved, savedDepth
	default:
		for _, msg := range applyList(list, exp, act, false, false) {
			c.add(loc, exp, act, msg)
		}
	}
}

// compareMapEntries compares the values of the keys both maps have.
func (c *jsonCmp) compareMapEntries(loc []string, exp, act map[string]any) {
	for k, e := range exp {
		if a, ok := act[k]; ok {
			c.compare(child(loc, k), e, a)
		}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func hasMatcher(list *pact.RuleList, types ...string) *pact.Matcher {
	if list == nil {
		return nil
	}
	for i := range list.Matchers {
		for _, t := range types {
			if list.Matchers[i].Type == t {
				return &list.Matchers[i]
			}
		}
	}
	return nil
}

func (c *jsonCmp) compareMaps(loc []string, exp, act map[string]any) {
	_, list, cascaded := c.best(loc)
	if list != nil {
		for _, msg := range applyCollection(list, exp, act, cascaded) {
			c.add(loc, exp, act, msg)
		}
	}
	var direct *pact.RuleList
	if !cascaded {
		direct = list
	}
	values := hasMatcher(direct, "values")
	eachKey := hasMatcher(direct, "eachKey", "each-key")
	eachValue := hasMatcher(direct, "eachValue", "each-value")

	if values == nil && eachKey == nil && eachValue == nil {
		if len(exp) == 0 && len(act) > 0 && !c.allowUnexpected {
			c.add(loc, exp, act, fmt.Sprintf("Expected an empty Map but received %s", compactJSON(act)))
			return
		}
		if c.allowUnexpected {
			var missing []string
			for k := range exp {
				if _, ok := act[k]; !ok {
					missing = append(missing, k)
				}
			}
			if len(missing) > 0 {
				sort.Strings(missing)
				c.add(loc, exp, act, "Actual map is missing the following keys: "+strings.Join(missing, ", "))
			}
		} else if !sameKeys(exp, act) {
			c.add(loc, exp, act, fmt.Sprintf("Expected a Map with keys [%s] but received one with keys [%s]",
				strings.Join(sortedKeys(exp), ", "), strings.Join(sortedKeys(act), ", ")))
		}
	}

	if eachKey != nil {
		rules := subRules(eachKey)
		for _, k := range sortedKeys(act) {
			for _, msg := range applyList(rules, k, k, false, true) {
				c.add(child(loc, k), k, k, msg)
			}
		}
	}

	switch {
	case eachValue != nil:
		rules := subRules(eachValue)
		first := firstValue(exp)
		for _, k := range sortedKeys(act) {
			e, ok := exp[k]
			if !ok {
				e = first
			}
			c.compareWith(child(loc, k), rules, e, act[k])
		}
	case values != nil:
		if len(exp) == 0 {
			return
		}
		first := firstValue(exp)
		for k, a := range act {
			e, ok := exp[k]
			if !ok {
				e = first
			}
			c.compare(child(loc, k), e, a)
		}
	default:
		// Map order is random; callers sort the mismatches by path.
		for k, e := range exp {
			if a, ok := act[k]; ok {
				c.compare(child(loc, k), e, a)
			}
		}
	}
}

// firstValue returns the value of the first key in sorted order.
func firstValue(m map[string]any) any {
	first, found := "", false
	for k := range m {
		if !found || k < first {
			first, found = k, true
		}
	}
	return m[first]
}

// sameKeys reports whether two maps have the same key set.
func sameKeys(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			return false
		}
	}
	return true
}

// sortMismatches orders mismatches by path so results do not depend on map
// iteration order; mismatches at one path keep their order.
func sortMismatches(ms []Mismatch) {
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Path < ms[j].Path })
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// subRules reads the "rules" attribute of eachKey / eachValue.
func subRules(m *pact.Matcher) *pact.RuleList {
	items, _ := m.Attrs["rules"].([]any)
	return &pact.RuleList{Matchers: decodeMatchers(items)}
}

func (c *jsonCmp) compareLists(loc []string, exp, act []any) {
	r, list, cascaded := c.best(loc)
	if list == nil {
		if len(exp) == 0 && len(act) > 0 {
			c.add(loc, exp, act, fmt.Sprintf("Expected an empty List but received %s", compactJSON(act)))
			return
		}
		c.listContent(loc, exp, act)
		if len(exp) != len(act) {
			c.add(loc, exp, act, fmt.Sprintf("Expected a List with %d elements but received %d elements", len(exp), len(act)))
		}
		return
	}
	contentByExample := false
	for i := range list.Matchers {
		m := &list.Matchers[i]
		switch m.Type {
		case "arrayContains":
			if !cascaded {
				c.arrayContains(loc, r.variants[i], exp, act)
			}
		case "equality":
		default:
			contentByExample = true
		}
	}
	for _, msg := range applyCollection(list, exp, act, cascaded) {
		c.add(loc, exp, act, msg)
	}
	switch {
	case contentByExample:
		// Every actual item must look like the first expected one.
		if len(exp) > 0 {
			for i, a := range act {
				c.compare(child(loc, strconv.Itoa(i)), exp[0], a)
			}
		}
	case hasMatcher(list, "equality") != nil:
		c.listContent(loc, exp, act)
		if len(exp) != len(act) {
			c.add(loc, exp, act, fmt.Sprintf("Expected a List with %d elements but received %d elements", len(exp), len(act)))
		}
	}
}

func (c *jsonCmp) listContent(loc []string, exp, act []any) {
	for i, e := range exp {
		p := child(loc, strconv.Itoa(i))
		if i < len(act) {
			c.compare(p, e, act[i])
			continue
		}
		if _, l, _ := c.best(p); l == nil {
			c.add(loc, e, nil, fmt.Sprintf("Expected %s but was missing", compactJSON(e)))
		}
	}
}

// arrayContains checks that every variant is matched by some actual item,
// each variant under its own rules (paths relative to the item).
func (c *jsonCmp) arrayContains(loc []string, variants []variant, exp, act []any) {
	if len(variants) == 0 {
		for i := range exp {
			variants = append(variants, variant{index: i, rules: &ruleSet{}})
		}
	}
	for _, v := range variants {
		if v.index < 0 || v.index >= len(exp) {
			c.add(loc, exp, act, fmt.Sprintf("ArrayContains: variant %d is missing from the expected list, which has %d items", v.index, len(exp)))
			continue
		}
		e := exp[v.index]
		found := false
		for _, a := range act {
			sub := &jsonCmp{rules: v.rules, allowUnexpected: c.allowUnexpected, kind: c.kind}
			sub.compare(rootLoc(), e, a)
			if len(sub.out) == 0 {
				found = true
				break
			}
		}
		if !found {
			c.add(loc, e, act, fmt.Sprintf("Variant at index %d (%s) was not found in the actual list", v.index, compactJSON(e)))
		}
	}
}
