package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker/postgres"
	"github.com/contracts-dev/contracts/broker/postgres/pgtest"
	"github.com/contracts-dev/contracts/broker/sqlite"
)

// hookRequest is what the test's webhook receiver got.
type hookRequest struct {
	path, auth, body string
}

// TestWebhooksWithTheOfficialCLI runs `contracts broker` (its webhook
// worker included) on each store and drives it with the official Pact
// CLI: webhooks are created (by name and by label), updated and
// test-executed, and a publication runs them against a real receiver on
// loopback (allow-listed).
func TestWebhooksWithTheOfficialCLI(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "contracts.db")
		testWebhooksWithTheOfficialCLI(t, map[string]string{"CONTRACTS_DB": db}, func() (brokerStore, error) { return sqlite.Open(db) })
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := pgtest.Start(t).NewDatabase(t)
		testWebhooksWithTheOfficialCLI(t, map[string]string{"CONTRACTS_DATABASE_URL": dsn}, func() (brokerStore, error) {
			return postgres.Open(context.Background(), dsn, postgres.Options{})
		})
	})
}

// testWebhooksWithTheOfficialCLI runs the broker with the store that
// storeVars select; reopen opens that store once the broker has stopped.
func testWebhooksWithTheOfficialCLI(t *testing.T, storeVars map[string]string, reopen func() (brokerStore, error)) {
	got := make(chan hookRequest, 20)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- hookRequest{path: r.URL.RequestURI(), auth: r.Header.Get("Authorization"), body: string(b)}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer rcv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	stderr := &lockedBuffer{}
	vars := map[string]string{
		"CONTRACTS_BASIC_AUTH_USERNAME":   "ci",
		"CONTRACTS_BASIC_AUTH_PASSWORD":   "s3cret",
		"CONTRACTS_WEBHOOK_DELAY":         "0s",
		"CONTRACTS_WEBHOOK_ALLOW_SCHEMES": "http",
		"CONTRACTS_WEBHOOK_ALLOW_HOSTS":   "127.0.0.1",
		"CONTRACTS_SECRET_KEY":            "a-random-secret-key-for-the-test",
	}
	for k, v := range storeVars {
		vars[k] = v
	}
	go func() {
		code := run(ctx, []string{"broker", "--addr", "127.0.0.1:0"}, &env{stdin: strings.NewReader(""), stdout: pw, stderr: stderr, getenv: func(k string) string { return vars[k] }})
		pw.Close()
		done <- code
	}()
	lines := make(chan map[string]any, 1000)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil {
				select {
				case lines <- m:
				default: // the test reads only the first lines
				}
			}
		}
		close(lines)
	}()
	var base string
	for m := range lines {
		if m["msg"] == "broker listening" {
			base = "http://" + m["addr"].(string)
			break
		}
	}
	require.NotEmpty(t, base, "stderr: %s", stderr.String())
	// wait returns the receiver's next request; the deadline only turns a
	// hang into a failure.
	wait := func() hookRequest {
		t.Helper()
		select {
		case r := <-got:
			return r
		case <-time.After(60 * time.Second):
			t.Fatalf("the receiver got no request; stderr: %s", stderr.String())
		}
		return hookRequest{}
	}

	pact := mustPactCLI(t, base, "ci", "s3cret")
	pact.mustRun(t, 0, "broker", "publish", filepath.Join(e2eDir, "web"), "--consumer-app-version", "1.0.0", "--branch", "main")

	// A webhook with a refused target is refused (400) and the CLI says so.
	code, out := pact.run(t, nil, "broker", "create-webhook", "http://169.254.169.254/latest/meta-data/", "-X", "POST",
		"--consumer", "web", "--provider", "inventory", "--contract-published")
	require.NotEqual(t, 0, code, out)

	const uuid = "3f4c1a52-8f0e-4e55-a0d1-6b2f8f9f0c11"
	out = pact.mustRun(t, 0, "broker", "create-or-update-webhook", rcv.URL+"/old", "--uuid", uuid, "-X", "POST",
		"--consumer", "web", "--provider", "inventory", "--contract-published", "--description", "notify")
	require.Contains(t, strings.ToLower(out), "webhook")
	out = pact.mustRun(t, 0, "broker", "create-or-update-webhook", rcv.URL+"/hook/${pactbroker.consumerVersionNumber}", "--uuid", uuid, "-X", "POST",
		"--header", "Authorization: Bearer hook-token", "--data", `{"consumer":"${pactbroker.consumerName}","branch":"${pactbroker.consumerVersionBranch}"}`,
		"--consumer", "web", "--provider", "inventory", "--contract-published", "--description", "notify")
	require.Contains(t, strings.ToLower(out), "webhook")
	out = pact.mustRun(t, 0, "broker", "create-webhook", rcv.URL+"/other", "-X", "POST", "--provider", "inventory", "--provider-verification-published")
	require.Contains(t, strings.ToLower(out), "webhook")

	// test-webhook follows pb:webhook and pb:execute: the webhook runs now,
	// with the latest pact.
	out = pact.mustRun(t, 0, "broker", "test-webhook", "--uuid", uuid)
	require.Contains(t, out, `"success":true`)
	require.NotContains(t, out, "hook-token", "the execute response is redacted")
	r := wait()
	require.Equal(t, "/hook/1.0.0", r.path)
	require.Equal(t, "Bearer hook-token", r.auth, "the request sent keeps its credentials")
	require.JSONEq(t, `{"consumer":"web","branch":"main"}`, r.body)

	// A webhook for a consumer label (the CLI's --consumer-label) fires for
	// the consumers labelled so when the event happens, and renders their
	// labels.
	for _, label := range []string{"frontend", "mobile"} {
		req, err := http.NewRequest(http.MethodPut, base+"/pacticipants/web/labels/"+label, nil)
		require.NoError(t, err)
		req.SetBasicAuth("ci", "s3cret")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusCreated, resp.StatusCode)
	}
	out = pact.mustRun(t, 0, "broker", "create-webhook", rcv.URL+"/labelled", "-X", "POST", "--consumer-label", "frontend",
		"--contract-published", "--data", `{"labels":"${pactbroker.consumerLabels}","provider":"${pactbroker.providerName}"}`)
	require.Contains(t, strings.ToLower(out), "webhook")

	// A publication triggers both through the worker.
	pact.mustRun(t, 0, "broker", "publish", filepath.Join(e2eDir, "web"), "--consumer-app-version", "1.0.1", "--branch", "feat/x")
	byPath := map[string]hookRequest{}
	for range 2 {
		r = wait()
		byPath[r.path] = r
	}
	require.JSONEq(t, `{"consumer":"web","branch":"feat/x"}`, byPath["/hook/1.0.1"].body)
	require.JSONEq(t, `{"labels":"frontend, mobile","provider":"inventory"}`, byPath["/labelled"].body)

	cancel()
	require.Equal(t, exitOK, <-done, stderr.String())
	select {
	case r := <-got:
		t.Fatalf("an unexpected request: %+v", r)
	default:
	}

	// The credential is encrypted at rest.
	store, err := reopen()
	require.NoError(t, err)
	defer store.Close()
	wh, err := store.GetWebhook(context.Background(), uuid)
	require.NoError(t, err)
	require.NotContains(t, string(wh.Definition), "hook-token")
	require.Contains(t, string(wh.Definition), "enc:v1:")
}
