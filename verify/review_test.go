package verify_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
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
