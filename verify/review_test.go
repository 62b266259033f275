package verify_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/verify"
)

// mustReviewVerify verifies one V3 pact holding the given interactions
// (JSON array text) against base and returns the results.
func mustReviewVerify(tb testing.TB, base, interactions string) []verify.InteractionResult {
	tb.Helper()
	doc := `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":` + interactions +
		`,"metadata":{"pactSpecification":{"version":"3.0.0"}}}`
	rep, err := verify.Verify(context.Background(), verify.Config{ProviderBaseURL: base},
		[]verify.Source{{Name: "review.json", Data: []byte(doc)}})
	require.NoError(tb, err)
	require.Len(tb, rep.Pacts, 1)
	return rep.Pacts[0].Interactions
}

// A provider that gzips its answer because the pact's request asked for
// it with Accept-Encoding is compared on the decoded body, as the Pact
// verifier does.
func TestReviewGzipResponseIsDecoded(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodHead {
			w.Header().Set("Content-Encoding", "gzip")
			return
		}
		if r.Header.Get("Accept-Encoding") != "gzip" {
			_, _ = w.Write([]byte(`{"plain":true}`))
			return
		}
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write([]byte(`{"a":1}`))
		_ = zw.Close()
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(buf.Bytes())
	}))
	t.Cleanup(srv.Close)
	res := mustReviewVerify(t, srv.URL, `[
	 {"description":"gzip","request":{"method":"GET","path":"/gz","headers":{"Accept-Encoding":"gzip"}},
	  "response":{"status":200,"body":{"a":1}}},
	 {"description":"gzip mismatch","request":{"method":"GET","path":"/gz","headers":{"Accept-Encoding":"gzip"}},
	  "response":{"status":200,"body":{"a":2}}},
	 {"description":"gzip head","request":{"method":"HEAD","path":"/gz","headers":{"Accept-Encoding":"gzip"}},
	  "response":{"status":200,"headers":{"Content-Encoding":"gzip"}}}]`)
	require.Len(t, res, 3)
	require.Equal(t, verify.StatusPassed, res[2].Status, "%+v", res[2].Failures)
	require.Equal(t, verify.StatusPassed, res[0].Status, "%+v", res[0].Failures)
	require.Equal(t, verify.StatusFailed, res[1].Status)
	require.True(t, res[1].HasFailure(verify.FailureBody))
	require.Contains(t, res[1].ActualBody, `{"a":1}`, "the report shows the decoded body")
}

// A pact path mixing a percent-escape that must be kept (%2F) with a
// character that must be escaped (a space) reaches the provider with the
// escape intact, not as a second path segment.
func TestReviewPathKeepsEscapesBesideUnescapedCharacters(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.URL.EscapedPath())
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	res := mustReviewVerify(t, srv.URL+"/base/", `[
	 {"description":"mixed","request":{"method":"GET","path":"/a%2Fb c"},"response":{"status":200}},
	 {"description":"bare percent","request":{"method":"GET","path":"/100%"},"response":{"status":200}},
	 {"description":"escaped only","request":{"method":"GET","path":"/pacticipants/Pricing%20Service"},"response":{"status":200}},
	 {"description":"plain","request":{"method":"GET","path":"/a b/é"},"response":{"status":200}}]`)
	require.Len(t, res, 4)
	for _, r := range res {
		require.Equal(t, verify.StatusPassed, r.Status, "%s: %+v", r.Description, r.Failures)
	}
	mu.Lock()
	defer mu.Unlock()
	require.ElementsMatch(t, []string{"/base/a%2Fb%20c", "/base/100%25", "/base/pacticipants/Pricing%20Service", "/base/a%20b/%C3%A9"}, got)
}

// Values a state change returns keep their integer precision on their way
// into ProviderState generators: an id beyond 2^53 reaches the provider as
// returned.
func TestReviewStateValuesKeepLargeIntegers(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/state" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"id":9007199254740993}`))
			return
		}
		mu.Lock()
		got = append(got, r.URL.Path)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":9007199254740993}`))
	}))
	t.Cleanup(srv.Close)
	doc := `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[{"description":"d",
	 "providerStates":[{"name":"an order"}],
	 "request":{"method":"GET","path":"/orders/1",
	  "generators":{"path":{"type":"ProviderState","expression":"/orders/${id}","dataType":"STRING"}}},
	 "response":{"status":200}}],
	 "metadata":{"pactSpecification":{"version":"3.0.0"}}}`
	rep, err := verify.Verify(context.Background(),
		verify.Config{ProviderBaseURL: srv.URL, StateChangeURL: srv.URL + "/state"},
		[]verify.Source{{Name: "review.json", Data: []byte(doc)}})
	require.NoError(t, err)
	require.True(t, rep.Success(), "%+v", rep.Pacts[0].Interactions[0].Failures)
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, []string{"/orders/9007199254740993"}, got)
}
