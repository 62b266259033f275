package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

const ordersPact = "../../testdata/verify/orders/pact.json"

// stateLog records the provider state change calls ("setup:state") a test
// provider receives.
type stateLog struct {
	mu     sync.Mutex
	states []string
}

// record logs the state change call in r's body.
func (l *stateLog) record(r *http.Request) {
	var c struct{ State, Action string }
	_ = json.NewDecoder(r.Body).Decode(&c)
	l.mu.Lock()
	l.states = append(l.states, c.Action+":"+c.State)
	l.mu.Unlock()
}

// seen returns the state change calls recorded so far.
func (l *stateLog) seen() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.states...)
}

// orderProvider is a minimal provider honouring testdata/verify/orders
// (totals as strings when broken). It records the Authorization headers
// and the state change calls it receives.
type orderProvider struct {
	stateLog
	broken bool
	auth   []string // guarded by stateLog.mu
}

func mustStartOrderProvider(tb testing.TB, p *orderProvider) *httptest.Server {
	tb.Helper()
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, status int, body string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
	mux.HandleFunc("POST /_pact/state", func(_ http.ResponseWriter, r *http.Request) { p.record(r) })
	mux.HandleFunc("GET /orders/1", func(w http.ResponseWriter, r *http.Request) {
		if p.broken {
			reply(w, 200, `{"id": 1, "status": "open", "items": [{"sku": "A-1", "quantity": 2}], "total": "19.98"}`)
			return
		}
		reply(w, 200, `{"id": 1, "status": "open", "items": [{"sku": "A-1", "quantity": 2}], "total": 19.98}`)
	})
	mux.HandleFunc("GET /orders/999", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(404) })
	mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) { reply(w, 201, `{"id": 7, "status": "open"}`) })
	mux.HandleFunc("GET /orders", func(w http.ResponseWriter, r *http.Request) { reply(w, 200, `[{"id": 1, "status": "open"}]`) })
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.auth = append(p.auth, r.Header.Get("Authorization"))
		p.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// runCLI runs the CLI in-process with environment vars and returns the
// exit code, stdout and stderr.
func runCLI(ctx context.Context, vars map[string]string, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(k string) string { return vars[k] }})
	return code, stdout.String(), stderr.String()
}

func TestVerifyCommandPasses(t *testing.T) {
	p := &orderProvider{}
	srv := mustStartOrderProvider(t, p)
	dir := t.TempDir()
	code, stdout, stderr := runCLI(context.Background(), nil, "verify", ordersPact,
		"--provider-base-url", srv.URL, "--provider-states-setup-url", srv.URL+"/_pact/state",
		"--custom-provider-header", "Authorization: Bearer abc",
		"--json", filepath.Join(dir, "report.json"), "--junit", filepath.Join(dir, "report.xml"))
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	require.Contains(t, stdout, "Verifying a pact between order-web and order-service")
	require.Contains(t, stdout, "Verification passed: 4 interactions, 4 passed")

	require.Len(t, p.seen(), 8) // setup and teardown for each interaction

	var report struct {
		Success bool `json:"success"`
		Pacts   []struct {
			Interactions []struct{ Status string }
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &report))
	require.True(t, report.Success)
	require.Len(t, report.Pacts[0].Interactions, 4)
	junit, err := os.ReadFile(filepath.Join(dir, "report.xml"))
	require.NoError(t, err)
	require.Contains(t, string(junit), `<testsuite name="order-web -&gt; order-service" tests="4" failures="0"`)
}

func TestVerifyCommandSendsCustomHeaders(t *testing.T) {
	p := &orderProvider{}
	srv := mustStartOrderProvider(t, p)
	code, stdout, stderr := runCLI(context.Background(), nil, "verify", ordersPact, "--provider-base-url", srv.URL,
		"--custom-provider-header", "Authorization: Bearer abc", "--filter-no-state")
	require.Equal(t, exitOK, code, stdout+stderr)
	p.mu.Lock()
	defer p.mu.Unlock()
	require.Equal(t, []string{"Bearer abc", "Bearer abc"}, p.auth)
}

func TestVerifyCommandFails(t *testing.T) {
	srv := mustStartOrderProvider(t, &orderProvider{broken: true})
	code, stdout, stderr := runCLI(context.Background(), nil, "verify", ordersPact, "--provider-base-url", srv.URL)
	require.Equal(t, exitNo, code, stderr)
	require.Contains(t, stdout, "Body had differences")
	require.Contains(t, stdout, "Verification FAILED: 4 interactions, 3 passed, 1 failed")
	require.Empty(t, stderr)
}

