package match

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/contracts-dev/contracts/formats/pact"
)

func matchMethod(expected, actual string) []Mismatch {
	if strings.EqualFold(expected, actual) {
		return nil
	}
	return []Mismatch{{Kind: KindMethod, Path: "method", Expected: strings.ToUpper(expected), Actual: strings.ToUpper(actual),
		Message: fmt.Sprintf("Expected method '%s' but was '%s'", strings.ToUpper(expected), strings.ToUpper(actual))}}
}

func matchPath(expected, actual string, rules *ruleSet) []Mismatch {
	mk := func(msg string) Mismatch {
		return Mismatch{Kind: KindPath, Path: "path", Expected: expected, Actual: actual, Message: msg}
	}
	if list := rules.single(); list != nil {
		var out []Mismatch
		for _, msg := range applyList(list, expected, actual, false, true) {
			out = append(out, mk(msg))
		}
		return out
	}
	if expected != actual {
		return []Mismatch{mk(fmt.Sprintf("Expected '%s' but received '%s'", expected, actual))}
	}
	return nil
}

// paramKind names what a parameter list is in messages.
type paramKind struct {
	kind Kind
	noun string // "query parameter" or "form post parameter"
}

var (
	queryParams = paramKind{kind: KindQuery, noun: "query parameter"}
	formParams  = paramKind{kind: KindBody, noun: "form post parameter"}
)

func sortedParamKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// matchParams compares query (or form) parameters: missing and unexpected
// names, then each name's values, by rule or by equality in order.
// lookup finds the rule list for a name.
//
// lookupAt, when set, gives the rules of one value of a parameter by its
// index (a form field's "$['name[]'][0]"), used where lookup has none.
func matchParams(pk paramKind, expected, actual map[string][]string, lookup func(string) *pact.RuleList, lookupAt func(string, int) *pact.RuleList) []Mismatch {
	var out []Mismatch
	mk := func(name string, e, a []string, msg string) {
		out = append(out, Mismatch{Kind: pk.kind, Path: name, Expected: strings.Join(e, ", "), Actual: strings.Join(a, ", "), Message: msg})
	}
	for _, name := range sortedParamKeys(expected) {
		ev := expected[name]
		av, ok := actual[name]
		if !ok {
			mk(name, ev, nil, fmt.Sprintf("Expected %s '%s' but was missing", pk.noun, name))
			continue
		}
		if list := lookup(name); list != nil {
			for _, msg := range paramValuesByRule(list, ev, av) {
				mk(name, ev, av, msg)
			}
			continue
		}
		for i := 0; i < max(len(ev), len(av)); i++ {
			switch {
			case i >= len(av):
				mk(name, ev, av, fmt.Sprintf("Expected %s '%s' value '%s' but was missing", pk.noun, name, ev[i]))
			case i >= len(ev):
				mk(name, nil, av[i:i+1], fmt.Sprintf("Expected %s '%s' with value '' but was '%s'", pk.noun, name, av[i]))
			case lookupAt != nil && lookupAt(name, i) != nil:
				for _, msg := range applyList(lookupAt(name, i), ev[i], av[i], false, true) {
					mk(name, ev[i:i+1], av[i:i+1], msg)
				}
			case ev[i] != av[i]:
				mk(name, ev[i:i+1], av[i:i+1], fmt.Sprintf("Expected %s '%s' with value '%s' but was '%s'", pk.noun, name, ev[i], av[i]))
			}
		}
		if len(av) != len(ev) {
			mk(name, ev, av, fmt.Sprintf("Expected %s '%s' with %d value(s) but received %d value(s)", pk.noun, name, len(ev), len(av)))
		}
	}
	for _, name := range sortedParamKeys(actual) {
		if _, ok := expected[name]; !ok {
			mk(name, nil, actual[name], fmt.Sprintf("Unexpected %s '%s' received", pk.noun, name))
		}
	}
	return out
}

