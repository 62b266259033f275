package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/server"
	"github.com/contracts-dev/contracts/broker/sqlite/sqlitetest"
	"github.com/contracts-dev/contracts/verify"
)

// e2eDir holds the pacts of the broker end-to-end tests.
const e2eDir = "../../testdata/e2e"

// inventoryProvider is a real provider for the pacts of testdata/e2e: it
// serves items with id, name, stock and price (no discount, which the
// mobile-next pact wants). It records the provider states it is asked for.
type inventoryProvider struct{ stateLog }

func mustStartInventory(tb testing.TB) (*httptest.Server, *inventoryProvider) {
	tb.Helper()
	p := &inventoryProvider{}
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, status int, body string) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
	mux.HandleFunc("POST /_pact/state", func(w http.ResponseWriter, r *http.Request) {
		p.record(r)
		reply(w, 200, `{}`)
	})
	mux.HandleFunc("GET /items/1", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, `{"id": 1, "name": "desk lamp", "stock": 12, "price": 24.5}`)
	})
	mux.HandleFunc("GET /items/404", func(w http.ResponseWriter, r *http.Request) { reply(w, 404, `{"error": "no such item"}`) })
	mux.HandleFunc("GET /items", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, `[{"id": 1, "name": "desk lamp", "stock": 12, "price": 24.5}, {"id": 2, "name": "chair", "stock": 0, "price": 80.25}]`)
	})
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return srv, p
}

// e2eBroker is a real broker on loopback (mustStartE2EBroker: over a
// temp-file SQLite store).
type e2eBroker struct {
	URL    string
	Client *api.Client
	Store  broker.Store
}

func mustStartE2EBroker(tb testing.TB, auth server.AuthConfig) *e2eBroker {
	tb.Helper()
	return startE2EBroker(tb, sqlitetest.Open(tb), auth)
}

// startE2EBroker serves store on loopback until tb ends.
func startE2EBroker(tb testing.TB, store broker.Store, auth server.AuthConfig) *e2eBroker {
	tb.Helper()
	srv := httptest.NewServer(server.New(store, server.Config{Auth: auth}))
	tb.Cleanup(srv.Close)
	c, err := api.NewClient(srv.URL)
	require.NoError(tb, err)
	c.Token = auth.WriteToken
	c.Username, c.Password = auth.WriteUsername, auth.WritePassword
	return &e2eBroker{URL: srv.URL, Client: c, Store: store}
}

// vars is the environment pointing the CLI at the broker with the client's
// token.
func (b *e2eBroker) vars() map[string]string {
	return map[string]string{"PACT_BROKER_BASE_URL": b.URL, "PACT_BROKER_TOKEN": b.Client.Token}
}

// mustCLI runs the CLI in-process against the broker (b.vars), requires
// the exit code want and returns stdout.
func (b *e2eBroker) mustCLI(tb testing.TB, want int, args ...string) string {
	tb.Helper()
	code, stdout, stderr := runCLI(context.Background(), b.vars(), args...)
	require.Equal(tb, want, code, "contracts %v\nstdout:\n%s\nstderr:\n%s", args, stdout, stderr)
	return stdout
}

// mustPublish publishes the pacts of testdata/e2e/dir through the client.
func (b *e2eBroker) mustPublish(tb testing.TB, dir, consumer, version, branch string, tags ...string) {
	tb.Helper()
	in := api.PublishInput{Pacticipant: consumer, Version: version, Branch: branch, Tags: tags}
	paths, err := filepath.Glob(filepath.Join(e2eDir, dir, "*.json"))
	require.NoError(tb, err)
	require.NotEmpty(tb, paths)
	for _, p := range paths {
		data, err := os.ReadFile(p)
		require.NoError(tb, err)
		var doc struct{ Provider struct{ Name string } }
		require.NoError(tb, json.Unmarshal(data, &doc))
		in.Contracts = append(in.Contracts, api.ContractFile{Consumer: consumer, Provider: doc.Provider.Name, Content: data})
	}
	_, err = b.Client.PublishContracts(context.Background(), in)
	require.NoError(tb, err)
}

// mustLatestVerification returns the latest verification of the pact the
// consumer version published for the provider.
func (b *e2eBroker) mustLatestVerification(tb testing.TB, consumer, version, provider string) broker.Verification {
	tb.Helper()
	ctx := context.Background()
	p, err := b.Store.GetPact(ctx, consumer, provider, version)
	require.NoError(tb, err)
	v, err := b.Store.LatestVerification(ctx, consumer, provider, p.SHA)
	require.NoError(tb, err, "no verification of %s %s's pact with %s", consumer, version, provider)
	return v
}

