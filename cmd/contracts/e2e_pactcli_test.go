package main

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/server"
)

// envPactCLI names the official Pact CLI binary for the end-to-end tests
// (scripts/install-tools.sh installs it as .tools/pact/bin/pact).
const envPactCLI = "CONTRACTS_PACT_CLI"

// pactCLI runs the official Pact CLI against one broker.
type pactCLI struct {
	bin  string
	home string
	vars map[string]string
}

func mustPactCLI(tb testing.TB, brokerURL, username, password string) *pactCLI {
	tb.Helper()
	bin := os.Getenv(envPactCLI)
	if bin == "" {
		tb.Skipf("%s is not set: run scripts/install-tools.sh and set %s=$PWD/.tools/pact/bin/pact", envPactCLI, envPactCLI)
	}
	if !filepath.IsAbs(bin) {
		// Relative to the repository root, where go test is usually started.
		bin = filepath.Join("..", "..", bin)
	}
	abs, err := filepath.Abs(bin)
	require.NoError(tb, err)
	_, err = os.Stat(abs)
	require.NoError(tb, err, "%s: the official Pact CLI", envPactCLI)
	return &pactCLI{bin: abs, home: tb.TempDir(), vars: map[string]string{
		"PACT_BROKER_BASE_URL": brokerURL,
		"PACT_BROKER_USERNAME": username,
		"PACT_BROKER_PASSWORD": password,
	}}
}

// run runs the CLI with args and returns its exit code and combined output.
// Only the variables it needs are passed, so none of the caller's PACT_*
// settings leak in.
func (p *pactCLI) run(tb testing.TB, vars map[string]string, args ...string) (int, string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, p.bin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + p.home, "PACT_DO_NOT_TRACK=true", "NO_COLOR=1"}
	for k, v := range p.vars {
		if _, override := vars[k]; !override {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	var xe *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &xe):
		return xe.ExitCode(), string(out)
	}
	require.NoError(tb, err, "run %s %v: %s", p.bin, args, out)
	return -1, ""
}

// mustRun runs the CLI and requires the exit code.
func (p *pactCLI) mustRun(tb testing.TB, wantCode int, args ...string) string {
	tb.Helper()
	code, out := p.run(tb, nil, args...)
	require.Equal(tb, wantCode, code, "pact %s:\n%s", strings.Join(args, " "), out)
	return out
}

// TestPactCLIAgainstBroker drives the broker on each store with the
// official Pact CLI.
func TestPactCLIAgainstBroker(t *testing.T) {
	forEachStore(t, testPactCLIAgainstBroker)
}

