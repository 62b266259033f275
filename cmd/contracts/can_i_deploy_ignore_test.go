package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
)

// The Pact Broker's scenario of issue 16: Foo 1 has a pact with Bar verified
// by Bar 2 and no Bar version is tagged prod. Asking whether Foo 1 can go
// to prod beside the latest prod Bar is refused (that Bar does not exist)
// unless Bar is ignored; our CLI and the official one agree.
func TestCanIDeployIgnoreMissingVersion(t *testing.T) {
	url, c := mustStartTestBroker(t, broker.AuthConfig{})
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
