package grpcmock_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/verify/mock/grpcmock"
)

// TestTermsBecomeRules checks the rules and examples terms give, at paths
// keyed by proto field names whatever names the value used.
func TestTermsBecomeRules(t *testing.T) {
	t.Parallel()
	files, imports := fullProtos(t)
	for _, tc := range []struct {
		name  string
		value map[string]any
		rules map[string]pact.Matcher
		want  map[string]any // the example, as the mock would answer it
	}{
		{
			name:  "json names become proto names",
			value: map[string]any{"createdAt": grpcmock.Timestamp("yyyy-MM-dd'T'HH:mm:ssXXX", "2024-01-02T03:04:05Z")},
			rules: map[string]pact.Matcher{"$.created_at": {Type: "timestamp", Attrs: map[string]any{"format": "yyyy-MM-dd'T'HH:mm:ssXXX"}}},
		},
		{
			name: "each like repeats the example min times",
			value: map[string]any{"items": grpcmock.EachLike(map[string]any{
				"sku": grpcmock.Regex(`^S\d$`, "S1"), "price": map[string]any{"units": grpcmock.Integer(3)},
			}, 2)},
			rules: map[string]pact.Matcher{
				"$.items":                {Type: "type", Attrs: map[string]any{"min": 2}},
				"$.items[*].sku":         {Type: "regex", Attrs: map[string]any{"regex": `^S\d$`}},
				"$.items[*].price.units": {Type: "integer"},
			},
		},
		{
			name:  "list items by index",
			value: map[string]any{"tags": []any{"a", grpcmock.Includes("b")}},
			rules: map[string]pact.Matcher{"$.tags[1]": {Type: "include", Attrs: map[string]any{"value": "b"}}},
		},
		{
			name:  "map keys",
			value: map[string]any{"labels": map[string]any{"team name": grpcmock.Like("x"), "env": grpcmock.Equal("prod")}},
			rules: map[string]pact.Matcher{"$.labels['team name']": {Type: "type"}, "$.labels.env": {Type: "equality"}},
		},
		{
			name:  "whole message like",
			value: map[string]any{"total": grpcmock.Like(map[string]any{"currency": "EUR", "units": 5})},
			rules: map[string]pact.Matcher{"$.total": {Type: "type"}},
		},
		{
			name:  "numbers and booleans",
			value: map[string]any{"items": []any{map[string]any{"quantity": grpcmock.Number(2)}}},
			rules: map[string]pact.Matcher{"$.items[0].quantity": {Type: "number"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := grpcmock.New(t, files, imports, grpcmock.Between("c", "p"))
			m.Expect("shop.v1.Orders/GetOrder").WillRespondWith(tc.value)
			p := m.Pact()
			got := p.Interactions[0].MessageResponses[0].Rules[pact.CategoryBody]
			require.Len(t, got, len(tc.rules))
			for path, want := range tc.rules {
				rl, ok := got[path]
				require.True(t, ok, "no rule at %s in %v", path, got)
				require.Len(t, rl.Matchers, 1)
				require.Equal(t, want.Type, rl.Matchers[0].Type)
				for k, v := range want.Attrs {
					require.EqualValues(t, v, rl.Matchers[0].Attrs[k], "%s %s", path, k)
				}
			}
		})
	}
}
