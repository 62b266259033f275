package main

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/server"
)

// mustVerify publishes a verification result for the consumer version's
// pact with provider.
func mustVerify(tb testing.TB, c *api.Client, consumer, version, provider, providerVersion string, success bool) {
	tb.Helper()
	ctx := context.Background()
	p, err := c.FetchPact(ctx, "/pacts/provider/"+provider+"/consumer/"+consumer+"/version/"+version)
	require.NoError(tb, err)
	require.NoError(tb, c.PublishVerificationResult(ctx, p.PublishVerificationResultsURL, api.VerificationResult{Success: success, ProviderVersion: providerVersion}))
}

func mustPublishCLI(tb testing.TB, c *api.Client, consumer, version, provider, path string) {
	tb.Helper()
	_, err := c.PublishContracts(context.Background(), api.PublishInput{
		Pacticipant: consumer, Version: version, Branch: "main",
		Contracts: []api.ContractFile{{Consumer: consumer, Provider: provider, Content: []byte(cliPact(consumer, provider, path))}},
	})
	require.NoError(tb, err)
}

// mustStartCanIDeployBroker starts a broker where web 1 is verified by api
// 10, web 2 failed its verification by api 10, and web 3 is unverified; it
// returns the broker's URL.
func mustStartCanIDeployBroker(t *testing.T) string {
	t.Helper()
	url, c := mustStartTestBroker(t, server.AuthConfig{})
	mustPublishCLI(t, c, "web", "1", "api", "/a")
	mustPublishCLI(t, c, "web", "2", "api", "/b")
	mustPublishCLI(t, c, "web", "3", "api", "/c")
	mustVerify(t, c, "web", "1", "api", "10", true)
	mustVerify(t, c, "web", "2", "api", "10", false)
	return url
}

func TestCanIDeployCommand(t *testing.T) {
	ctx := context.Background()
	url := mustStartCanIDeployBroker(t)
	vars := map[string]string{"PACT_BROKER_BASE_URL": url}

	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{name: "yes", args: []string{"--pacticipant", "web", "--version", "1"}, code: exitOK, want: "Computer says yes"},
		{name: "no", args: []string{"--pacticipant", "web", "--version", "2"}, code: exitNo, want: "Computer says no"},
		{name: "unknown", args: []string{"--pacticipant", "web", "--version", "3"}, code: exitCantTell, want: "cannot tell"},
		{name: "unknown after retries", args: []string{"--pacticipant", "web", "--version", "3", "--retry-while-unknown", "2", "--retry-interval", "0s"}, code: exitCantTell, want: "cannot tell"},
		{name: "version pairs", args: []string{"--pacticipant", "web", "--version", "1", "--pacticipant", "api", "--version", "10"}, code: exitOK, want: "web"},
		{name: "latest", args: []string{"--pacticipant", "web", "--version", "2", "--pacticipant", "api", "--latest"}, code: exitNo, want: "Computer says no"},
		{name: "ignore", args: []string{"--pacticipant", "web", "--version", "2", "--ignore", "api"}, code: exitOK, want: "ignored"},
		{name: "unknown version", args: []string{"--pacticipant", "web", "--version", "404", "--pacticipant", "api", "--version", "10"}, code: exitNo, want: "Computer says no"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(ctx, vars, append([]string{"can-i-deploy"}, tt.args...)...)
			require.Equal(t, tt.code, code, "stdout: %s\nstderr: %s", stdout, stderr)
			require.Contains(t, stdout, tt.want)
		})
	}

	t.Run("json output", func(t *testing.T) {
		code, stdout, stderr := runCLI(ctx, vars, "can-i-deploy", "--pacticipant", "web", "--version", "1", "--output", "json")
		require.Equal(t, exitOK, code, stderr)
		var out struct {
			Summary struct {
				Deployable *bool `json:"deployable"`
			} `json:"summary"`
			Matrix []map[string]any `json:"matrix"`
		}
		require.NoError(t, json.Unmarshal([]byte(stdout), &out), stdout)
		require.NotNil(t, out.Summary.Deployable)
		require.True(t, *out.Summary.Deployable)
		require.Len(t, out.Matrix, 1)
	})

	t.Run("to an environment", func(t *testing.T) {
		code, stdout, stderr := runCLI(ctx, vars, "create-environment", "--name", "prod", "--production")
		require.Equal(t, exitOK, code, stderr)
		require.Contains(t, stdout, "Created environment prod")
		code, _, stderr = runCLI(ctx, vars, "record-deployment", "--pacticipant", "api", "--version", "10", "--environment", "prod")
		require.Equal(t, exitOK, code, stderr)
		code, stdout, _ = runCLI(ctx, vars, "can-i-deploy", "--pacticipant", "web", "--version", "1", "--to-environment", "prod")
		require.Equal(t, exitOK, code, stdout)
		code, stdout, _ = runCLI(ctx, vars, "can-i-deploy", "--pacticipant", "web", "--version", "2", "--to-environment", "prod")
		require.Equal(t, exitNo, code, stdout)
	})

	t.Run("usage errors", func(t *testing.T) {
		for _, args := range [][]string{
			{"can-i-deploy"},
			{"can-i-deploy", "--version", "1"},
			{"can-i-deploy", "--pacticipant", "web"},
			{"can-i-deploy", "--pacticipant", "web", "--version", "1", "--version", "2"},
			{"can-i-deploy", "--pacticipant", "web", "--version", "1", "--output", "xml"},
			{"can-i-deploy", "--pacticipant", "web", "--version", "1", "--to", "prod", "--to-environment", "prod"},
		} {
			code, _, stderr := runCLI(ctx, vars, args...)
			require.Equal(t, exitCantTell, code, "%v", args)
			require.NotEmpty(t, stderr)
		}
	})
	t.Run("broker unreachable", func(t *testing.T) {
		code, _, stderr := runCLI(ctx, map[string]string{"PACT_BROKER_BASE_URL": "http://127.0.0.1:1"}, "can-i-deploy", "--pacticipant", "web", "--version", "1")
		require.Equal(t, exitCantTell, code)
		require.Contains(t, stderr, "127.0.0.1:1")
	})
}

