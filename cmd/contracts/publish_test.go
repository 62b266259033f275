package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/server"
)

func cliPact(consumer, provider, path string) string {
	return fmt.Sprintf(`{"consumer":{"name":%q},"provider":{"name":%q},"interactions":[{"description":"get %s","request":{"method":"GET","path":%q},"response":{"status":200}}],"metadata":{"pactSpecification":{"version":"2.0.0"}}}`, consumer, provider, path, path)
}

func mustWriteFile(tb testing.TB, path, content string) string {
	tb.Helper()
	require.NoError(tb, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(tb, os.WriteFile(path, []byte(content), 0o644))
	return path
}

func TestPublishCommand(t *testing.T) {
	ctx := context.Background()
	url, c := mustStartTestBroker(t, server.AuthConfig{WriteToken: "tok"})
	dir := t.TempDir()
	mustWriteFile(t, filepath.Join(dir, "pacts", "web-api.json"), cliPact("web", "api", "/a"))
	mustWriteFile(t, filepath.Join(dir, "pacts", "web-auth.json"), cliPact("web", "auth", "/b"))
	mustWriteFile(t, filepath.Join(dir, "pacts", "README.md"), "not a pact")

	code, stdout, stderr := runCLI(ctx, map[string]string{"PACT_BROKER_BASE_URL": url, "PACT_BROKER_TOKEN": "tok"},
		"publish", filepath.Join(dir, "pacts"), "--consumer-app-version", "1.0.0", "--branch", "main", "--tag", "dev", "--tag", "rc", "--build-url", "http://ci/1")
	require.Equal(t, exitOK, code, stderr)
	require.Contains(t, stdout, "Pact published for web version 1.0.0 and provider api")
	require.Contains(t, stdout, url+"/pacts/provider/auth/consumer/web/version/1.0.0")

	v, err := c.DescribeVersion(ctx, "web", "1.0.0", "")
	require.NoError(t, err)
	require.Equal(t, []string{"main"}, v.Branches)
	require.Equal(t, []string{"dev", "rc"}, v.Tags)
	require.Equal(t, "http://ci/1", v.BuildURL)

	t.Run("version, branch and build URL from the CI environment", func(t *testing.T) {
		vars := map[string]string{
			"PACT_BROKER_BASE_URL": url, "PACT_BROKER_TOKEN": "tok",
			"GITHUB_ACTIONS": "true", "GITHUB_SHA": "abc123", "GITHUB_REF": "refs/heads/feat-x",
			"GITHUB_SERVER_URL": "https://github.example", "GITHUB_REPOSITORY": "org/web", "GITHUB_RUN_ID": "77",
		}
		code, _, stderr := runCLI(ctx, vars, "publish", filepath.Join(dir, "pacts", "web-api.json"), "--output", "json")
		require.Equal(t, exitOK, code, stderr)
		v, err := c.DescribeVersion(ctx, "web", "abc123", "")
		require.NoError(t, err)
		require.Equal(t, []string{"feat-x"}, v.Branches)
		require.Equal(t, "https://github.example/org/web/actions/runs/77", v.BuildURL)
	})

	t.Run("refused", func(t *testing.T) {
		bad := mustWriteFile(t, filepath.Join(dir, "bad", "broken.json"), `{"consumer": {"name": "web"}`)
		mustWriteFile(t, filepath.Join(dir, "mixed", "other.json"), cliPact("mobile", "api", "/c"))
		mustWriteFile(t, filepath.Join(dir, "mixed", "web.json"), cliPact("web", "api", "/c"))
		noName := mustWriteFile(t, filepath.Join(dir, "noname", "p.json"), `{"provider":{"name":"api"},"interactions":[]}`)
		for _, tt := range []struct {
			name string
			vars map[string]string
			args []string
			want string
		}{
			{name: "no broker URL", args: []string{"publish", filepath.Join(dir, "pacts"), "--consumer-app-version", "2"}, want: "--broker-url"},
			{name: "invalid JSON names the file", vars: map[string]string{"PACT_BROKER_BASE_URL": url}, args: []string{"publish", bad, "--consumer-app-version", "2"}, want: bad},
			{name: "consumer.name missing", vars: map[string]string{"PACT_BROKER_BASE_URL": url}, args: []string{"publish", noName, "--consumer-app-version", "2"}, want: "consumer.name is missing"},
			{name: "two consumers", vars: map[string]string{"PACT_BROKER_BASE_URL": url}, args: []string{"publish", filepath.Join(dir, "mixed"), "--consumer-app-version", "2"}, want: `web.json is for consumer "web" but the other pacts are for "mobile"`},
			{name: "missing path", vars: map[string]string{"PACT_BROKER_BASE_URL": url}, args: []string{"publish", filepath.Join(dir, "nope"), "--consumer-app-version", "2"}, want: "nope"},
			{name: "read-only credential", vars: map[string]string{"PACT_BROKER_BASE_URL": url, "PACT_BROKER_TOKEN": "wrong"}, args: []string{"publish", filepath.Join(dir, "pacts"), "--consumer-app-version", "2"}, want: "401"},
			{name: "changed content for a published version", vars: map[string]string{"PACT_BROKER_BASE_URL": url, "PACT_BROKER_TOKEN": "tok"}, args: []string{"publish", filepath.Join(dir, "mixed", "web.json"), "--consumer-app-version", "1.0.0"}, want: "409"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				code, _, stderr := runCLI(ctx, tt.vars, tt.args...)
				require.Equal(t, exitCantTell, code)
				require.Contains(t, stderr, tt.want)
			})
		}
		_, err := c.DescribeVersion(ctx, "web", "2", "")
		require.ErrorIs(t, err, broker.ErrNotFound, "nothing was published")
	})
}

func TestPublishCommandFallsBackToGit(t *testing.T) {
	ctx := context.Background()
	head := gitOutput(ctx, "rev-parse", "HEAD")
	if head == "" {
		t.Skip("not in a git working tree")
	}
	url, c := mustStartTestBroker(t, server.AuthConfig{})
	path := mustWriteFile(t, filepath.Join(t.TempDir(), "web-api.json"), cliPact("web", "api", "/g"))
	code, _, stderr := runCLI(ctx, map[string]string{"PACT_BROKER_BASE_URL": url}, "publish", path)
	require.Equal(t, exitOK, code, stderr)
	v, err := c.DescribeVersion(ctx, "web", head, "")
	require.NoError(t, err, "the version is the git HEAD commit")
	if branch := gitOutput(ctx, "rev-parse", "--abbrev-ref", "HEAD"); branch != "HEAD" {
		require.Equal(t, []string{branch}, v.Branches)
	}
}
