package mock_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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

// reportCPU reports the process's CPU time per operation since start (GC
// and every goroutine included) as cpu-ns/op, where it can be measured.
func reportCPU(b *testing.B, start time.Duration) {
	b.StopTimer()
	if cpu := processCPU() - start; start > 0 && cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkServeHTTP serves one request per iteration, spread over the
// pact's interactions, in process (no network): the time per request
// should not grow with the number of interactions. cpu-ns/op is the CPU
// the process used per request, steadier than ns/op on a busy machine.
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
			cpu := processCPU()
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
			reportCPU(b, cpu)
		})
	}
}

// benchSharedPact is a V3 pact of n interactions shaped like the mock
// benchmark's (testdata/bench/provider): in turn a GET on its own path, a
// GET and a POST on two paths every such interaction shares and that differ
// by query, a PUT with a JSON body, a DELETE and a GET with a repeated query
// parameter. It returns the requests that exercise each interaction.
func benchSharedPact(tb testing.TB, n int) (*pact.Pact, []*http.Request) {
	tb.Helper()
	var b strings.Builder
	b.WriteString(`{"consumer":{"name":"c"},"provider":{"name":"p"},"metadata":{"pactSpecification":{"version":"3.0.0"}},"interactions":[`)
	reqs := make([]*http.Request, n)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		var req string
		var r *http.Request
		switch i % 6 {
		case 0:
			req = fmt.Sprintf(`"method":"GET","path":"/api/v1/users/%d","headers":{"Accept":"application/json"}`, i)
			r = httptest.NewRequest(http.MethodGet, fmt.Sprintf("/api/v1/users/%d", i), nil)
			r.Header.Set("Accept", "application/json")
		case 1:
			req = fmt.Sprintf(`"method":"GET","path":"/api/v1/orders","query":{"customer":["%d"],"status":["open"],"page":["%d"]},`+
				`"headers":{"Accept":"application/json","X-Correlation-Id":"bench-%d"}`, 5000+i, 1+i%5, i)
			r = httptest.NewRequest(http.MethodGet, fmt.Sprintf("/api/v1/orders?customer=%d&page=%d&status=open", 5000+i, 1+i%5), nil)
			r.Header.Set("Accept", "application/json")
			r.Header.Set("X-Correlation-Id", fmt.Sprintf("bench-%d", i))
		case 2:
			body := fmt.Sprintf(`{"cart":%d,"currency":"EUR","lines":[{"sku":"SKU-%06d","qty":%d}]}`, i, i, 1+i%4)
			req = fmt.Sprintf(`"method":"POST","path":"/api/v1/orders","query":{"cart":["%d"]},`+
				`"headers":{"Content-Type":"application/json","Authorization":"Bearer token-1234"},"body":%s`, i, body)
			r = httptest.NewRequest(http.MethodPost, fmt.Sprintf("/api/v1/orders?cart=%d", i), strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Authorization", "Bearer token-1234")
		case 3:
			body := fmt.Sprintf(`{"name":"Widget %d","price":%d.25,"tags":["blue","small"]}`, i, i)
			req = fmt.Sprintf(`"method":"PUT","path":"/api/v1/products/%d","headers":{"Content-Type":"application/json"},"body":%s`, i, body)
			r = httptest.NewRequest(http.MethodPut, fmt.Sprintf("/api/v1/products/%d", i), strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
		case 4:
			req = fmt.Sprintf(`"method":"DELETE","path":"/api/v1/sessions/s-%d","headers":{"Authorization":"Bearer token-1234"}`, i)
			r = httptest.NewRequest(http.MethodDelete, fmt.Sprintf("/api/v1/sessions/s-%d", i), nil)
			r.Header.Set("Authorization", "Bearer token-1234")
		default:
			req = fmt.Sprintf(`"method":"GET","path":"/api/v1/reports/%d/summary","query":{"from":["2024-01-01"],"to":["2024-01-31"],"group":["day","region"]}`, i)
			r = httptest.NewRequest(http.MethodGet, fmt.Sprintf("/api/v1/reports/%d/summary?from=2024-01-01&group=day&group=region&to=2024-01-31", i), nil)
		}
		fmt.Fprintf(&b, `{"description":"interaction %d","request":{%s},`+
			`"response":{"status":200,"headers":{"Content-Type":"application/json"},"body":{"id":%d,"name":"item"},`+
			`"matchingRules":{"body":{"$.name":{"matchers":[{"match":"type"}]}}}}}`, i, req, i)
		reqs[i] = r
	}
	b.WriteString(`]}`)
	p, err := pact.Parse([]byte(b.String()))
	require.NoError(tb, err)
	return p, reqs
}

// BenchmarkServeHTTPShared is BenchmarkServeHTTP on benchSharedPact: a
// third of the requests go to the two paths that a third of the
// interactions share.
//
//	go test ./verify/mock -run '^$' -bench ServeHTTPShared
func BenchmarkServeHTTPShared(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			p, reqs := benchSharedPact(b, n)
			srv := mock.New([]*pact.Pact{p}, mock.Options{})
			bodies := make([]string, n)
			for i, r := range reqs {
				if r.Body != nil {
					data, err := io.ReadAll(r.Body)
					require.NoError(b, err)
					bodies[i] = string(data)
				}
			}
			cpu := processCPU()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					k := (i * 7919) % n
					r := reqs[k].Clone(reqs[k].Context())
					r.Body = io.NopCloser(strings.NewReader(bodies[k]))
					w := httptest.NewRecorder()
					srv.ServeHTTP(w, r)
					if w.Code >= 500 {
						b.Errorf("interaction %d: status %d: %s", k, w.Code, w.Body)
						return
					}
					i++
				}
			})
			reportCPU(b, cpu)
		})
	}
}
