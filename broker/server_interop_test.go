package broker_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/server"
)

// mustPactCLI returns the official Pact CLI named by CONTRACTS_PACT_CLI
// (scripts/test.sh sets it after scripts/install-tools.sh), or skips.
func mustPactCLI(t *testing.T) string {
	t.Helper()
	cli := os.Getenv("CONTRACTS_PACT_CLI")
	if cli == "" {
		t.Skip("CONTRACTS_PACT_CLI is not set: the official Pact CLI is not installed (scripts/install-tools.sh)")
	}
	if _, err := os.Stat(cli); err != nil {
		t.Skipf("CONTRACTS_PACT_CLI=%s: %v", cli, err)
	}
	return cli
}

// TestOfficialPactCLIAgainstThisBroker drives this broker with the official
// Pact CLI (its broker client and its Rust verifier): publish, environments,
// pacts for verification with results published, deployments and
// can-i-deploy.
func TestOfficialPactCLIAgainstThisBroker(t *testing.T) {
	cli := mustPactCLI(t)
	b := mustBroker(t, server.Config{Auth: server.AuthConfig{WriteToken: "interop-token"}})
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer provider.Close()
	pu, err := url.Parse(provider.URL)
	require.NoError(t, err)

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "web-api.json"), pactJSON("web", "api", "/thing"), 0o644))

	pact := func(t *testing.T, wantOK bool, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, cli, args...)
		cmd.Env = append(os.Environ(), "PACT_BROKER_BASE_URL="+b.srv.URL, "PACT_BROKER_TOKEN=interop-token", "PACT_DO_NOT_TRACK=true")
		out, err := cmd.CombinedOutput()
		if wantOK {
			require.NoError(t, err, "pact %s:\n%s", strings.Join(args, " "), out)
		} else {
			require.Error(t, err, "pact %s:\n%s", strings.Join(args, " "), out)
		}
		return string(out)
	}

	out := pact(t, true, "broker", "publish", dir, "--consumer-app-version", "1.0.0", "--branch", "main", "--tag", "dev")
	require.Contains(t, out, "Pact published for web version 1.0.0 and provider api")
	pact(t, true, "broker", "create-or-update-pacticipant", "--name", "web", "--main-branch", "main")
	out = pact(t, true, "broker", "create-environment", "--name", "prod", "--production")
	require.Contains(t, out, "prod")
	out = pact(t, true, "broker", "list-latest-pact-versions")
	require.Contains(t, out, "1.0.0")

	// Unverified: the broker cannot tell, the CLI says no.
	pact(t, false, "broker", "can-i-deploy", "--pacticipant", "web", "--version", "1.0.0", "--to-environment", "prod")

	out = pact(t, true, "verifier", "--hostname", pu.Hostname(), "--port", pu.Port(), "--provider-name", "api",
		"--broker-url", b.srv.URL, "--token", "interop-token", "--publish", "--provider-version", "5", "--provider-branch", "main",
		"--consumer-version-selectors", `{"mainBranch":true}`, "--enable-pending")
	require.Contains(t, out, "latest version of a consumer from its main branch")

	pact(t, true, "broker", "record-deployment", "--pacticipant", "api", "--version", "5", "--environment", "prod")
	out = pact(t, true, "broker", "can-i-deploy", "--pacticipant", "web", "--version", "1.0.0", "--to-environment", "prod")
	require.Contains(t, out, "Computer says yes")
	out = pact(t, true, "broker", "describe-version", "--pacticipant", "web")
	require.Contains(t, out, "1.0.0")
	out = pact(t, true, "broker", "get-pacts", "--provider", "api", "--branch", "main")
	require.Contains(t, out, b.srv.URL+"/pacts/provider/api/consumer/web/version/1.0.0")
	pact(t, true, "broker", "record-undeployment", "--pacticipant", "api", "--environment", "prod")
	pact(t, true, "broker", "record-release", "--pacticipant", "web", "--version", "1.0.0", "--environment", "prod")
	pact(t, true, "broker", "record-support-ended", "--pacticipant", "web", "--version", "1.0.0", "--environment", "prod")

	// The verification result landed where the matrix sees it.
	c := b.client(t)
	c.Token = "interop-token"
	res, err := c.CanIDeploy(context.Background(), api.CanIDeployRequest{Selectors: []broker.MatrixSelector{{Pacticipant: "web", Version: "1.0.0"}, {Pacticipant: "api", Version: "5"}}})
	require.NoError(t, err)
	require.NotNil(t, res.Summary.Deployable)
	require.True(t, *res.Summary.Deployable)
}
