package match

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
)

// TestWeighAgreesWithPath pins the rule set's fast weighing to
// pact.Path.Weight and pact.Path.Matches.
func TestWeighAgreesWithPath(t *testing.T) {
	t.Parallel()
	exprs := []string{"$", "$.a", "$.a.b", "$.a[0]", "$.a[*]", "$.a[*].b", "$.*", "$.*.b", "$['a b']", "$.a[10].c", "x-test", "a.b"}
	locs := [][]string{
		{"$"}, {"$", "a"}, {"$", "a", "b"}, {"$", "a", "0"}, {"$", "a", "0", "b"}, {"$", "a", "10", "c"},
		{"$", "a b"}, {"$", "x-test"}, {"$", "b", "b"}, {"$", "a", "x"},
	}
	for _, e := range exprs {
		rs := newRuleSet(map[string]pact.RuleList{e: {Matchers: []pact.Matcher{{Type: "type"}}}})
		p, err := pact.ParsePath(e)
		require.NoError(t, err)
		for _, loc := range locs {
			w, exact := rs.rules[0].weigh(loc)
			require.Equal(t, p.Weight(loc), w, "%s at %v", e, loc)
			require.Equal(t, w > 0 && p.Matches(loc), exact, "%s at %v", e, loc)
		}
	}
}
