package pact_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
)

func TestParsePath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		want   pact.Path
		string string // String() when it differs from in
	}{
		{in: "", want: pact.Path{}},
		{in: "$", want: pact.Path{pact.Root()}},
		{in: "$.a.b", want: pact.Path{pact.Root(), pact.Field("a"), pact.Field("b")}},
		{in: "$['a b']", want: pact.Path{pact.Root(), pact.Field("a b")}},
		{in: `$["x"]`, want: pact.Path{pact.Root(), pact.Field("x")}, string: "$.x"},
		{in: "$['x']", want: pact.Path{pact.Root(), pact.Field("x")}, string: "$.x"},
		{in: "$.a[0]", want: pact.Path{pact.Root(), pact.Field("a"), pact.Index(0)}},
		{in: "$.a[12].b", want: pact.Path{pact.Root(), pact.Field("a"), pact.Index(12), pact.Field("b")}},
		{in: "$.a[*]", want: pact.Path{pact.Root(), pact.Field("a"), pact.StarIndex()}},
		{in: "$.*", want: pact.Path{pact.Root(), pact.Star()}},
		{in: "$.a.*.b", want: pact.Path{pact.Root(), pact.Field("a"), pact.Star(), pact.Field("b")}},
		{in: "$[*].id", want: pact.Path{pact.Root(), pact.StarIndex(), pact.Field("id")}},
		{in: "$.@id", want: pact.Path{pact.Root(), pact.Field("@id")}},
		{in: "$.ns:item", want: pact.Path{pact.Root(), pact.Field("ns:item")}},
		{in: "$['*']", want: pact.Path{pact.Root(), pact.Field("*")}},
		{in: `$['it\'s']`, want: pact.Path{pact.Root(), pact.Field("it's")}},
		{in: "$['a.b']", want: pact.Path{pact.Root(), pact.Field("a.b")}},
		{in: "a.b", want: pact.Path{pact.Field("a"), pact.Field("b")}},
		{in: "a[0]", want: pact.Path{pact.Field("a"), pact.Index(0)}},
		{in: "Content-Type", want: pact.Path{pact.Field("Content-Type")}},
		{in: "ids[]", want: pact.Path{pact.Field("ids[]")}},
		{in: "Accept Language", want: pact.Path{pact.Field("Accept Language")}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := pact.ParsePath(tt.in)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			want := tt.in
			if tt.string != "" {
				want = tt.string
			}
			require.Equal(t, want, got.String())
			again, err := pact.ParsePath(got.String())
			require.NoError(t, err)
			require.Equal(t, got, again)
		})
	}
}

func TestParsePathErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"$.", "$[", "$[0", "$[x]", "$['a'", "$['a'x", "$a", "$.a..b", "$[*", "$[99999999999999999999]", "$ .a"} {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			_, err := pact.ParsePath(in)
			var pe *pact.PathError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, in, pe.Expr)
		})
	}
}

func TestPathMatches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path   string
		actual []string
		exact  bool
		prefix bool
	}{
		{"$", []string{"$"}, true, true},
		{"$", []string{"$", "a"}, false, true},
		{"$.a", []string{"$", "a"}, true, true},
		{"$.a", []string{"$", "b"}, false, false},
		{"$.a", []string{"$"}, false, false},
		{"$.a.b", []string{"$", "a", "b", "c"}, false, true},
		{"$.a[0]", []string{"$", "a", "0"}, true, true},
		{"$.a[1]", []string{"$", "a", "0"}, false, false},
		{"$.a[*]", []string{"$", "a", "7"}, true, true},
		{"$.a[*]", []string{"$", "a", "x"}, false, false},
		{"$.*", []string{"$", "x"}, true, true},
		{"$.*", []string{"$", "3"}, true, true},
		{"$.*.id", []string{"$", "x", "id"}, true, true},
		{"$.*.id", []string{"$", "x", "name"}, false, false},
		{"a.b", []string{"$", "a", "b"}, true, true},
		{"a.b", []string{"a", "b"}, true, true},
		{"Content-Type", []string{"Content-Type"}, true, true},
		{"Content-Type", []string{"Accept"}, false, false},
		{"", []string{"$"}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			p, err := pact.ParsePath(tt.path)
			require.NoError(t, err)
			require.Equal(t, tt.exact, p.Matches(tt.actual), "Matches(%v)", tt.actual)
			require.Equal(t, tt.prefix, p.MatchesPrefix(tt.actual), "MatchesPrefix(%v)", tt.actual)
			require.Equal(t, tt.prefix, p.Weight(tt.actual) > 0, "Weight(%v)", tt.actual)
		})
	}
}

func TestPathWeightOrdersBySpecificity(t *testing.T) {
	t.Parallel()
	actual := []string{"$", "items", "0", "id"}
	// Each path is strictly more specific than the one before it.
	ordered := []string{"$", "$.*", "$.items", "$.items[*]", "$.items[0]", "$.items[*].id", "$.items[0].id"}
	prev := 0
	for _, s := range ordered {
		w := pact.MustParsePath(s).Weight(actual)
		require.Greater(t, w, prev, "weight of %s", s)
		prev = w
	}
	require.Equal(t, pact.MustParsePath("$.a.b").Weight([]string{"$", "a", "b"}),
		pact.MustParsePath("a.b").Weight([]string{"$", "a", "b"}), "a path without $ weighs like one with it")
	require.Zero(t, pact.MustParsePath("$.other").Weight(actual))
}

func TestPathLocation(t *testing.T) {
	t.Parallel()
	loc, err := pact.MustParsePath("$.a[2]['b c']").Location()
	require.NoError(t, err)
	require.Equal(t, []string{"$", "a", "2", "b c"}, loc)
	_, err = pact.MustParsePath("$.a[*]").Location()
	require.Error(t, err)
}
