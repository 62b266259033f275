package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/web"
	"github.com/stretchr/testify/require"
)

// bigPact is a V3 pact with n HTTP interactions, each with a JSON body and
// a few rules.
func bigPact(tb testing.TB, n int) []byte {
	tb.Helper()
	var ixs []map[string]any
	for i := range n {
		ixs = append(ixs, map[string]any{
			"description":   fmt.Sprintf("get item %d", i),
			"providerState": "items exist",
			"request":       map[string]any{"method": "GET", "path": fmt.Sprintf("/items/%d", i), "headers": map[string]any{"Accept": "application/json"}},
			"response": map[string]any{
				"status":  200,
				"headers": map[string]any{"Content-Type": "application/json"},
				"body":    map[string]any{"id": i, "name": "item", "tags": []any{"a", "b"}, "price": 1.5},
				"matchingRules": map[string]any{"body": map[string]any{
					"$.id":   map[string]any{"matchers": []any{map[string]any{"match": "integer"}}},
					"$.name": map[string]any{"matchers": []any{map[string]any{"match": "regex", "regex": "[a-z]+"}}},
					"$.tags": map[string]any{"matchers": []any{map[string]any{"match": "type", "min": 1}}},
				}},
			},
		})
	}
	b, err := json.Marshal(map[string]any{
		"consumer": map[string]any{"name": "Big"}, "provider": map[string]any{"name": "Orders"},
		"interactions": ixs, "metadata": map[string]any{"pactSpecification": map[string]any{"version": "3.0.0"}},
	})
	require.NoError(tb, err)
	return b
}

// BenchmarkContractPage renders a 200-interaction pact as documentation.
func BenchmarkContractPage(b *testing.B) {
	s := mustStore(b)
	mustPublish(b, s, "Big", "1", "main", nil, map[string][]byte{"Orders": bigPact(b, 200)})
	benchPage(b, s, "/pacts/provider/Orders/consumer/Big/version/1")
}

// BenchmarkIndexPage renders the integrations page for 50 integrations.
func BenchmarkIndexPage(b *testing.B) {
	s := mustStore(b)
	for i := range 50 {
		consumer := fmt.Sprintf("Web%02d", i)
		pact := fmt.Appendf(nil, `{"consumer": {"name": %q}, "provider": {"name": "Billing"},
			"interactions": [{"description": "get an invoice", "request": {"method": "GET", "path": "/invoices/%d"}, "response": {"status": 200}}],
			"metadata": {"pactSpecification": {"version": "3.0.0"}}}`, consumer, i)
		shas := mustPublish(b, s, consumer, "1", "main", nil, map[string][]byte{"Billing": pact})
		mustVerify(b, s, consumer, "Billing", shas["Billing"], "b-1", i%3 != 0)
	}
	benchPage(b, s, "/")
}

// benchPage measures rendering the page at path of s's web view for a
// browser.
func benchPage(b *testing.B, s broker.Store, path string) {
	h := web.NewHandler(s, web.Options{Now: func() time.Time { return viewNow }})
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept", browserAccept)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
