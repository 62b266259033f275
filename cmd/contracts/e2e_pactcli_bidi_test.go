package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/server"
)

// TestPactCLIBiDirectional drives bi-directional contracts with the
// official Pact CLI only: pactflow publish-provider-contract, broker
// publish and can-i-deploy.
func TestPactCLIBiDirectional(t *testing.T) {
	ctx := context.Background()
	b := mustStartE2EBroker(t, server.AuthConfig{WriteUsername: "ci", WritePassword: "s3cret"})
	pact := mustPactCLI(t, b.URL, "ci", "s3cret")

	// The consumer's pacts: web 1 is compatible with the document, web 2 is not.
	for _, v := range []struct{ version, file string }{{"1", "pact.json"}, {"2", "pact-broken.json"}} {
		out := pact.mustRun(t, 0, "broker", "publish", filepath.Join(compareDir, "orders", v.file), "--consumer-app-version", v.version, "--branch", "main")
		require.Contains(t, out, "Pact published for web version "+v.version+" and provider orders")
	}

	out := pact.mustRun(t, 0, "pactflow", "publish-provider-contract", filepath.Join(compareDir, "orders", "openapi.yaml"),
		"--provider", "orders", "--provider-app-version", "p1", "--branch", "main", "--tag", "dev",
		"--content-type", "application/yaml", "--verification-success",
		"--verification-results", filepath.Join(compareDir, "orders", "openapi.yaml"),
		"--verification-results-content-type", "text/plain", "--verification-results-format", "text",
		"--verifier", "schemathesis", "--verifier-version", "3.19")
	require.Contains(t, out, "Published the OpenAPI provider contract of orders version p1")
	cs, err := b.Store.GetProviderContracts(ctx, "orders", "p1")
	require.NoError(t, err)
	require.Len(t, cs, 1)
	c := cs[0]
	require.Equal(t, broker.SpecOpenAPI, c.Specification)
	require.True(t, *c.Self.Success)
	require.Equal(t, "schemathesis", c.Self.Verifier)

	v, err := b.Client.DescribeVersion(ctx, "orders", "p1", "")
	require.NoError(t, err)
	require.Equal(t, []string{"main"}, v.Branches)
	require.Equal(t, []string{"dev"}, v.Tags)

	out = pact.mustRun(t, 0, "broker", "can-i-deploy", "--pacticipant", "web", "--version", "1")
	require.Contains(t, out, "compatible with the provider's self-verified provider contract")
	require.Contains(t, out, "/contracts/provider/orders/version/p1 (success)")
	out = pact.mustRun(t, 1, "broker", "can-i-deploy", "--pacticipant", "web", "--version", "2")
	require.Contains(t, out, "incompatible with the provider contract")
	out = pact.mustRun(t, 1, "broker", "can-i-deploy", "--pacticipant", "orders", "--version", "p1")
	require.Contains(t, out, "web (2) and orders (p1) is incompatible")

	// Messages: an AsyncAPI document, the notifier's pacts.
	for _, v := range []struct{ version, file string }{{"1", "pact.json"}, {"2", "pact-broken.json"}} {
		pact.mustRun(t, 0, "broker", "publish", filepath.Join(compareDir, "events", v.file), "--consumer-app-version", v.version, "--branch", "main")
	}
	out = pact.mustRun(t, 0, "pactflow", "publish-provider-contract", filepath.Join(compareDir, "events", "asyncapi.yaml"),
		"--provider", "orders", "--provider-app-version", "p2", "--specification", "asyncapi", "--verification-exit-code", "0",
		// The official CLI sends the self-verification only with its results.
		"--verification-results", filepath.Join(compareDir, "events", "asyncapi.yaml"), "--verification-results-content-type", "text/plain")
	require.Contains(t, out, "Published the AsyncAPI provider contract of orders version p2")
	pact.mustRun(t, 0, "broker", "can-i-deploy", "--pacticipant", "notifier", "--version", "1")
	pact.mustRun(t, 1, "broker", "can-i-deploy", "--pacticipant", "notifier", "--version", "2")

	// Both: provider version p3 publishes an OpenAPI and an AsyncAPI
	// document (the official CLI sends one per call); app's pacts have an
	// HTTP and a message interaction, and app 2's message does not match.
	for _, v := range []struct{ version, file string }{{"1", "pact.json"}, {"2", "pact-broken-message.json"}} {
		pact.mustRun(t, 0, "broker", "publish", filepath.Join(compareDir, "mixed", v.file), "--consumer-app-version", v.version, "--branch", "main")
	}
	out = pact.mustRun(t, 0, "pactflow", "publish-provider-contract", filepath.Join(compareDir, "orders", "openapi.yaml"),
		"--provider", "orders", "--provider-app-version", "p3", "--content-type", "application/yaml", "--verification-success",
		"--verification-results", filepath.Join(compareDir, "orders", "openapi.yaml"), "--verification-results-content-type", "text/plain")
	require.Contains(t, out, "Published the OpenAPI provider contract of orders version p3")
	// The OpenAPI document alone does not cover app's message.
	out = pact.mustRun(t, 1, "broker", "can-i-deploy", "--pacticipant", "app", "--version", "1")
	require.Contains(t, out, "incompatible with the provider contract")
	out = pact.mustRun(t, 0, "pactflow", "publish-provider-contract", filepath.Join(compareDir, "events", "asyncapi.yaml"),
		"--provider", "orders", "--provider-app-version", "p3", "--specification", "asyncapi", "--verification-exit-code", "0",
		"--verification-results", filepath.Join(compareDir, "events", "asyncapi.yaml"), "--verification-results-content-type", "text/plain")
	require.Contains(t, out, "Published the AsyncAPI provider contract of orders version p3")
	docs, err := b.Store.GetProviderContracts(ctx, "orders", "p3")
	require.NoError(t, err)
	require.Len(t, docs, 2, "the AsyncAPI document joins the OpenAPI one")
	out = pact.mustRun(t, 0, "broker", "can-i-deploy", "--pacticipant", "app", "--version", "1")
	require.Contains(t, out, "compatible with the provider's self-verified provider contract")
	out = pact.mustRun(t, 1, "broker", "can-i-deploy", "--pacticipant", "app", "--version", "2")
	require.Contains(t, out, "incompatible with the provider contract")
	pact.mustRun(t, 1, "broker", "can-i-deploy", "--pacticipant", "orders", "--version", "p3")
}
