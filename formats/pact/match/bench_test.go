package match_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/match"
)

func mustMatchData(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "testdata", "match", name))
	require.NoError(tb, err)
	return data
}

// orderResponses is a realistic ~2 KB order document with a dozen rules, and
// a provider response that differs in values but satisfies the rules.
func orderResponses(tb testing.TB) (*pact.Response, *pact.Response) {
	tb.Helper()
	exp := &pact.Response{
		Status:  200,
		Headers: pact.Headers{"Content-Type": {"application/json"}},
		Body:    pact.Body{State: pact.BodyPresent, Content: mustMatchData(tb, "order.json"), ContentType: "application/json"},
		Rules:   mustRulesJSON(tb, mustMatchData(tb, "order-rules.json")),
	}
	act := &pact.Response{
		Status:  200,
		Headers: pact.Headers{"Content-Type": {"application/json; charset=utf-8"}, "Date": {"Wed, 25 Nov 2026 10:00:00 GMT"}},
		Body:    pact.Body{State: pact.BodyPresent, Content: mustMatchData(tb, "order-actual.json")},
	}
	return exp, act
}

func TestOrderResponse(t *testing.T) {
	t.Parallel()
	exp, act := orderResponses(t)
	require.Empty(t, match.Response(exp, act), "the benchmark's response satisfies its rules")

	bad := *act
	bad.Body.Content = []byte(`{"id": 1.5, "status": "LOST", "createdAt": "yesterday", "shipDate": "2026-11-27",
		"customer": {"id": 1, "name": "x", "email": "nope", "phone": "", "address": {}},
		"items": [], "total": "12", "currency": "GBP", "notes": null, "links": {"self": "ftp://x"}}`)
	got := match.Response(exp, &bad)
	for _, w := range []want{
		{"$.id", "Expected 1.5 (Decimal) to be an integer"},
		{"$.status", "Expected 'LOST' to match 'PENDING|SHIPPED|DELIVERED'"},
		{"$.createdAt", "Expected 'yesterday' to match a timestamp pattern of 'yyyy-MM-dd'T'HH:mm:ss.SSSXXX'"},
		{"$.customer.id", "Expected 1 (Integer) to be the same type as 'c-8812' (String)"},
		{"$.customer.email", `Expected 'nope' to match '[^@]+@[^@]+\.[a-z]+'`},
		{"$.customer.address", "Actual map is missing the following keys: city, country, postcode, street"},
		{"$.items", "Expected [] (size 0) to have minimum size of 1"},
		{"$.total", "Expected '12' (String) to be a number"},
		{"$.links.self", "Expected 'ftp://x' to match 'https://.*'"},
	} {
		requireContains(t, got, w)
	}
}

func BenchmarkResponse(b *testing.B) {
	exp, act := orderResponses(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(act.Body.Content)))
	for b.Loop() {
		if got := match.Response(exp, act); len(got) != 0 {
			b.Fatal(dump(got))
		}
	}
}
