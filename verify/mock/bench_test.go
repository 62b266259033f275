package mock_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/verify/mock"
)

// benchPact is a V3 pact of n GET interactions on distinct paths, each
// with a header to match and a JSON response under a type rule.
func benchPact(tb testing.TB, n int) *pact.Pact {
	tb.Helper()
	var b strings.Builder
	b.WriteString(`{"consumer":{"name":"c"},"provider":{"name":"p"},"metadata":{"pactSpecification":{"version":"3.0.0"}},"interactions":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"description":"get item %d","request":{"method":"GET","path":"/items/%d","headers":{"Accept":"application/json"}},`+
			`"response":{"status":200,"headers":{"Content-Type":"application/json"},"body":{"id":%d,"name":"item"},`+
			`"matchingRules":{"body":{"$.name":{"matchers":[{"match":"type"}]}}}}}`, i, i, i)
	}
	b.WriteString(`]}`)
	p, err := pact.Parse([]byte(b.String()))
	require.NoError(tb, err)
	return p
}

// BenchmarkServeHTTP serves one request per iteration, spread over the
// pact's interactions, in process (no network): the time per request
// should not grow with the number of interactions.
//
//	go test ./verify/mock -run '^$' -bench ServeHTTP
func BenchmarkServeHTTP(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			srv := mock.New([]*pact.Pact{benchPact(b, n)}, mock.Options{})
			reqs := make([]*http.Request, n)
			for i := range reqs {
				reqs[i] = httptest.NewRequest(http.MethodGet, fmt.Sprintf("/items/%d", i), nil)
				reqs[i].Header.Set("Accept", "application/json")
			}
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					w := httptest.NewRecorder()
					srv.ServeHTTP(w, reqs[(i*7919)%n])
					if w.Code != http.StatusOK {
						b.Errorf("status %d: %s", w.Code, w.Body)
						return
					}
					i++
				}
			})
		})
	}
}