func testPactCLIAgainstBroker(t *testing.T, open storeOpener) {
	ctx := context.Background()
	store, err := open(nil)
	require.NoError(t, err)
	b := startE2EBroker(t, store, server.AuthConfig{WriteUsername: "ci", WritePassword: "s3cret"})
	pact := mustPactCLI(t, b.URL, "ci", "s3cret")
	provider, states := mustStartInventory(t)
	pu, err := url.Parse(provider.URL)
	require.NoError(t, err)

	// Publishing: two consumers, branches and tags.
	out := pact.mustRun(t, 0, "broker", "publish", filepath.Join(e2eDir, "web"), "--consumer-app-version", "1.0.0", "--branch", "main", "--tag", "dev")
	require.Contains(t, out, "Created web version 1.0.0 with branch main and tags dev")
	require.Contains(t, out, "Pact published for web version 1.0.0 and provider inventory")
	out = pact.mustRun(t, 0, "broker", "publish", filepath.Join(e2eDir, "mobile"), "--consumer-app-version", "2.0.0", "--branch", "main")
	require.Contains(t, out, "Pact published for mobile version 2.0.0 and provider inventory")
	v, err := b.Client.DescribeVersion(ctx, "web", "1.0.0", "")
	require.NoError(t, err)
	require.Equal(t, []string{"main"}, v.Branches)
	require.Equal(t, []string{"dev"}, v.Tags)
	p, err := b.Store.GetPact(ctx, "mobile", "inventory", "2.0.0")
	require.NoError(t, err)
	require.Contains(t, string(p.Content), `"list items"`)

	t.Run("wrong credentials are refused", func(t *testing.T) {
		code, out := pact.run(t, map[string]string{"PACT_BROKER_PASSWORD": "wrong"}, "broker", "publish", filepath.Join(e2eDir, "web"), "--consumer-app-version", "9.9.9", "--branch", "main")
		require.NotEqual(t, 0, code, out)
		require.Contains(t, out, "401")
		_, err := b.Store.GetVersion(ctx, "web", "9.9.9")
		require.ErrorIs(t, err, broker.ErrNotFound)
	})

	// Environments, versions and the latest pacts as the CLI reads them.
	out = pact.mustRun(t, 0, "broker", "create-environment", "--name", "production", "--production")
	require.Contains(t, out, "Created production environment")
	env, err := b.Store.GetEnvironmentByName(ctx, "production")
	require.NoError(t, err)
	require.True(t, env.Production)
	require.Contains(t, out, env.UUID)

	out = pact.mustRun(t, 0, "broker", "describe-version", "--pacticipant", "web", "--version", "1.0.0", "--output", "json")
	var described struct {
		Number   string `json:"number"`
		Embedded struct {
			BranchVersions []struct{ Name string } `json:"branchVersions"`
			Tags           []struct{ Name string } `json:"tags"`
		} `json:"_embedded"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &described), out)
	require.Equal(t, "1.0.0", described.Number)
	require.Len(t, described.Embedded.BranchVersions, 1)
	require.Equal(t, "main", described.Embedded.BranchVersions[0].Name)
	require.Len(t, described.Embedded.Tags, 1)
	require.Equal(t, "dev", described.Embedded.Tags[0].Name)
	out = pact.mustRun(t, 0, "broker", "describe-version", "--pacticipant", "web")
	require.Contains(t, out, "1.0.0", "the latest version of web")

	out = pact.mustRun(t, 0, "broker", "list-latest-pact-versions", "--output", "json")
	var latest struct {
		Pacts []struct {
			Embedded struct {
				Consumer struct {
					Name     string
					Embedded struct{ Version struct{ Number string } } `json:"_embedded"`
				}
				Provider struct{ Name string }
			} `json:"_embedded"`
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &latest), out)
	got := map[string]string{}
	for _, lp := range latest.Pacts {
		require.Equal(t, "inventory", lp.Embedded.Provider.Name)
		got[lp.Embedded.Consumer.Name] = lp.Embedded.Consumer.Embedded.Version.Number
	}
	require.Equal(t, map[string]string{"web": "1.0.0", "mobile": "2.0.0"}, got)
	out = pact.mustRun(t, 0, "broker", "list-latest-pact-versions")
	require.Contains(t, out, "mobile")
	require.Contains(t, out, "2.0.0")

	// The official verifier takes the pacts from the broker and publishes.
	verifier := func(t *testing.T, wantCode int, providerVersion string, extra ...string) string {
		t.Helper()
		args := append([]string{"verifier", "--broker-url", b.URL, "--provider-name", "inventory",
			"--provider-version", providerVersion, "--provider-branch", "main",
			"--consumer-version-selectors", `{"mainBranch":true}`, "--enable-pending", "--publish",
			"--hostname", pu.Hostname(), "--port", pu.Port(), "--state-change-url", provider.URL + "/_pact/state", "--no-colour"}, extra...)
		return pact.mustRun(t, wantCode, args...)
	}
	out = verifier(t, 0, "3.0.0")
	require.Contains(t, out, "Verifying a pact between web and inventory")
	require.Contains(t, out, "Verifying a pact between mobile and inventory")
	require.Contains(t, out, "latest version of a consumer from its main branch (1.0.0)", "the broker's notice is shown")
	require.NotContains(t, out, "FAILED")
	require.Contains(t, states.seen(), "setup:an item exists")
	for _, c := range []struct{ consumer, version string }{{"web", "1.0.0"}, {"mobile", "2.0.0"}} {
		ver := b.mustLatestVerification(t, c.consumer, c.version, "inventory")
		require.True(t, ver.Success, c.consumer)
		require.Equal(t, "3.0.0", ver.ProviderVersion)
		require.Contains(t, string(ver.VerifiedBy), "implementation", "the verifier names itself")
	}
	v, err = b.Client.DescribeVersion(ctx, "inventory", "3.0.0", "")
	require.NoError(t, err)
	require.Equal(t, []string{"main"}, v.Branches, "the verifier put the provider version on its branch")

	// can-i-deploy: no before the provider is in production, yes after.
	canIDeploy := func(t *testing.T, wantCode int, pacticipant, version string) string {
		t.Helper()
		return pact.mustRun(t, wantCode, "broker", "can-i-deploy", "--pacticipant", pacticipant, "--version", version, "--to-environment", "production")
	}
	out = canIDeploy(t, 1, "web", "1.0.0")
	require.Contains(t, out, "Computer says no")
	require.Contains(t, out, "no verified pact between web (1.0.0) and the version of inventory in production")

	out = pact.mustRun(t, 0, "broker", "record-deployment", "--pacticipant", "inventory", "--version", "3.0.0", "--environment", "production")
	require.Contains(t, out, "Recorded deployment of inventory version 3.0.0 to production")
	deployed, err := b.Store.ListDeployedVersions(ctx, broker.DeploymentFilter{EnvironmentUUID: env.UUID, Pacticipant: "inventory"})
	require.NoError(t, err)
	require.Len(t, deployed, 1)
	require.Equal(t, "3.0.0", deployed[0].Version)

	out = canIDeploy(t, 0, "web", "1.0.0")
	require.Contains(t, out, "Computer says yes")
	require.Contains(t, out, "verified successfully")

	t.Run("tags, can-i-merge, provider states and get-pacts", func(t *testing.T) {
		// The tag-based flow of older pipelines: consumer tags select, provider tags are set.
		out := pact.mustRun(t, 0, "verifier", "--broker-url", b.URL, "--provider-name", "inventory",
			"--provider-version", "3.0.0-tags", "--provider-tags", "prod,green", "--consumer-version-tags", "dev", "--publish",
			"--hostname", pu.Hostname(), "--port", pu.Port(), "--state-change-url", provider.URL+"/_pact/state", "--no-colour")
		require.Contains(t, out, "latest version of a consumer tagged 'dev' (1.0.0)")
		require.NotContains(t, out, "mobile", "no mobile version is tagged dev")
		v, err := b.Client.DescribeVersion(ctx, "inventory", "3.0.0-tags", "")
		require.NoError(t, err)
		require.ElementsMatch(t, []string{"prod", "green"}, v.Tags)

		out = pact.mustRun(t, 0, "broker", "can-i-merge", "--pacticipant", "web", "--version", "1.0.0")
		require.Contains(t, out, "Computer says yes", "inventory's main branch head (3.0.0) verified web 1.0.0")

		out = pact.mustRun(t, 0, "broker", "provider-states", "list", "--provider", "inventory", "--json")
		var states struct {
			ProviderStates []struct {
				Name      string
				Consumers []string
				Params    map[string]any
			} `json:"providerStates"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &states), out)
		require.Len(t, states.ProviderStates, 2, out)
		require.Equal(t, "an item exists", states.ProviderStates[0].Name)
		require.Equal(t, []string{"web"}, states.ProviderStates[0].Consumers)
		require.Equal(t, map[string]any{"id": float64(1)}, states.ProviderStates[0].Params)

		dl := t.TempDir()
		out = pact.mustRun(t, 0, "broker", "get-pacts", "--provider", "inventory", "--latest", "--download", "--download-dir", dl)
		require.Contains(t, out, "Pact between web (1.0.0) and inventory")
		data, err := os.ReadFile(filepath.Join(dl, "web-inventory-1.0.0.json"))
		require.NoError(t, err, out)
		require.Contains(t, string(data), `"get an item"`)
	})

	t.Run("a failed verification says no", func(t *testing.T) {
		pact.mustRun(t, 0, "broker", "publish", filepath.Join(e2eDir, "mobile-next"), "--consumer-app-version", "2.1.0", "--branch", "main")
		out := verifier(t, 0, "3.0.0")
		require.Contains(t, out, "Pending Failures", "the changed pact is pending: its failure does not fail the build")
		require.Contains(t, out, "discount")
		ver := b.mustLatestVerification(t, "mobile", "2.1.0", "inventory")
		require.False(t, ver.Success)
		require.Equal(t, "3.0.0", ver.ProviderVersion)

		out = canIDeploy(t, 1, "mobile", "2.1.0")
		require.Contains(t, out, "Computer says no")
		require.Contains(t, out, "failed")
	})

	t.Run("a missing verification says no until contracts verify publishes one", func(t *testing.T) {
		dir := t.TempDir()
		mustWriteFile(t, filepath.Join(dir, "web-inventory.json"), string(mustWIPPact(t)))
		pact.mustRun(t, 0, "broker", "publish", dir, "--consumer-app-version", "1.2.0", "--branch", "feat-list")
		b.requireUnverified(t, "web", "1.2.0", "inventory")
		out := canIDeploy(t, 1, "web", "1.2.0")
		require.Contains(t, out, "Computer says no")

		// Our verifier publishes, the official CLI reads the result.
		code, stdout, stderr := runCLI(ctx, map[string]string{"PACT_BROKER_BASE_URL": b.URL, "PACT_BROKER_USERNAME": "ci", "PACT_BROKER_PASSWORD": "s3cret"},
			"verify", "--provider", "inventory", "--provider-base-url", provider.URL, "--provider-states-setup-url", provider.URL+"/_pact/state",
			"--provider-app-version", "3.1.0", "--provider-version-branch", "main",
			"--consumer-version-selectors", `{"branch":"feat-list"}`, "--publish")
		require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
		require.Contains(t, stdout, "Published verification result (passed) of inventory version 3.1.0 for consumer web")
		pact.mustRun(t, 0, "broker", "record-deployment", "--pacticipant", "inventory", "--version", "3.1.0", "--environment", "production")
		out = canIDeploy(t, 0, "web", "1.2.0")
		require.Contains(t, out, "Computer says yes")
		require.Contains(t, out, "3.1.0")
	})

	t.Run("deployed and released consumers are selected, work in progress is pending", func(t *testing.T) {
		out := pact.mustRun(t, 0, "broker", "record-release", "--pacticipant", "mobile", "--version", "2.0.0", "--environment", "production")
		require.Contains(t, out, "Recorded release of mobile version 2.0.0 to production")
		pact.mustRun(t, 0, "broker", "record-deployment", "--pacticipant", "web", "--version", "1.0.0", "--environment", "production")
		out = pact.mustRun(t, 0, "verifier", "--broker-url", b.URL, "--provider-name", "inventory",
			"--provider-version", "3.2.0", "--provider-branch", "main",
			"--consumer-version-selectors", `{"deployedOrReleased":true}`, "--enable-pending", "--include-wip-pacts-since", "2026-01-01",
			"--hostname", pu.Hostname(), "--port", pu.Port(), "--state-change-url", provider.URL+"/_pact/state", "--no-colour")
		require.Contains(t, out, "released and supported in production (2.0.0)")
		require.Contains(t, out, "currently deployed to production (1.0.0)")
		require.Contains(t, out, "work in progress pact", "mobile's main head 2.1.0 is not selected and not verified yet")
		require.Contains(t, out, "Pending Failures", "the WIP pact fails without failing the build")
		_, err := b.Store.GetVersion(ctx, "inventory", "3.2.0")
		require.ErrorIs(t, err, broker.ErrNotFound, "without --publish nothing is recorded")
	})

	t.Run("pacticipants and undeployment", func(t *testing.T) {
		out := pact.mustRun(t, 0, "broker", "create-or-update-pacticipant", "--name", "inventory", "--repository-url", "https://git.example/inventory", "--main-branch", "main")
		require.Contains(t, out, "updated successfully")
		got, err := b.Store.GetPacticipant(ctx, "inventory")
		require.NoError(t, err)
		require.Equal(t, "https://git.example/inventory", got.RepositoryURL)
		out = pact.mustRun(t, 0, "broker", "describe-pacticipant", "--name", "inventory")
		require.Contains(t, out, "Repo URL: https://git.example/inventory")
		require.Contains(t, out, "Main Branch: main")

		out = pact.mustRun(t, 0, "broker", "record-undeployment", "--pacticipant", "inventory", "--environment", "production")
		require.Contains(t, out, "Undeployed inventory from production")
		deployed, err := b.Store.ListDeployedVersions(ctx, broker.DeploymentFilter{EnvironmentUUID: env.UUID, Pacticipant: "inventory"})
		require.NoError(t, err)
		for _, d := range deployed {
			require.False(t, d.CurrentlyDeployed, "inventory %s", d.Version)
		}
		out = canIDeploy(t, 1, "web", "1.0.0")
		require.Contains(t, out, "no verified pact between web (1.0.0) and the version of inventory in production", "no inventory is deployed any more")
	})
}