func TestVerifyCommandFromEnvironment(t *testing.T) {
	p := &orderProvider{broken: true}
	srv := mustStartOrderProvider(t, p)
	// PACT_DESCRIPTION filters out the broken interaction; the base URL comes from the environment.
	code, stdout, stderr := runCLI(context.Background(), map[string]string{
		"CONTRACTS_PROVIDER_BASE_URL":         srv.URL,
		"CONTRACTS_PROVIDER_STATES_SETUP_URL": srv.URL + "/_pact/state",
		"PACT_DESCRIPTION":                    "missing|create",
	}, "verify", ordersPact)
	require.Equal(t, exitOK, code, stdout+stderr)
	require.Contains(t, stdout, "2 passed, 0 failed, 0 pending, 2 skipped")
	require.Equal(t, []string{"setup:no orders exist", "teardown:no orders exist", "setup:", "teardown:"}, p.seen())

	// A flag overrides the environment.
	code, stdout, _ = runCLI(context.Background(), map[string]string{"CONTRACTS_PROVIDER_BASE_URL": "http://127.0.0.1:1"},
		"verify", ordersPact, "--provider-base-url", srv.URL, "--filter-state", "^an order")
	require.Equal(t, exitNo, code)
	require.Contains(t, stdout, "Body had differences")
}

func TestVerifyCommandJSONToStdout(t *testing.T) {
	srv := mustStartOrderProvider(t, &orderProvider{})
	code, stdout, stderr := runCLI(context.Background(), nil, "verify", ordersPact, "--provider-base-url", srv.URL, "--json", "-")
	require.Equal(t, exitOK, code, stderr)
	var report map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &report), stdout)
	require.Equal(t, true, report["success"])
	require.Contains(t, stderr, "Verification passed")
}

func TestVerifyCommandCannotRun(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no base URL", []string{"verify", ordersPact}, "--provider-base-url is required"},
		{"no pacts", []string{"verify", "--provider-base-url", "http://127.0.0.1:1"}, "no pacts to verify"},
		{"missing file", []string{"verify", "nope.json", "--provider-base-url", "http://127.0.0.1:1"}, "nope.json"},
		{"bad header", []string{"verify", ordersPact, "--provider-base-url", "http://127.0.0.1:1", "--custom-provider-header", "oops"}, "--custom-provider-header"},
		{"bad regex", []string{"verify", ordersPact, "--provider-base-url", "http://127.0.0.1:1", "--filter-description", "("}, "--filter-description"},
		{"bad URL", []string{"verify", ordersPact, "--provider-base-url", "localhost"}, `--provider-base-url "localhost" has no scheme`},
		{"not an HTTP URL", []string{"verify", ordersPact, "--provider-base-url", "ftp://localhost"}, "provider base URL"},
		{"states URL without scheme", []string{"verify", ordersPact, "--provider-base-url", "http://127.0.0.1:1", "--provider-states-setup-url", "127.0.0.1:1/state"}, `--provider-states-setup-url "127.0.0.1:1/state" has no scheme`},
		{"bad concurrency", []string{"verify", ordersPact, "--provider-base-url", "http://127.0.0.1:1", "--concurrency", "0"}, "--concurrency"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(context.Background(), nil, tc.args...)
			require.Equal(t, exitCantTell, code, stderr)
			require.Contains(t, stderr, tc.want)
		})
	}
}

func TestVerifyCommandURLSource(t *testing.T) {
	data, err := os.ReadFile(ordersPact)
	require.NoError(t, err)
	broker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer abc" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = w.Write(data)
	}))
	t.Cleanup(broker.Close)
	srv := mustStartOrderProvider(t, &orderProvider{})
	code, stdout, stderr := runCLI(context.Background(), nil, "verify", broker.URL+"/pact", "--provider-base-url", srv.URL,
		"--custom-provider-header", "Authorization: Bearer abc")
	require.Equal(t, exitOK, code, stdout+stderr)
	require.Contains(t, stdout, "Source: "+broker.URL+"/pact")

	code, _, stderr = runCLI(context.Background(), nil, "verify", broker.URL+"/pact", "--provider-base-url", srv.URL)
	require.Equal(t, exitCantTell, code)
	require.Contains(t, stderr, "401")
}

func TestVerifyCommandThroughRun(t *testing.T) {
	// Run reads the real environment: keep a CI runner's own settings (this
	// repository's CI may be GitHub Actions) out of the test.
	for _, name := range []string{"GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "CONTRACTS_PROVIDER_BASE_URL", "PACT_BROKER_BASE_URL"} {
		t.Setenv(name, "")
	}
	srv := mustStartOrderProvider(t, &orderProvider{})
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"verify", ordersPact, "--provider-base-url", srv.URL, "--filter-no-state"},
		strings.NewReader(""), &stdout, &stderr)
	require.Equal(t, exitOK, code, stderr.String())
	require.Contains(t, stdout.String(), "Verification passed: 4 interactions, 2 passed, 0 failed, 0 pending, 2 skipped")
}
