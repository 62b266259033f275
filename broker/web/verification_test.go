package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/server"
	"github.com/contracts-dev/contracts/broker/web"
	"github.com/contracts-dev/contracts/verify"
)

func mustVerifyWith(tb testing.TB, s broker.Store, consumer, provider, sha, providerVersion string, ok bool, results []byte) broker.Verification {
	tb.Helper()
	v, err := s.PublishVerification(context.Background(), broker.VerificationInput{
		Consumer: consumer, Provider: provider, PactSHA: sha, ProviderVersion: providerVersion, Success: ok,
		TestResults: results, VerifiedBy: json.RawMessage(`{"implementation":"contracts","version":"0.1.0"}`),
	})
	require.NoError(tb, err)
	return v
}

func TestVerificationPage(t *testing.T) {
	s := mustWorld(t)
	srv := mustServe(t, s, web.Options{})
	p, err := s.GetPact(context.Background(), "Web", "Orders", "1.0.0")
	require.NoError(t, err)

	// What this project's verifier publishes.
	ours, err := json.Marshal(verify.VerificationResult{TestResults: []verify.TestResult{
		{InteractionID: "k1", InteractionDescription: "get order 42", Success: false, Mismatches: []verify.BrokerMismatch{
			{Attribute: "body", Identifier: "$.total", Description: "expected a decimal number, got a string", Expected: "19.99", Actual: `"19.99"`},
			{Attribute: "status", Description: "expected status 200, got 500", Expected: "200", Actual: "500"},
		}},
		{InteractionID: "k2", InteractionDescription: "an order shipped event", Success: false, Exceptions: []verify.BrokerException{{Message: "provider state \"order 42 was shipped\": state change failed: <b>boom</b>"}}},
		{InteractionID: "k3", InteractionDescription: "price quote request", Success: true},
	}}.TestResults)
	require.NoError(t, err)
	v := mustVerifyWith(t, s, "Web", "Orders", p.SHA, "o-102", false, ours)

	html := mustPage(t, srv.URL+"/pacts/provider/Orders/consumer/Web/pact-version/"+p.SHA+"/verification-results/latest")
	require.Contains(t, html, "Verification 3 by")
	require.Contains(t, html, "2 failed interactions")
	failed := between(t, html, "2 failed interactions", "1 passed interaction")
	require.Contains(t, failed, `href="/pacts/provider/Orders/consumer/Web/pact-version/`+p.SHA+`#interaction-1">get order 42</a>`, "links the interaction in the pact")
	require.Contains(t, rowWith(t, failed, "$.total"), "expected a decimal number, got a string")
	require.Contains(t, rowWith(t, failed, "$.total"), "&#34;19.99&#34;")
	require.Contains(t, rowWith(t, failed, "expected status 200, got 500"), "500")
	require.Contains(t, failed, "state change failed: &lt;b&gt;boom&lt;/b&gt;", "escaped")
	require.Contains(t, between(t, html, "1 passed interaction", "</main>"), "price quote request")
	require.Contains(t, html, "contracts 0.1.0")
	require.Equal(t, html, mustPage(t, srv.URL+"/pacts/provider/Orders/consumer/Web/pact-version/"+p.SHA+"/verification-results/3"))
	require.Contains(t, html, `href="/pacts/provider/Orders/consumer/Web/pact-version/`+p.SHA+`/verification-results/3?format=json"`, "JSON link")

	// The matrix links each verification to its page.
	matrix := mustPage(t, srv.URL+"/matrix/provider/Orders/consumer/Web")
	require.Contains(t, rowWith(t, matrix, "o-102"), `href="/pacts/provider/Orders/consumer/Web/pact-version/`+p.SHA+`/verification-results/3"`)
	require.Equal(t, 3, v.Number)

	t.Run("the Ruby verifier's shape", func(t *testing.T) {
		ruby := `{"tests":[{"testDescription":"has status 200","interactionDescription":"get order 42","status":"failed","exception":{"message":"expected 200, got 404","class":"RSpec::Expectations::ExpectationNotMetError"}},{"testDescription":"has a body","interactionDescription":"get order 42","status":"passed"}],"summary":{"testCount":2,"failureCount":1}}`
		v := mustVerifyWith(t, s, "Web", "Orders", p.SHA, "o-103", false, []byte(ruby))
		html := mustPage(t, srv.URL+"/pacts/provider/Orders/consumer/Web/pact-version/"+p.SHA+"/verification-results/"+itoa(v.Number))
		require.Contains(t, html, "1 failed interaction")
		require.Contains(t, html, "expected 200, got 404")
	})
	t.Run("no test results", func(t *testing.T) {
		v := mustVerifyWith(t, s, "Web", "Orders", p.SHA, "o-104", false, nil)
		html := mustPage(t, srv.URL+"/pacts/provider/Orders/consumer/Web/pact-version/"+p.SHA+"/verification-results/"+itoa(v.Number))
		require.Contains(t, html, "The verifier published no test results")
	})
	t.Run("an unknown shape is shown as published", func(t *testing.T) {
		v := mustVerifyWith(t, s, "Web", "Orders", p.SHA, "o-105", false, []byte(`{"odd":"<shape>"}`))
		html := mustPage(t, srv.URL+"/pacts/provider/Orders/consumer/Web/pact-version/"+p.SHA+"/verification-results/"+itoa(v.Number))
		require.Contains(t, html, "a shape this page does not know")
		require.Contains(t, html, "&lt;shape&gt;")
	})
	t.Run("not found and bad numbers", func(t *testing.T) {
		status, _ := mustGet(t, srv.URL+"/pacts/provider/Orders/consumer/Web/pact-version/"+p.SHA+"/verification-results/99")
		require.Equal(t, http.StatusNotFound, status)
		status, body := mustGet(t, srv.URL+"/pacts/provider/Orders/consumer/Web/pact-version/"+p.SHA+"/verification-results/x")
		require.Equal(t, http.StatusBadRequest, status)
		require.Contains(t, body, "verification number")
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestOfficialVerifierFailureShown publishes a failed verification with
// the official Pact verifier (Rust) and reads its mismatches on the
// verification page.
func TestOfficialVerifierFailureShown(t *testing.T) {
	cli := os.Getenv("CONTRACTS_PACT_CLI")
	if cli == "" {
		t.Skip("CONTRACTS_PACT_CLI is not set: the official Pact CLI is not installed (scripts/install-tools.sh)")
	}
	s := mustStore(t)
	api := server.New(s, server.Config{Frontend: func(api http.Handler) http.Handler {
		return web.Negotiate(api, web.NewHandler(s, web.Options{Fallback: api}))
	}})
	b := httptest.NewServer(api)
	t.Cleanup(b.Close)
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte(`{"ok":"nope"}`))
	}))
	t.Cleanup(provider.Close)
	pu, err := url.Parse(provider.URL)
	require.NoError(t, err)
	pactDoc := `{"consumer":{"name":"web"},"provider":{"name":"api"},"interactions":[{"description":"get the thing","request":{"method":"GET","path":"/thing"},"response":{"status":200,"headers":{"Content-Type":"application/json"},"body":{"ok":true}}}],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "web-api.json"), []byte(pactDoc), 0o644))
	run := func(args ...string) string {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, cli, args...)
		cmd.Env = append(os.Environ(), "PACT_BROKER_BASE_URL="+b.URL, "PACT_DO_NOT_TRACK=true")
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	out := run("broker", "publish", dir, "--consumer-app-version", "1.0.0", "--branch", "main")
	require.Contains(t, out, "Pact published")
	out = run("verifier", "--hostname", pu.Hostname(), "--port", pu.Port(), "--provider-name", "api",
		"--broker-url", b.URL, "--publish", "--provider-version", "9", "--provider-branch", "main")
	p, err := s.GetPact(context.Background(), "web", "api", "1.0.0")
	require.NoError(t, err)
	v, err := s.LatestVerification(context.Background(), "web", "api", p.SHA)
	require.NoError(t, err, "the verifier published a result:\n%s", out)
	require.False(t, v.Success)

	html := mustPage(t, b.URL+"/pacts/provider/api/consumer/web/pact-version/"+p.SHA+"/verification-results/latest")
	require.Contains(t, html, "1 failed interaction", "test results as published: %s", v.TestResults)
	failed := between(t, html, "1 failed interaction", "</main>")
	require.Contains(t, failed, "get the thing")
	require.Contains(t, failed, "418", "the status mismatch: %s", v.TestResults)
	require.Contains(t, failed, "$.ok", "the body mismatch: %s", v.TestResults)
}