// requireUnverified asserts the consumer version's pact has no verification.
func (b *e2eBroker) requireUnverified(tb testing.TB, consumer, version, provider string) {
	tb.Helper()
	ctx := context.Background()
	p, err := b.Store.GetPact(ctx, consumer, provider, version)
	require.NoError(tb, err)
	_, err = b.Store.LatestVerification(ctx, consumer, provider, p.SHA)
	require.ErrorIs(tb, err, broker.ErrNotFound)
}

func TestVerifyBrokerPublishesResults(t *testing.T) {
	ctx := context.Background()
	b := mustStartE2EBroker(t, server.AuthConfig{WriteToken: "w-tok"})
	provider, states := mustStartInventory(t)
	b.mustPublish(t, "web", "web", "1.0.0", "main", "dev")
	b.mustPublish(t, "mobile", "mobile", "2.0.0", "main")
	vars := map[string]string{"PACT_BROKER_BASE_URL": b.URL, "PACT_BROKER_TOKEN": "w-tok", "CONTRACTS_PROVIDER_BASE_URL": provider.URL}

	code, stdout, stderr := runCLI(ctx, vars, "verify", "--provider", "inventory",
		"--provider-app-version", "3.0.0", "--provider-version-branch", "main", "--provider-version-tag", "prod", "--provider-version-tag", "green",
		"--consumer-version-selectors", `{"mainBranch":true}`, "--enable-pending", "--publish", "--build-url", "http://ci/builds/9",
		"--provider-states-setup-url", provider.URL+"/_pact/state")
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	require.Contains(t, stdout, "Verifying a pact between web and inventory")
	require.Contains(t, stdout, "Verifying a pact between mobile and inventory")
	require.Contains(t, stdout, "Notice: ", "the broker's before-verification notices are shown")
	require.Contains(t, stdout, "Published verification result (passed) of inventory version 3.0.0 for consumer web")
	require.Contains(t, stdout, "Published verification result (passed) of inventory version 3.0.0 for consumer mobile")
	require.Contains(t, states.seen(), "setup:an item exists")

	v, err := b.Client.DescribeVersion(ctx, "inventory", "3.0.0", "")
	require.NoError(t, err)
	require.Equal(t, []string{"main"}, v.Branches)
	require.ElementsMatch(t, []string{"prod", "green"}, v.Tags)

	for _, consumer := range []struct{ name, version string }{{"web", "1.0.0"}, {"mobile", "2.0.0"}} {
		got := b.mustLatestVerification(t, consumer.name, consumer.version, "inventory")
		require.True(t, got.Success)
		require.Equal(t, "3.0.0", got.ProviderVersion)
		require.Equal(t, "http://ci/builds/9", got.BuildURL)
		require.JSONEq(t, `{"implementation": "contracts", "version": "`+verify.VerifierVersion+`"}`, string(got.VerifiedBy))
		var tests []struct {
			InteractionID          string `json:"interactionId"`
			InteractionDescription string `json:"interactionDescription"`
			Success                bool   `json:"success"`
		}
		require.NoError(t, json.Unmarshal(got.TestResults, &tests))
		require.NotEmpty(t, tests)
		for _, tr := range tests {
			require.True(t, tr.Success, tr.InteractionDescription)
			require.NotEmpty(t, tr.InteractionID)
		}
	}

	t.Run("a changed pact fails but is pending, and its failure is published", func(t *testing.T) {
		b.mustPublish(t, "mobile-next", "mobile", "2.1.0", "main")
		code, stdout, stderr := runCLI(ctx, vars, "verify", "--provider", "inventory",
			"--provider-app-version", "3.0.1", "--provider-version-branch", "main",
			"--consumer-version-selectors", `{"mainBranch":true}`, "--enable-pending", "--publish")
		require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
		require.Contains(t, stdout, "This pact is pending")
		require.Contains(t, stdout, "Published verification result (failed) of inventory version 3.0.1 for consumer mobile")
		require.Contains(t, stdout, "Published verification result (passed) of inventory version 3.0.1 for consumer web")
		got := b.mustLatestVerification(t, "mobile", "2.1.0", "inventory")
		require.False(t, got.Success)
		require.Contains(t, string(got.TestResults), "discount")

		res, err := b.Client.CanIDeploy(ctx, api.CanIDeployRequest{Selectors: []broker.MatrixSelector{{Pacticipant: "mobile", Version: "2.1.0"}, {Pacticipant: "inventory", Version: "3.0.1"}}})
		require.NoError(t, err)
		require.NotNil(t, res.Summary.Deployable)
		require.False(t, *res.Summary.Deployable)
	})

	t.Run("without pending the same failure fails the run", func(t *testing.T) {
		code, stdout, stderr := runCLI(ctx, vars, "verify", "--provider", "inventory",
			"--consumer-version-selectors", `{"mainBranch":true,"consumer":"mobile"}`)
		require.Equal(t, exitNo, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
		require.NotContains(t, stdout, "This pact is pending")
		require.NotContains(t, stdout, "Verifying a pact between web", "the consumer key restricts the selector")
		require.NotContains(t, stdout, "Published", "no --publish, nothing published")
	})

	t.Run("work-in-progress pacts are verified as pending", func(t *testing.T) {
		b.mustPublish(t, "mobile-next", "mobile", "2.2.0-feat", "feat-discount")
		b.mustPublish(t, "web", "web", "1.1.0-feat", "feat-wip")
		webNext := mustWIPPact(t)
		_, err := b.Client.PublishContracts(ctx, api.PublishInput{Pacticipant: "web", Version: "1.2.0-feat", Branch: "feat-list",
			Contracts: []api.ContractFile{{Consumer: "web", Provider: "inventory", Content: webNext}}})
		require.NoError(t, err)
		code, stdout, stderr := runCLI(ctx, vars, "verify", "--provider", "inventory",
			"--provider-app-version", "3.0.2", "--provider-version-branch", "main",
			"--consumer-version-selectors", `{"mainBranch":true,"consumer":"web"}`,
			"--enable-pending", "--include-wip-pacts-since", "2026-01-01", "--publish")
		require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
		require.Equal(t, 3, strings.Count(stdout, "Verifying a pact between"), stdout)
		require.Contains(t, stdout, "list items (web)", "the WIP pact of branch feat-list is verified")
		got := b.mustLatestVerification(t, "web", "1.2.0-feat", "inventory")
		require.True(t, got.Success)
		require.Equal(t, "3.0.2", got.ProviderVersion)
	})

	t.Run("provider version, branch and build URL from the CI environment", func(t *testing.T) {
		ciVars := map[string]string{
			"PACT_BROKER_BASE_URL": b.URL, "PACT_BROKER_TOKEN": "w-tok", "CONTRACTS_PROVIDER_BASE_URL": provider.URL,
			"CONTRACTS_PROVIDER": "inventory",
			"GITHUB_ACTIONS":     "true", "GITHUB_SHA": "c0ffee", "GITHUB_REF": "refs/heads/release-7",
			"GITHUB_SERVER_URL": "https://github.example", "GITHUB_REPOSITORY": "org/inventory", "GITHUB_RUN_ID": "42",
		}
		code, stdout, stderr := runCLI(ctx, ciVars, "verify", "--consumer-version-selectors", `{"branch":"main","consumer":"web"}`, "--publish")
		require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
		require.Contains(t, stdout, "Published verification result (passed) of inventory version c0ffee for consumer web")
		v, err := b.Client.DescribeVersion(ctx, "inventory", "c0ffee", "")
		require.NoError(t, err)
		require.Equal(t, []string{"release-7"}, v.Branches)
		got := b.mustLatestVerification(t, "web", "1.0.0", "inventory")
		require.Equal(t, "c0ffee", got.ProviderVersion)
		require.Equal(t, "https://github.example/org/inventory/actions/runs/42", got.BuildURL)
	})

	t.Run("the JSON report carries what the broker said; messages go to stderr", func(t *testing.T) {
		code, stdout, stderr := runCLI(ctx, vars, "verify", "--provider", "inventory", "--provider-app-version", "3.0.9",
			"--provider-version-branch", "main", "--consumer-version-selectors", `{"mainBranch":true,"consumer":"web"}`,
			"--enable-pending", "--publish", "--json", "-")
		require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
		var report struct {
			Pacts []struct {
				Consumer string
				Broker   struct {
					PactURL    string `json:"pactUrl"`
					PublishURL string `json:"publishUrl"`
					Notices    []struct{ When, Text string }
				}
			}
		}
		require.NoError(t, json.Unmarshal([]byte(stdout), &report), stdout)
		require.Len(t, report.Pacts, 1)
		require.Equal(t, "web", report.Pacts[0].Consumer)
		require.True(t, strings.HasPrefix(report.Pacts[0].Broker.PactURL, b.URL+"/pacts/provider/inventory/consumer/web/pact-version/"), report.Pacts[0].Broker.PactURL)
		require.True(t, strings.HasSuffix(report.Pacts[0].Broker.PublishURL, "/verification-results"), report.Pacts[0].Broker.PublishURL)
		require.NotEmpty(t, report.Pacts[0].Broker.Notices)
		require.Contains(t, stderr, "Published verification result (passed) of inventory version 3.0.9 for consumer web")
	})

	t.Run("a pact URL from a webhook is verified and its result published", func(t *testing.T) {
		pactURL := b.URL + "/pacts/provider/inventory/consumer/mobile/version/2.0.0"
		code, stdout, stderr := runCLI(ctx, vars, "verify", "--webhook-callback-url", pactURL,
			"--provider-app-version", "3.0.4", "--provider-version-branch", "main", "--publish")
		require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
		require.Equal(t, 1, strings.Count(stdout, "Verifying a pact between"), stdout)
		require.Contains(t, stdout, "Source: "+pactURL)
		require.Contains(t, stdout, "Published verification result (passed) of inventory version 3.0.4 for consumer mobile")
		got := b.mustLatestVerification(t, "mobile", "2.0.0", "inventory")
		require.Equal(t, "3.0.4", got.ProviderVersion)
		v, err := b.Client.DescribeVersion(ctx, "inventory", "3.0.4", "")
		require.NoError(t, err)
		require.Equal(t, []string{"main"}, v.Branches, "the provider named by the pact gets the branch")

		code, _, stderr = runCLI(ctx, vars, "verify", "--webhook-callback-url", pactURL, "--provider", "billing")
		require.Equal(t, exitCantTell, code)
		require.Contains(t, stderr, `the pact is for provider "inventory", not --provider "billing"`)
		code, _, stderr = runCLI(ctx, vars, "verify", "--webhook-callback-url", pactURL, "--consumer-version-selectors", `{"mainBranch":true}`)
		require.Equal(t, exitCantTell, code)
		require.Contains(t, stderr, "cannot be combined with --consumer-version-selectors")
		code, _, stderr = runCLI(ctx, vars, "verify", "--webhook-callback-url", b.URL+"/pacts/provider/inventory/consumer/mobile/version/404")
		require.Equal(t, exitCantTell, code)
		require.Contains(t, stderr, "404")
	})

	t.Run("filtered runs are not published", func(t *testing.T) {
		b.mustPublish(t, "web", "web", "1.3.0", "main")
		code, stdout, stderr := runCLI(ctx, vars, "verify", "--provider", "inventory",
			"--provider-app-version", "3.0.3", "--consumer-version-selectors", `{"branch":"main","consumer":"web"}`,
			"--filter-description", "missing", "--publish")
		require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
		require.Contains(t, stdout, "Not publishing the result for "+b.URL)
		// The content equals 1.0.0's, verified before: inherited, not new.
		got := b.mustLatestVerification(t, "web", "1.3.0", "inventory")
		require.NotEqual(t, "3.0.3", got.ProviderVersion)
	})
}

// mustWIPPact is web's pact with one more interaction the provider honours.
func mustWIPPact(tb testing.TB) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(e2eDir, "web", "web-inventory.json"))
	require.NoError(tb, err)
	var doc map[string]any
	require.NoError(tb, json.Unmarshal(data, &doc))
	doc["interactions"] = append(doc["interactions"].([]any), map[string]any{
		"description": "list items (web)",
		"request":     map[string]any{"method": "GET", "path": "/items"},
		"response": map[string]any{"status": 200, "body": []any{map[string]any{"id": 1}},
			"matchingRules": map[string]any{"body": map[string]any{"$": map[string]any{"matchers": []any{map[string]any{"match": "type", "min": 1}}}}}},
	})
	out, err := json.Marshal(doc)
	require.NoError(tb, err)
	return out
}

