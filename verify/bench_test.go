package verify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/verify"
)

// benchPact builds a V3 pact with n interactions: a mix of GET with query,
// POST with a JSON body, and responses with nested JSON bodies under type,
// regex, integer and min-length rules.
func benchPact(tb testing.TB, n int) []byte {
	tb.Helper()
	var ins []map[string]any
	for i := range n {
		in := map[string]any{
			"description":    fmt.Sprintf("interaction %04d", i),
			"providerStates": []map[string]any{{"name": "customer exists", "params": map[string]any{"id": i}}},
		}
		body := map[string]any{
			"id": i, "name": fmt.Sprintf("customer %d", i), "email": fmt.Sprintf("c%d@example.com", i),
			"tags":    []any{"a", "b"},
			"address": map[string]any{"street": "1 Main St", "zip": "12345", "geo": map[string]any{"lat": 1.5, "lng": 2.5}},
			"orders":  []any{map[string]any{"id": 1, "total": 10.5}, map[string]any{"id": 2, "total": 3.25}},
		}
		rules := map[string]any{
			"$.id":              map[string]any{"matchers": []any{map[string]any{"match": "integer"}}},
			"$.name":            map[string]any{"matchers": []any{map[string]any{"match": "type"}}},
			"$.email":           map[string]any{"matchers": []any{map[string]any{"match": "regex", "regex": `^[^@]+@[^@]+$`}}},
			"$.tags":            map[string]any{"matchers": []any{map[string]any{"match": "type", "min": 1}}},
			"$.orders":          map[string]any{"matchers": []any{map[string]any{"match": "type", "min": 1}}},
			"$.address.zip":     map[string]any{"matchers": []any{map[string]any{"match": "regex", "regex": `^\d{5}$`}}},
			"$.address.geo.*":   map[string]any{"matchers": []any{map[string]any{"match": "decimal"}}},
			"$.orders[*].id":    map[string]any{"matchers": []any{map[string]any{"match": "integer"}}},
			"$.orders[*].total": map[string]any{"matchers": []any{map[string]any{"match": "decimal"}}},
		}
		if i%2 == 0 {
			in["request"] = map[string]any{"method": "GET", "path": "/customers/" + strconv.Itoa(i), "query": map[string]any{"expand": []string{"orders"}},
				"headers": map[string]any{"Accept": "application/json"}}
		} else {
			in["request"] = map[string]any{"method": "POST", "path": "/customers", "headers": map[string]any{"Content-Type": "application/json"},
				"body": map[string]any{"id": i, "name": fmt.Sprintf("customer %d", i)}}
		}
		in["response"] = map[string]any{
			"status":        200,
			"headers":       map[string]any{"Content-Type": "application/json"},
			"body":          body,
			"matchingRules": map[string]any{"body": rules, "header": map[string]any{"Content-Type": map[string]any{"matchers": []any{map[string]any{"match": "regex", "regex": "application/json.*"}}}}},
		}
		ins = append(ins, in)
	}
	data, err := json.Marshal(map[string]any{
		"consumer": map[string]any{"name": "bench-consumer"}, "provider": map[string]any{"name": "bench-provider"},
		"interactions": ins, "metadata": map[string]any{"pactSpecification": map[string]any{"version": "3.0.0"}},
	})
	require.NoError(tb, err)
	return data
}

// benchProvider answers every benchPact interaction with values that differ
// from the pact's examples where rules allow (so matching does real work).
func benchProvider() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/state" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		id := strings.TrimPrefix(r.URL.Path, "/customers/")
		if r.Method == http.MethodPost {
			var in struct{ ID int }
			_ = json.NewDecoder(r.Body).Decode(&in)
			id = strconv.Itoa(in.ID)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		fmt.Fprintf(w, `{"id": %s, "name": "someone %s", "email": "x%s@example.org", "tags": ["x", "y", "z"],
			"address": {"street": "1 Main St", "zip": "54321", "geo": {"lat": 48.1, "lng": 11.6}},
			"orders": [{"id": 9, "total": 1.5}]}`, id, id, id)
	})
}

func benchmarkVerify(b *testing.B, n int, withStates bool) {
	srv := httptest.NewServer(benchProvider())
	b.Cleanup(srv.Close)
	src := []verify.Source{{Name: "bench.json", Data: benchPact(b, n)}}
	cfg := verify.Config{ProviderBaseURL: srv.URL}
	if withStates {
		cfg.StateChangeURL = srv.URL + "/state"
		cfg.NoStateChangeTeardown = true
	}
	r, err := verify.Verify(context.Background(), cfg, src)
	require.NoError(b, err)
	require.True(b, r.Success(), "the bench provider must pass")
	require.Equal(b, n, r.Counts().Passed)
	b.ResetTimer()
	for b.Loop() {
		if _, err := verify.Verify(context.Background(), cfg, src); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/interaction")
}

// BenchmarkVerify1000 verifies a 1,000-interaction pact (parsing included)
// against a local Go provider, concurrently (no state change URL).
func BenchmarkVerify1000(b *testing.B) { benchmarkVerify(b, 1000, false) }

// BenchmarkVerify1000States is the same with a state change call before
// each interaction, so interactions run one at a time.
func BenchmarkVerify1000States(b *testing.B) { benchmarkVerify(b, 1000, true) }