func TestDeploymentCommands(t *testing.T) {
	ctx := context.Background()
	url, c := mustStartTestBroker(t, server.AuthConfig{WriteToken: "tok"})
	mustPublishCLI(t, c, "web", "1", "api", "/a")
	vars := map[string]string{"PACT_BROKER_BASE_URL": url, "PACT_BROKER_TOKEN": "tok"}
	steps := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"create-environment", "--name", "test", "--display-name", "Test", "--contact-name", "Web team", "--contact-email-address", "web@example.org", "--output", "json"}, exitOK, `"name": "test"`},
		{[]string{"create-environment", "--name", "test"}, exitCantTell, "409"},
		{[]string{"create-environment", "--name", "has space", "--production"}, exitCantTell, "name"},
		{[]string{"record-deployment", "--pacticipant", "web", "--version", "1", "--environment", "test", "--application-instance", "blue"}, exitOK, "Recorded deployment of web version 1 to test (application instance blue)"},
		{[]string{"record-deployment", "--pacticipant", "web", "--version", "9", "--environment", "test"}, exitCantTell, "404"},
		{[]string{"record-deployment", "--pacticipant", "web", "--version", "1", "--environment", "nowhere"}, exitCantTell, `no environment named "nowhere"`},
		{[]string{"record-deployment", "--pacticipant", "web", "--environment", "test"}, exitCantTell, "--version is required"},
		{[]string{"record-undeployment", "--pacticipant", "web", "--environment", "test", "--application-instance", "green"}, exitCantTell, "not currently deployed"},
		{[]string{"record-undeployment", "--pacticipant", "web", "--environment", "test", "--application-instance", "blue"}, exitOK, "Recorded undeployment of web version 1 from test"},
		{[]string{"record-release", "--pacticipant", "web", "--version", "1", "--environment", "test"}, exitOK, "Recorded release of web version 1 to test"},
		{[]string{"record-support-ended", "--pacticipant", "web", "--version", "1", "--environment", "test"}, exitOK, "Recorded support ended for web version 1 in test"},
		{[]string{"record-support-ended", "--pacticipant", "web", "--version", "1", "--environment", "test"}, exitCantTell, "not a currently supported release"},
		{[]string{"describe-version", "--pacticipant", "web", "--version", "1"}, exitOK, "Branches:    main"},
		{[]string{"describe-version", "--pacticipant", "web", "--output", "json"}, exitOK, `"number": "1"`},
		{[]string{"describe-version", "--pacticipant", "web", "--latest=prod"}, exitCantTell, "404"},
	}
	for _, s := range steps {
		code, stdout, stderr := runCLI(ctx, vars, s.args...)
		require.Equal(t, s.code, code, "%v\nstdout: %s\nstderr: %s", s.args, stdout, stderr)
		require.Contains(t, stdout+stderr, s.want, "%v", s.args)
	}
}