// paramValuesByRule applies a rule list to every actual value of a
// parameter (against the expected value at the same index, or the first),
// and min/max type rules to the number of values.
func paramValuesByRule(list *pact.RuleList, ev, av []string) []string {
	var msgs []string
	for i := range list.Matchers {
		m := &list.Matchers[i]
		if _, hasMin := m.Attrs["min"]; hasMin || m.Attrs["max"] != nil {
			items := make([]any, len(av))
			for j, v := range av {
				items[j] = v
			}
			msgs = append(msgs, sizeMessages(m, items)...)
		}
	}
	for i, a := range av {
		var e any = ""
		switch {
		case i < len(ev):
			e = ev[i]
		case len(ev) > 0:
			e = ev[0]
		}
		msgs = append(msgs, applyList(list, e, a, true, true)...)
	}
	return msgs
}

// nonSplitHeaders are headers whose values may contain commas, so their
// values are not split into lists.
var nonSplitHeaders = map[string]bool{
	"date": true, "expires": true, "last-modified": true, "if-modified-since": true,
	"if-unmodified-since": true, "retry-after": true, "set-cookie": true, "cookie": true,
	"www-authenticate": true, "proxy-authenticate": true, "authorization": true,
	"user-agent": true, "if-range": true, "sec-ch-ua": true,
}

// parameterised headers compare media types and their parameters.
var parameterisedHeaders = map[string]bool{"accept": true, "content-type": true}

// headerValues flattens a header's values, splitting on commas where the
// header allows it, and trims each.
func headerValues(name string, values []string) []string {
	if nonSplitHeaders[strings.ToLower(name)] {
		out := make([]string, 0, len(values))
		for _, v := range values {
			out = append(out, strings.TrimSpace(v))
		}
		return out
	}
	out := make([]string, 0, len(values))
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			out = append(out, strings.TrimSpace(part))
		}
	}
	return out
}

