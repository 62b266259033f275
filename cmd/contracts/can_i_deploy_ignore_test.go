package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/server"
)

// The Pact Broker's scenario of issue 16: Foo 1 has a pact with Bar verified
// by Bar 2 and no Bar version is tagged prod. Asking whether Foo 1 can go
// to prod beside the latest prod Bar is refused (that Bar does not exist)
// unless Bar is ignored; our CLI and the official one agree.
func TestCanIDeployIgnoreMissingVersion(t *testing.T) {
	url, c := mustStartTestBroker(t, server.AuthConfig{})
	mustPublishCLI(t, c, "Foo", "1", "Bar", "/bar")
	mustVerify(t, c, "Foo", "1", "Bar", "2", true)
	args := []string{"--pacticipant", "Foo", "--version", "1", "--pacticipant", "Bar", "--latest", "prod", "--to", "prod"}

	t.Run("contracts can-i-deploy", func(t *testing.T) {
		vars := map[string]string{"PACT_BROKER_BASE_URL": url}
		// Our --latest takes its tag as --latest=TAG (a bare --latest means
		// the latest version).
		ours := []string{"can-i-deploy", "--pacticipant", "Foo", "--version", "1", "--pacticipant", "Bar", "--latest=prod", "--to", "prod"}
		code, stdout, stderr := runCLI(context.Background(), vars, ours...)
		require.Equal(t, exitNo, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
		require.Contains(t, stdout, "there is no latest version of Bar with tag prod")

		code, stdout, stderr = runCLI(context.Background(), vars, append(ours, "--ignore", "Bar")...)
		require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
		require.Contains(t, stdout, "Computer says yes")
		require.Contains(t, stdout, "There are no missing dependencies")
	})

	t.Run("pact broker can-i-deploy", func(t *testing.T) {
		pact := mustPactCLI(t, url, "", "")
		out := pact.mustRun(t, 1, append([]string{"broker", "can-i-deploy"}, args...)...)
		require.Contains(t, out, "There is no latest version of Bar with tag prod")
		out = pact.mustRun(t, 0, append(append([]string{"broker", "can-i-deploy"}, args...), "--ignore", "Bar")...)
		require.Contains(t, out, "Computer says yes")
	})
}

// Issue 16's deliberate difference, through both CLIs: Bar 10 and Bar 11 are
// deployed in prod and Foo 2's pact was verified by Bar 11 only. The Pact
// Broker answers yes; we answer unknown and name Bar 10 (README, "Where we
// differ from the Pact Broker").
func TestCanIDeployTwoDeployedInstancesOneUnverified(t *testing.T) {
	ctx := context.Background()
	url, c := mustStartTestBroker(t, server.AuthConfig{})
	_, err := c.CreateEnvironment(ctx, broker.Environment{Name: "prod"})
	require.NoError(t, err)
	mustPublishCLI(t, c, "Foo", "2", "Bar", "/bar")
	mustVerify(t, c, "Foo", "2", "Bar", "11", true)
	require.NoError(t, c.EnsureVersionBranch(ctx, "Bar", "10", "main"))
	for _, d := range []struct{ version, instance string }{{"10", "a"}, {"11", "b"}} {
		_, err := c.RecordDeployment(ctx, "Bar", d.version, "prod", d.instance)
		require.NoError(t, err)
	}
	args := []string{"can-i-deploy", "--pacticipant", "Foo", "--version", "2", "--to-environment", "prod"}

	code, stdout, stderr := runCLI(ctx, map[string]string{"PACT_BROKER_BASE_URL": url}, args...)
	require.Equal(t, exitCantTell, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	require.Contains(t, stdout, "has not been verified by Bar 10, a provider version in scope")

	// The official CLI exits 1 for unknown too; its table shows the row.
	pact := mustPactCLI(t, url, "", "")
	out := pact.mustRun(t, 1, append([]string{"broker"}, args...)...)
	require.Contains(t, out, "has not been verified by Bar 10, a provider version in scope")
	require.Regexp(t, `Foo\s+┆ 2\s+┆ Bar\s+┆ 10\s+┆ unknown`, out)
}
