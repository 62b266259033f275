package pact

import (
	"encoding/json"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// Get returns the first value of the header name, ignoring case, or "".
func (h Headers) Get(name string) string {
	if v := h.Values(name); len(v) > 0 {
		return v[0]
	}
	return ""
}

// Values returns every value of the header name, ignoring case. When the
// pact spells the name several ways, values are gathered in the order of
// the spellings sorted, so the result is deterministic. V1-V3 values that
// contain commas are one value, as written.
func (h Headers) Values(name string) []string {
	if v, ok := h[name]; ok && len(h) == 1 {
		return v
	}
	var keys []string
	for k := range h {
		if strings.EqualFold(k, name) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 1 {
		return h[keys[0]]
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		out = append(out, h[k]...)
	}
	return out
}

// Set replaces the values of the header name, removing other spellings of
// the same name.
func (h Headers) Set(name string, values ...string) {
	for k := range h {
		if strings.EqualFold(k, name) {
			delete(h, k)
		}
	}
	h[name] = values
}

// Del removes the header name in every spelling.
func (h Headers) Del(name string) {
	for k := range h {
		if strings.EqualFold(k, name) {
			delete(h, k)
		}
	}
}

// parseHeaders reads a headers object whose values are strings (V1-V3) or
// arrays of strings (V4); either form is accepted in every version.
func parseHeaders(path string, raw json.RawMessage) (Headers, error) {
	h, _, err := parseHeaderTerms(path, raw)
	return h, err
}

// parseHeaderTerms is parseHeaders that also reads legacy Ruby Pact::Term
// values: the term's example is the header value, and its regex is
// returned by header name.
func parseHeaderTerms(path string, raw json.RawMessage) (Headers, map[string]string, error) {
	if isNull(raw) {
		return nil, nil, nil
	}
	o, err := asObject(path, raw)
	if err != nil {
		return nil, nil, err
	}
	h := make(Headers, len(o))
	var terms map[string]string
	for k, v := range o {
		if jsonKind(v) == "object" {
			example, regex, err := parseTerm(childPath(path, k), v)
			if err != nil {
				return nil, nil, err
			}
			h[k] = []string{example}
			if terms == nil {
				terms = map[string]string{}
			}
			terms[k] = regex
			continue
		}
		vals, err := stringOrList(childPath(path, k), v)
		if err != nil {
			return nil, nil, err
		}
		h[k] = vals
	}
	return h, terms, nil
}

// parseTerm reads a Ruby Pact::Term, as the Ruby tools wrote V1/V2 pacts:
// {"json_class": "Pact::Term", "data": {"generate": "example",
// "matcher": {"json_class": "Regexp", "o": 0, "s": "regex"}}}.
func parseTerm(path string, raw json.RawMessage) (example, regex string, err error) {
	var t struct {
		Class string `json:"json_class"`
		Data  struct {
			Generate *string `json:"generate"`
			Matcher  struct {
				Class string  `json:"json_class"`
				O     int     `json:"o"`
				S     *string `json:"s"`
			} `json:"matcher"`
		} `json:"data"`
	}
	if json.Unmarshal(raw, &t) != nil || t.Class != "Pact::Term" {
		return "", "", expected(path, `a string, an array of strings or a Ruby Pact::Term`, raw)
	}
	if t.Data.Generate == nil || t.Data.Matcher.S == nil {
		return "", "", perr(path, `expected a Pact::Term with data.generate and data.matcher.s strings`)
	}
	if _, err := regexp.Compile(*t.Data.Matcher.S); err != nil {
		return "", "", perr(childPath(childPath(childPath(path, "data"), "matcher"), "s"), "invalid regex: %v", err)
	}
	// Ruby matches a term anywhere in the value (=~) where Pact regex rules
	// match the whole value; option bit 1 is Ruby's IGNORECASE.
	re := "(?s:.*)(?:" + *t.Data.Matcher.S + ")(?s:.*)"
	if t.Data.Matcher.O&1 != 0 {
		re = "(?i)" + re
	}
	return *t.Data.Generate, re, nil
}

// addTermRules adds a regex rule for each Pact::Term header that has no
// rule of its own in the file.
func addTermRules(rules *MatchingRules, terms map[string]string) {
	for name, re := range terms {
		if *rules == nil {
			*rules = MatchingRules{}
		}
		if (*rules)[CategoryHeader] == nil {
			(*rules)[CategoryHeader] = map[string]RuleList{}
		}
		if _, ok := (*rules)[CategoryHeader][name]; ok {
			continue
		}
		(*rules)[CategoryHeader][name] = RuleList{Matchers: []Matcher{{Type: "regex", Attrs: map[string]any{"regex": re}}}}
	}
}

// stringOrList reads a string (one value) or an array of strings.
func stringOrList(path string, raw json.RawMessage) ([]string, error) {
	switch jsonKind(raw) {
	case "string":
		s, err := asString(path, raw)
		if err != nil {
			return nil, err
		}
		return []string{s}, nil
	case "array":
		items, err := asArray(path, raw)
		if err != nil {
			return nil, err
		}
		out := make([]string, 0, len(items))
		for i, it := range items {
			s, err := asString(indexPath(path, i), it)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	default:
		return nil, expected(path, "a string or an array of strings", raw)
	}
}

// parseQuery reads a query: a V1/V2 string "a=1&b=2" (URL-decoded) or a
// V3/V4 object of arrays (single strings accepted).
func parseQuery(path string, raw json.RawMessage) (Query, error) {
	switch jsonKind(raw) {
	case "null":
		return nil, nil
	case "string":
		s, _ := asString(path, raw)
		q, err := ParseQueryString(s)
		if err != nil {
			return nil, perr(path, "%v", err)
		}
		return q, nil
	case "object":
		o, _ := asObject(path, raw)
		q := make(Query, len(o))
		for k, v := range o {
			v = dropNulls(v)
			if isNull(v) {
				// The Rust core writes a parameter without a value as
				// [null]; the official tools drop the parameter.
				continue
			}
			vals, err := stringOrList(childPath(path, k), v)
			if err != nil {
				return nil, err
			}
			q[k] = vals
		}
		return q, nil
	default:
		return nil, expected(path, "a query string or an object", raw)
	}
}

// ParseQueryString decodes a query string "a=1&b=2&a=3" (with or without a
// leading "?"), keeping the order of repeated values; "+" is a space.
func ParseQueryString(s string) (Query, error) {
	s = strings.TrimPrefix(s, "?")
	q := Query{}
	for part := range strings.SplitSeq(s, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			return nil, err
		}
		val, err := url.QueryUnescape(v)
		if err != nil {
			return nil, err
		}
		q[key] = append(q[key], val)
	}
	return q, nil
}

// String encodes the query as "a=1&a=3&b=2", keys sorted, values in order.
func (q Query) String() string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		for _, v := range q[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k))
			b.WriteByte('=')
			b.WriteString(url.QueryEscape(v))
		}
	}
	return b.String()
}

// dropNulls removes null items from a JSON array (other values are
// returned unchanged); an array of nulls only becomes null.
func dropNulls(raw json.RawMessage) json.RawMessage {
	if jsonKind(raw) != "array" {
		return raw
	}
	items, err := splitArray(raw)
	if err != nil {
		return raw
	}
	kept := make([]json.RawMessage, 0, len(items))
	for _, it := range items {
		if !isNull(it) {
			kept = append(kept, it)
		}
	}
	if len(kept) == len(items) {
		return raw
	}
	if len(kept) == 0 {
		return json.RawMessage("null")
	}
	return mustMarshal(kept)
}