// getHeader finds a header by name, ignoring case.
func getHeader(h map[string][]string, name string) ([]string, bool) {
	if v, ok := h[name]; ok {
		return v, true
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// normHeader normalises one header value for equality: list values are
// split on commas, trimmed and joined with ",", as Pact does; values of
// headers that are not lists are only trimmed.
func normHeader(name, v string) string {
	if nonSplitHeaders[strings.ToLower(name)] {
		return strings.TrimSpace(v)
	}
	if !strings.Contains(v, ",") {
		return strings.TrimSpace(v)
	}
	return strings.Join(splitTrim(v, ","), ",")
}

func matchHeaders(expected, actual map[string][]string, rules *ruleSet) []Mismatch {
	var out []Mismatch
	for _, name := range sortedParamKeys(expected) {
		ev := expected[name]
		av, ok := getHeader(actual, name)
		mk := func(e, a, msg string) {
			out = append(out, Mismatch{Kind: KindHeader, Path: name, Expected: e, Actual: a, Message: msg})
		}
		if !ok {
			mk(strings.Join(ev, ", "), "", fmt.Sprintf("Expected a header '%s' but was missing", name))
			continue
		}
		if list := rules.byName(name, true); list != nil {
			for _, msg := range paramValuesByRule(list, ev, av) {
				mk(strings.Join(ev, ", "), strings.Join(av, ", "), msg)
			}
			continue
		}
		es, as := headerValues(name, ev), headerValues(name, av)
		if parameterisedHeaders[strings.ToLower(name)] {
			if len(es) == 1 && len(as) == 1 {
				if !parameterValueMatches(es[0], as[0]) {
					mk(es[0], as[0], fmt.Sprintf("Expected header '%s' to have value '%s' but was '%s'", name, es[0], as[0]))
				}
				continue
			}
			for i, e := range es {
				switch {
				case i >= len(as):
					mk(e, "", fmt.Sprintf("Expected value '%s' at index %d but was missing (actual has %d value(s))", e, i, len(as)))
				case !parameterValueMatches(e, as[i]):
					mk(e, as[i], fmt.Sprintf("Expected header '%s' at index %d to have value '%s' but was '%s'", name, i, e, as[i]))
				}
			}
			continue
		}
		if equalStrings(es, as) {
			continue
		}
		if len(ev) <= 1 && len(av) <= 1 {
			e, a := normHeader(name, first(ev)), normHeader(name, first(av))
			mk(first(ev), first(av), fmt.Sprintf("Expected '%s' to be equal to '%s'", a, e))
			continue
		}
		for i := 0; i < max(len(ev), len(av)); i++ {
			var e, a string
			if i < len(ev) {
				e = normHeader(name, ev[i])
			}
			if i < len(av) {
				a = normHeader(name, av[i])
			}
			if e != a {
				mk(e, a, fmt.Sprintf("Expected '%s' to be equal to '%s' for value at index %d", a, e, i))
			}
		}
	}
	return out
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// parameterValueMatches compares media-type values such as
// "application/json;charset=UTF-8": the base values must be equal, and every
// parameter of the expected value must be present in the actual one with
// the same value (case-insensitive). Extra actual parameters are allowed.
func parameterValueMatches(expected, actual string) bool {
	ep := splitTrim(expected, ";")
	ap := splitTrim(actual, ";")
	if !strings.EqualFold(ep[0], ap[0]) {
		return false
	}
	aparams := map[string]string{}
	for _, p := range ap[1:] {
		k, v, _ := strings.Cut(p, "=")
		aparams[strings.ToLower(strings.TrimSpace(k))] = strings.Trim(strings.TrimSpace(v), `"`)
	}
	for _, p := range ep[1:] {
		k, v, _ := strings.Cut(p, "=")
		got, ok := aparams[strings.ToLower(strings.TrimSpace(k))]
		if !ok || !strings.EqualFold(got, strings.Trim(strings.TrimSpace(v), `"`)) {
			return false
		}
	}
	return true
}

func splitTrim(s, sep string) []string {
	parts := strings.Split(s, sep)
	out := parts[:0]
	for i, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" && i > 0 {
			continue
		}
		out = append(out, p)
	}
	return out
}

// statusClasses are the statusCode matcher's named classes, described as
// Pact's reference engine words them (article included).
var statusClasses = map[string]struct {
	desc   string
	lo, hi int
}{
	"info":        {"a Informational response (100–199)", 100, 199},
	"information": {"a Informational response (100–199)", 100, 199},
	"success":     {"a Successful response (200–299)", 200, 299},
	"redirect":    {"a Redirect (300–399)", 300, 399},
	"clientError": {"a Client error (400–499)", 400, 499},
	"serverError": {"a Server error (500–599)", 500, 599},
	"nonError":    {"a Non-error response (< 400)", 100, 399},
	"error":       {"a Error response (>= 400)", 400, 599},
}

func matchStatus(expected, actual int, rules *ruleSet) []Mismatch {
	mk := func(msg string) []Mismatch {
		return []Mismatch{{Kind: KindStatus, Path: "status", Expected: strconv.Itoa(expected), Actual: strconv.Itoa(actual), Message: msg}}
	}
	if list := rules.single(); list != nil {
		var msgs []string
		or := strings.EqualFold(list.Combine, "OR")
		for i := range list.Matchers {
			m := &list.Matchers[i]
			var ms []string
			if m.Type == "statusCode" {
				ms = statusCodeMessages(m, actual)
			} else {
				ms = applyList(&pact.RuleList{Matchers: []pact.Matcher{*m}}, strconv.Itoa(expected), strconv.Itoa(actual), false, true)
			}
			if or && len(ms) == 0 {
				return nil
			}
			msgs = append(msgs, ms...)
		}
		var out []Mismatch
		for _, msg := range msgs {
			out = append(out, mk(msg)...)
		}
		return out
	}
	if expected != actual {
		return mk(fmt.Sprintf("expected %d but was %d", expected, actual))
	}
	return nil
}

func statusCodeMessages(m *pact.Matcher, actual int) []string {
	switch s := m.Attrs["status"].(type) {
	case string:
		class, ok := statusClasses[s]
		if !ok {
			return []string{fmt.Sprintf("Unknown status code class '%s'", s)}
		}
		if actual < class.lo || actual > class.hi {
			return []string{fmt.Sprintf("Expected status code %d to be %s", actual, class.desc)}
		}
	case []any:
		codes := make([]string, 0, len(s))
		for _, c := range s {
			n, ok := toInt(c)
			if ok && n == actual {
				return nil
			}
			codes = append(codes, strconv.Itoa(n))
		}
		return []string{fmt.Sprintf("Expected status code %d to be a %s", actual, strings.Join(codes, ", "))}
	default:
		return []string{fmt.Sprintf("Expected status code %d to match a statusCode matcher with no status", actual)}
	}
	return nil
}