func TestVerifyBrokerRefusals(t *testing.T) {
	ctx := context.Background()
	b := mustStartE2EBroker(t, server.AuthConfig{WriteToken: "w-tok"})
	provider, _ := mustStartInventory(t)
	b.mustPublish(t, "web", "web", "1.0.0", "main")
	vars := map[string]string{"PACT_BROKER_BASE_URL": b.URL, "PACT_BROKER_TOKEN": "w-tok", "CONTRACTS_PROVIDER_BASE_URL": provider.URL}
	noBroker := map[string]string{"CONTRACTS_PROVIDER_BASE_URL": provider.URL}
	for _, tt := range []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{name: "selector is not JSON", vars: vars, args: []string{"--provider", "inventory", "--consumer-version-selectors", "mainBranch"}, want: "--consumer-version-selectors mainBranch: want a JSON object"},
		{name: "selector key misspelt", vars: vars, args: []string{"--provider", "inventory", "--consumer-version-selectors", `{"mainBrunch":true}`}, want: `unknown field "mainBrunch"`},
		{name: "empty selector", vars: vars, args: []string{"--provider", "inventory", "--consumer-version-selectors", `{}`}, want: "empty selector"},
		{name: "publish without a provider version", vars: vars, args: []string{"--provider", "inventory", "--publish"}, want: "--provider-app-version is required with --publish"},
		{name: "publish without a broker", vars: noBroker, args: []string{e2eDir + "/web", "--publish"}, want: "--publish needs a broker"},
		{name: "pact URL without a broker", vars: noBroker, args: []string{"--webhook-callback-url", "http://127.0.0.1:1/pacts/provider/a/consumer/b/version/1"}, want: "--webhook-callback-url needs the broker"},
		{name: "pact URL that is not a URL", vars: vars, args: []string{"--webhook-callback-url", "pacts/web.json"}, want: `--webhook-callback-url "pacts/web.json": want the http(s) URL`},
		{name: "broker URL without provider", vars: vars, args: []string{"--broker-url", b.URL}, want: "--provider is required"},
		{name: "bad WIP date", vars: vars, args: []string{"--provider", "inventory", "--include-wip-pacts-since", "01/01/2026"}, want: `--include-wip-pacts-since "01/01/2026"`},
		{name: "wrong token", vars: map[string]string{"PACT_BROKER_BASE_URL": b.URL, "PACT_BROKER_TOKEN": "nope", "CONTRACTS_PROVIDER_BASE_URL": provider.URL}, args: []string{"--provider", "inventory"}, want: "401"},
		{name: "no pacts for the provider", vars: vars, args: []string{"--provider", "billing"}, want: `no pacts for provider "billing"`},
		{name: "selector the broker refuses", vars: vars, args: []string{"--provider", "inventory", "--consumer-version-selectors", `{"mainBranch":true,"deployed":true}`}, want: "400"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(ctx, tt.vars, append([]string{"verify"}, tt.args...)...)
			require.Equal(t, exitCantTell, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			require.Contains(t, stderr, tt.want)
		})
	}

	t.Run("a read-only credential verifies but cannot publish", func(t *testing.T) {
		rb := mustStartE2EBroker(t, server.AuthConfig{ReadToken: "r-tok", WriteToken: "w-tok"})
		rb.mustPublish(t, "web", "web", "1.0.0", "main")
		code, stdout, stderr := runCLI(ctx, map[string]string{"PACT_BROKER_BASE_URL": rb.URL, "PACT_BROKER_TOKEN": "r-tok", "CONTRACTS_PROVIDER_BASE_URL": provider.URL},
			"verify", "--provider", "inventory", "--provider-app-version", "3.0.0", "--provider-version-branch", "main", "--publish")
		require.Equal(t, exitCantTell, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
		require.Contains(t, stdout, "Verifying a pact between web and inventory", "the pacts were read and verified")
		require.Contains(t, stderr, "403")
		rb.requireUnverified(t, "web", "1.0.0", "inventory")
	})

	t.Run("no pacts is fine when asked", func(t *testing.T) {
		code, stdout, stderr := runCLI(ctx, vars, "verify", "--provider", "inventory", "--consumer-version-selectors", `{"branch":"nope"}`, "--ignore-no-pacts-error")
		require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	})

	t.Run("PACT_BROKER_BASE_URL alone does not turn file verification into a broker one", func(t *testing.T) {
		code, stdout, stderr := runCLI(ctx, vars, "verify", e2eDir+"/mobile")
		require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
		require.Equal(t, 1, strings.Count(stdout, "Verifying a pact between"))
		require.NotContains(t, stdout, "web and inventory")
	})
}
