package match_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/match"
)

// suiteDir is the Pact compatibility suite shipped in the shared folder.
func suiteDir(tb testing.TB) string {
	tb.Helper()
	// The suite sits in ../shared beside the repository root.
	d := filepath.Join("..", "..", "..", "..", "shared", "pact-compatibility-suite")
	if _, err := os.Stat(filepath.Join(d, "fixtures")); err != nil {
		tb.Skipf("the Pact compatibility suite is absent (%s): it comes from ../shared beside the repository", d)
	}
	return d
}

func mustFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(suiteDir(tb), "fixtures", name))
	require.NoError(tb, err)
	return data
}

// mustRules reads a matching-rules fragment of the suite (V2 "$.body.x" keys
// or V3/V4 categories) into the model.
func mustRules(tb testing.TB, name string) pact.MatchingRules {
	tb.Helper()
	return mustRulesJSON(tb, mustFixture(tb, name))
}

func mustRulesJSON(tb testing.TB, data []byte) pact.MatchingRules {
	tb.Helper()
	rules, err := rulesFromJSON(data)
	require.NoError(tb, err)
	return rules
}

// rulesFromJSON decodes a rules fragment; it never panics on odd input.
func rulesFromJSON(data []byte) (pact.MatchingRules, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	out := pact.MatchingRules{}
	add := func(cat, key string, v any) {
		if out[cat] == nil {
			out[cat] = map[string]pact.RuleList{}
		}
		out[cat][key] = ruleList(v)
	}
	for k, v := range raw {
		if strings.HasPrefix(k, "$.") {
			rest := strings.TrimPrefix(k, "$.")
			cat, sub, _ := strings.Cut(rest, ".")
			switch cat {
			case "body":
				add("body", "$"+strings.TrimPrefix(rest, "body"), v)
			case "path":
				add("path", "", v)
			default:
				add(cat, sub, v)
			}
			continue
		}
		obj, _ := v.(map[string]any)
		if _, ok := obj["matchers"]; ok {
			add(k, "", v)
			continue
		}
		for p, l := range obj {
			add(k, p, l)
		}
	}
	return out, nil
}

func ruleList(v any) pact.RuleList {
	obj, _ := v.(map[string]any)
	var l pact.RuleList
	items, ok := obj["matchers"].([]any)
	if ok {
		l.Combine, _ = obj["combine"].(string)
	} else {
		items = []any{obj}
	}
	for _, it := range items {
		fields, _ := it.(map[string]any)
		m := pact.Matcher{Attrs: map[string]any{}}
		for k, val := range fields {
			if k == "match" {
				m.Type, _ = val.(string)
			} else {
				m.Attrs[k] = val
			}
		}
		if m.Type == "" {
			if _, ok := m.Attrs["regex"]; ok {
				m.Type = "regex"
			} else {
				m.Type = "type"
			}
		}
		l.Matchers = append(l.Matchers, m)
	}
	return l
}

func jsonBody(s string) pact.Body {
	return pact.Body{State: pact.BodyPresent, Content: []byte(s), ContentType: "application/json"}
}

func fileBody(tb testing.TB, name, ct string) pact.Body {
	tb.Helper()
	return pact.Body{State: pact.BodyPresent, Content: mustFixture(tb, name), ContentType: ct}
}

func textBody(s, ct string) pact.Body {
	return pact.Body{State: pact.BodyPresent, Content: []byte(s), ContentType: ct}
}

// want is one mismatch a scenario says the comparison will contain.
type want struct {
	path, msg string
}

// requireContains fails unless some mismatch has the path and a message
// the compatibility suite accepts: the suite's harnesses take the text from
// the feature file, unescape \", and accept a message that contains it or
// that it matches in full as a regular expression (the feature files write
// some header values as regexes such as 'application/json;\s*charset=UTF-8').
func requireContains(tb testing.TB, got []match.Mismatch, w want) {
	tb.Helper()
	text := strings.ReplaceAll(w.msg, `\"`, `"`)
	re, reErr := regexp.Compile("^(?:" + text + ")$")
	for _, m := range got {
		if m.Path != w.path {
			continue
		}
		if strings.Contains(m.Message, text) || (reErr == nil && re.MatchString(m.Message)) {
			return
		}
	}
	tb.Fatalf("no mismatch %q -> %q in:\n%s", w.path, w.msg, dump(got))
}

// requireKinds requires no mismatch when kinds is nil, else at least one,
// each of one of the kinds.
func requireKinds(tb testing.TB, got []match.Mismatch, kinds []match.Kind) {
	tb.Helper()
	if kinds == nil {
		require.Empty(tb, got, dump(got))
		return
	}
	require.NotEmpty(tb, got)
	for _, m := range got {
		require.Contains(tb, kinds, m.Kind, dump(got))
	}
}

func dump(ms []match.Mismatch) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString("  [" + string(m.Kind) + "] " + m.Path + " -> " + m.Message + "\n")
	}
	return b.String()
}
