package pact_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
)

// TestSuiteRuleAndGeneratorFragments reads every matching rule and
// generator fragment of the compatibility suite.
func TestSuiteRuleAndGeneratorFragments(t *testing.T) {
	t.Parallel()
	dir := sharedDir(t, filepath.Join("pact-compatibility-suite", "fixtures"))
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	n := 0
	for _, f := range files {
		name := filepath.Base(f)
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		switch {
		case strings.Contains(name, "-matcher"):
			rules, err := pact.ParseMatchingRules(data)
			require.NoError(t, err, name)
			require.NotEmpty(t, rules, name)
			for cat, byPath := range rules {
				for key, rl := range byPath {
					require.NotEmpty(t, rl.Matchers, "%s %s %s", name, cat, key)
					for _, m := range rl.Matchers {
						require.NotEmpty(t, m.Type, "%s %s %s", name, cat, key)
					}
				}
			}
			n++
		case strings.Contains(name, "-generator"):
			gens, err := pact.ParseGenerators(data)
			require.NoError(t, err, name)
			require.NotEmpty(t, gens["body"]["$.one"].Type, name)
			n++
		}
	}
	require.Positive(t, n)
}

func TestParseMatchingRulesV2Keys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		key, cat, sub string
	}{
		{"$.body", "body", "$"},
		{"$.body.one", "body", "$.one"},
		{"$.body[0].a", "body", "$[0].a"},
		{"$.body._links['pb:x'].href", "body", "$._links['pb:x'].href"},
		{"$.header.x-test", "header", "x-test"},
		{"$.headers.Content-Type", "header", "Content-Type"},
		{"$.headers['Content-Type']", "header", "Content-Type"},
		{"$.query.a", "query", "a"},
		{"$.query['q[]']", "query", "q[]"},
		{"$.path", "path", ""},
		{"$.status", "status", ""},
		{"$.metaData.topic", "metadata", "topic"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			t.Parallel()
			data, err := json.Marshal(map[string]any{tt.key: map[string]any{"match": "type"}})
			require.NoError(t, err)
			rules, err := pact.ParseMatchingRules(data)
			require.NoError(t, err)
			require.Equal(t, pact.MatchingRules{tt.cat: {tt.sub: {Matchers: []pact.Matcher{{Type: "type"}}}}}, rules)
		})
	}
}

func TestParseMatchingRulesForms(t *testing.T) {
	t.Parallel()
	rules, err := pact.ParseMatchingRules([]byte(`{
		"path": {"matchers": [{"match": "regex", "regex": "/a"}]},
		"status": {"match": "statusCode", "status": "success"},
		"header": {"A": {"match": "type"}, "B": [{"match": "regex", "regex": "x"}], "C": {"combine": "or", "matchers": [{"regex": "y"}, {}]}},
		"body": {}
	}`))
	require.NoError(t, err)
	require.Equal(t, pact.MatchingRules{
		"path":   {"": {Matchers: []pact.Matcher{{Type: "regex", Attrs: map[string]any{"regex": "/a"}}}}},
		"status": {"": {Matchers: []pact.Matcher{{Type: "statusCode", Attrs: map[string]any{"status": "success"}}}}},
		"header": {
			"A": {Matchers: []pact.Matcher{{Type: "type"}}},
			"B": {Matchers: []pact.Matcher{{Type: "regex", Attrs: map[string]any{"regex": "x"}}}},
			"C": {Combine: "OR", Matchers: []pact.Matcher{{Type: "regex", Attrs: map[string]any{"regex": "y"}}, {Type: "type"}}},
		},
		"body": {},
	}, rules)
}

func TestParseRuleListsOfVariants(t *testing.T) {
	t.Parallel()
	rules, err := pact.ParseMatchingRules([]byte(`{"body": {"$.actions": {"matchers": [{"match": "arrayContains", "variants": [{"index": 0, "rules": {"$.name": {"combine": "AND", "matchers": [{"match": "regex", "regex": "add"}]}}, "generators": {}}]}]}}}`))
	require.NoError(t, err)
	m := rules["body"]["$.actions"].Matchers[0]
	variant := m.Attrs["variants"].([]any)[0].(map[string]any)
	require.Equal(t, json.Number("0"), variant["index"])
	lists, err := pact.ParseRuleLists(variant["rules"])
	require.NoError(t, err)
	require.Equal(t, map[string]pact.RuleList{"$.name": {Combine: "AND", Matchers: []pact.Matcher{{Type: "regex", Attrs: map[string]any{"regex": "add"}}}}}, lists)
	_, err = pact.ParseRuleLists([]any{1})
	require.Error(t, err)
}

func TestParseGeneratorsForms(t *testing.T) {
	t.Parallel()
	gens, err := pact.ParseGenerators([]byte(`{"path": {"type": "Uuid"}, "header": {"type": {"type": "RandomInt"}}, "body": {"$.a": {"type": "RandomString", "size": 3}}}`))
	require.NoError(t, err)
	require.Equal(t, pact.Generators{
		"path":   {"": {Type: "Uuid"}},
		"header": {"type": {Type: "RandomInt"}},
		"body":   {"$.a": {Type: "RandomString", Attrs: map[string]any{"size": json.Number("3")}}},
	}, gens)
}
