package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/server"
)

// mustDeadURL returns the URL of a loopback port where nothing listens.
func mustDeadURL(tb testing.TB) string {
	tb.Helper()
	dead := httptest.NewServer(http.NotFoundHandler())
	u := dead.URL
	dead.Close()
	return u
}

// A provider that cannot be reached at all tells nothing about the contract:
// exit 2 (could not run), and with --publish nothing is published.
func TestVerifyUnreachableProviderCannotRun(t *testing.T) {
	ctx := context.Background()
	b := mustStartE2EBroker(t, server.AuthConfig{WriteToken: "w-tok"})
	b.mustPublish(t, "web", "web", "1.0.0", "main")
	dead := mustDeadURL(t)

	code, stdout, stderr := runCLI(ctx, b.vars(), "verify", "--provider", "inventory", "--provider-base-url", dead,
		"--provider-app-version", "3.0.0", "--provider-version-branch", "main",
		"--consumer-version-selectors", `{"mainBranch":true}`, "--enable-pending", "--publish")
	require.Equal(t, exitCantTell, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	require.Contains(t, stderr, "the provider could not be reached")
	require.Contains(t, stderr, "connection refused")
	require.Equal(t, 1, strings.Count(stderr, dead+"/items/1"), "the URL is said once: %s", stderr)
	require.NotContains(t, stdout, "Published")
	b.requireUnverified(t, "web", "1.0.0", "inventory")
	_, err := b.Store.GetVersion(ctx, "inventory", "3.0.0")
	require.ErrorIs(t, err, broker.ErrNotFound, "no provider version was recorded")

	t.Run("pact files", func(t *testing.T) {
		code, _, stderr := runCLI(ctx, nil, "verify", e2eDir+"/web", "--provider-base-url", dead)
		require.Equal(t, exitCantTell, code, stderr)
		require.Contains(t, stderr, "none of the 2 interactions got a response")
	})
}

// Go's URL parser reads "127.0.0.1:8080" as a scheme and a path; the user
// gets the flag, the value and the fix instead.
func TestVerifyBaseURLWithoutScheme(t *testing.T) {
	code, stdout, stderr := runCLI(context.Background(), nil, "verify", e2eDir+"/web", "--provider-base-url", "127.0.0.1:8080")
	require.Equal(t, exitCantTell, code, stdout)
	require.Equal(t, "contracts: --provider-base-url \"127.0.0.1:8080\" has no scheme: give a URL such as http://127.0.0.1:8080\n", stderr)

	t.Run("from the environment", func(t *testing.T) {
		code, _, stderr := runCLI(context.Background(), map[string]string{"CONTRACTS_PROVIDER_BASE_URL": "127.0.0.1:8080"}, "verify", e2eDir+"/web")
		require.Equal(t, exitCantTell, code)
		require.Contains(t, stderr, `--provider-base-url "127.0.0.1:8080" has no scheme`)
	})
}

// An unreachable broker's error names its URL once (Go's *url.Error would
// repeat it).
func TestUnreachableBrokerURLOnce(t *testing.T) {
	dead := mustDeadURL(t)
	for _, args := range [][]string{
		{"can-i-deploy", "--pacticipant", "web", "--version", "1.0.0", "--to-environment", "production"},
		{"verify", "--provider", "inventory", "--provider-base-url", "http://127.0.0.1:1"},
		{"publish", e2eDir + "/web", "--consumer-app-version", "1.0.0", "--branch", "main"},
		{"verify", dead + "/pacts/provider/inventory/consumer/web/latest", "--provider-base-url", "http://127.0.0.1:1"},
	} {
		t.Run(args[0], func(t *testing.T) {
			code, _, stderr := runCLI(context.Background(), map[string]string{"PACT_BROKER_BASE_URL": dead}, args...)
			require.Equal(t, exitCantTell, code, stderr)
			require.Contains(t, stderr, "connection refused")
			require.Equal(t, 1, strings.Count(stderr, dead), "the broker URL is said once: %s", stderr)
		})
	}
}
