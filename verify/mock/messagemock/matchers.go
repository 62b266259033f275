package messagemock

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/generate"
)

// Matcher is a value in a payload or metadata template that carries a
// matching rule (and maybe a generator): the example is written to the
// pact, the rule tells the provider's verifier what else is acceptable.
// Matchers nest: the example of Like or EachLike may hold other matchers.
type Matcher struct {
	example any
	rules   []pact.Matcher
	gen     *pact.Generator
	// each makes the value an array of one example element; rules apply to
	// the array.
	each bool
}

// Like matches any value of the example's type.
func Like(example any) Matcher {
	return Matcher{example: example, rules: []pact.Matcher{{Type: "type"}}}
}

// EachLike matches an array of at least min elements, each like example.
func EachLike(example any, min int) Matcher {
	if min < 1 {
		min = 1
	}
	return Matcher{example: example, each: true, rules: []pact.Matcher{{Type: "type", Attrs: map[string]any{"min": json.Number(fmt.Sprint(min))}}}}
}

// Regex matches strings matching pattern; example must match it.
func Regex(example, pattern string) Matcher {
	return Matcher{example: example, rules: []pact.Matcher{{Type: "regex", Attrs: map[string]any{"regex": pattern}}}}
}

// Integer matches any integer.
func Integer(example int64) Matcher {
	return Matcher{example: example, rules: []pact.Matcher{{Type: "integer"}}}
}

// Decimal matches any number with a fractional part.
func Decimal(example float64) Matcher {
	return Matcher{example: example, rules: []pact.Matcher{{Type: "decimal"}}}
}

// Boolean matches true or false.
func Boolean(example bool) Matcher {
	return Matcher{example: example, rules: []pact.Matcher{{Type: "boolean"}}}
}

// Includes matches strings containing value.
func Includes(value string) Matcher {
	return Matcher{example: value, rules: []pact.Matcher{{Type: "include", Attrs: map[string]any{"value": value}}}}
}

// Timestamp matches date-times in format (a Java date-time pattern such
// as "yyyy-MM-dd'T'HH:mm:ssXXX"); the consumer receives the example.
func Timestamp(example, format string) Matcher {
	return Matcher{example: example, rules: []pact.Matcher{{Type: "timestamp", Attrs: map[string]any{"timestamp": format}}}}
}

// UUID matches UUIDs in their canonical lower-case hyphenated form; the
// consumer receives a freshly generated one.
func UUID(example string) Matcher {
	return Matcher{
		example: example,
		rules:   []pact.Matcher{{Type: "regex", Attrs: map[string]any{"regex": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"}}},
		gen:     &pact.Generator{Type: generate.TypeUUID},
	}
}

// RandomInt matches any integer; the consumer receives a random one in
// [min, max] (the pact keeps min as the example).
func RandomInt(min, max int64) Matcher {
	return Matcher{
		example: min,
		rules:   []pact.Matcher{{Type: "integer"}},
		gen:     &pact.Generator{Type: generate.TypeRandomInt, Attrs: map[string]any{"min": json.Number(fmt.Sprint(min)), "max": json.Number(fmt.Sprint(max))}},
	}
}

// FromProviderState matches like the example and asks the provider's
// verifier to fill the value in from the provider state's value of
// expression (e.g. "${id}").
func FromProviderState(expression string, example any) Matcher {
	return Matcher{
		example: example,
		rules:   []pact.Matcher{{Type: "type"}},
		gen:     &pact.Generator{Type: generate.TypeProviderState, Attrs: map[string]any{"expression": expression}},
	}
}

// template is the result of walking a template: the example value and the
// rules and generators found, keyed by path.
type template struct {
	rules map[string]pact.RuleList
	gens  map[string]pact.Generator
}

// walk replaces the matchers in v by their examples, recording their
// rules and generators at their paths.
func (t *template) walk(v any, path pact.Path) any {
	switch x := v.(type) {
	case Matcher:
		key := path.String()
		if len(x.rules) > 0 {
			t.rules[key] = pact.RuleList{Combine: "AND", Matchers: x.rules}
		}
		if x.gen != nil {
			t.gens[key] = *x.gen
		}
		if x.each {
			return []any{t.walk(x.example, append(path[:len(path):len(path)], pact.StarIndex()))}
		}
		return t.walk(x.example, path)
	case *Matcher:
		return t.walk(*x, path)
	case map[string]any:
		out := make(map[string]any, len(x))
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out[k] = t.walk(x[k], append(path[:len(path):len(path)], pact.Field(k)))
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = t.walk(e, append(path[:len(path):len(path)], pact.Index(i)))
		}
		return out
	}
	return v
}

func newTemplate() *template {
	return &template{rules: map[string]pact.RuleList{}, gens: map[string]pact.Generator{}}
}
