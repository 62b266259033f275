package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/server"
)

// compareDir holds the documents and pacts of the comparison tests.
const compareDir = "../../testdata/compare"

// mustPublishComparePact publishes a pact of testdata/compare for consumer.
func mustPublishComparePact(tb testing.TB, c *api.Client, consumer, version, file string) {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(compareDir, file))
	require.NoError(tb, err)
	_, err = c.PublishContracts(context.Background(), api.PublishInput{Pacticipant: consumer, Version: version, Branch: "main",
		Contracts: []api.ContractFile{{Consumer: consumer, Provider: "orders", Content: data}}})
	require.NoError(tb, err)
}

func TestPublishProviderContractCommand(t *testing.T) {
	ctx := context.Background()
	b := mustStartE2EBroker(t, server.AuthConfig{WriteToken: "t0ken"})
	spec := filepath.Join(compareDir, "orders", "openapi.yaml")
	report := filepath.Join(t.TempDir(), "report.xml")
	require.NoError(t, os.WriteFile(report, []byte("<testsuite tests=\"3\"/>"), 0o600))
	mustPublishComparePact(t, b.Client, "web", "c1", "orders/pact.json")
	mustPublishComparePact(t, b.Client, "web", "c2", "orders/pact-broken.json")

	t.Run("publishes with branch, tags and self-verification", func(t *testing.T) {
		out := b.mustCLI(t, exitOK, "publish-provider-contract", spec, "--provider", "orders", "--provider-app-version", "p1",
			"--branch", "main", "--tag", "dev", "--tag", "qa", "--verification-success",
			"--verification-results", report, "--verification-results-content-type", "application/xml",
			"--verification-results-format", "junit", "--verifier", "schemathesis", "--verifier-version", "3.19")
		require.Contains(t, out, "Published the OpenAPI provider contract of orders version p1")
		got, err := onlyProviderContract(t, b.Store, "orders", "p1")
		require.NoError(t, err)
		want, err := os.ReadFile(spec)
		require.NoError(t, err)
		require.Equal(t, want, got.Content)
		require.Equal(t, broker.SpecOpenAPI, got.Specification)
		require.Equal(t, "application/yaml", got.ContentType)
		require.True(t, *got.Self.Success)
		require.Equal(t, "<testsuite tests=\"3\"/>", string(got.Self.Content))
		require.Equal(t, "application/xml", got.Self.ContentType)
		require.Equal(t, "junit", got.Self.Format)
		require.Equal(t, "schemathesis", got.Self.Verifier)
		require.Equal(t, "3.19", got.Self.VerifierVersion)
		v, err := b.Client.DescribeVersion(ctx, "orders", "p1", "")
		require.NoError(t, err)
		require.Equal(t, []string{"main"}, v.Branches)
		require.ElementsMatch(t, []string{"dev", "qa"}, v.Tags)

		// can-i-deploy: the compatible pact yes, the broken one no.
		b.mustCLI(t, exitOK, "can-i-deploy", "--pacticipant", "web", "--version", "c1")
		b.mustCLI(t, exitNo, "can-i-deploy", "--pacticipant", "web", "--version", "c2")
	})

	t.Run("AsyncAPI with a failed self-verification, JSON output", func(t *testing.T) {
		out := b.mustCLI(t, exitOK, "publish-provider-contract", filepath.Join(compareDir, "events", "asyncapi.yaml"),
			"--provider", "orders", "--provider-app-version", "p2", "--specification", "asyncapi", "--no-verification-success", "--output", "json")
		require.Contains(t, out, `"specification": "asyncapi"`)
		require.Contains(t, out, "AsyncAPI provider contract of orders version p2")
		got, err := onlyProviderContract(t, b.Store, "orders", "p2")
		require.NoError(t, err)
		require.False(t, *got.Self.Success)
		require.Equal(t, broker.SpecAsyncAPI, got.Specification)
	})

	t.Run("exit code of the self-verification", func(t *testing.T) {
		b.mustCLI(t, exitOK, "publish-provider-contract", spec, "--provider", "orders", "--provider-app-version", "p3", "--verification-exit-code", "3")
		got, err := onlyProviderContract(t, b.Store, "orders", "p3")
		require.NoError(t, err)
		require.False(t, *got.Self.Success)
		b.mustCLI(t, exitOK, "publish-provider-contract", spec, "--provider", "orders", "--provider-app-version", "p4", "--verification-exit-code", "0")
		got, err = onlyProviderContract(t, b.Store, "orders", "p4")
		require.NoError(t, err)
		require.True(t, *got.Self.Success)
		b.mustCLI(t, exitOK, "publish-provider-contract", spec, "--provider", "orders", "--provider-app-version", "p5")
		got, err = onlyProviderContract(t, b.Store, "orders", "p5")
		require.NoError(t, err)
		require.Nil(t, got.Self.Success, "not said")
	})

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("openapi: 3.0.3\npaths: [\n"), 0o600))
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"document that does not load", []string{bad, "--provider", "orders", "--provider-app-version", "x1"}, "contract.content"},
		{"missing file", []string{"nope.yaml", "--provider", "orders", "--provider-app-version", "x1"}, "nope.yaml"},
		{"no provider", []string{spec, "--provider-app-version", "x1"}, "--provider is required"},
		{"no version", []string{spec, "--provider", "orders"}, "--provider-app-version is required"},
		{"unknown specification", []string{spec, "--provider", "orders", "--provider-app-version", "x1", "--specification", "raml"}, "--specification must be oas or asyncapi"},
		{"results without content type", []string{spec, "--provider", "orders", "--provider-app-version", "x1", "--verification-results", report}, "--verification-results-content-type is required"},
		{"results file missing", []string{spec, "--provider", "orders", "--provider-app-version", "x1", "--verification-results", "missing.txt", "--verification-results-content-type", "text/plain"}, "missing.txt"},
		{"success and failure", []string{spec, "--provider", "orders", "--provider-app-version", "x1", "--verification-success", "--no-verification-success"}, "none of the others can be"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(ctx, b.vars(), append([]string{"publish-provider-contract"}, tc.args...)...)
			require.Equal(t, exitCantTell, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			require.Contains(t, stderr, tc.want)
			_, err := b.Store.GetVersion(ctx, "orders", "x1")
			require.ErrorIs(t, err, broker.ErrNotFound, "nothing is stored")
		})
	}
}

// onlyProviderContract returns a provider version's contract, requiring
// that it has one only (a publication of this command sends one).
func onlyProviderContract(tb testing.TB, st broker.Store, provider, version string) (broker.ProviderContract, error) {
	tb.Helper()
	cs, err := st.GetProviderContracts(context.Background(), provider, version)
	if err != nil {
		return broker.ProviderContract{}, err
	}
	require.Len(tb, cs, 1)
	return cs[0], nil
}
