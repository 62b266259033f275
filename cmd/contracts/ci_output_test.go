package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/ci"
)

// mustReadString reads a file that must exist.
func mustReadString(tb testing.TB, path string) string {
	tb.Helper()
	data, err := os.ReadFile(path)
	require.NoError(tb, err)
	return string(data)
}

// commandLines returns the lines of out that the GitHub runner would run
// as workflow commands: those that start with "::" after leading space,
// except between a stop-commands command and the one resuming with its
// token.
func commandLines(out string) []string {
	var cmds []string
	resume := ""
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimLeft(l, " \t")
		switch {
		case resume != "":
			if l == resume {
				resume = ""
			}
		case strings.HasPrefix(l, "::stop-commands::"):
			resume = "::" + strings.TrimPrefix(l, "::stop-commands::") + "::"
		case strings.HasPrefix(l, "::"):
			cmds = append(cmds, l)
		}
	}
	return cmds
}

// errorLines returns the lines of out that are error annotations.
func errorLines(out string) []string { return linesWith(out, "::error ") }

func linesWith(out, prefix string) []string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, prefix) {
			lines = append(lines, l)
		}
	}
	return lines
}

func TestVerifyGitHubOutput(t *testing.T) {
	ctx := context.Background()
	broken := mustStartOrderProvider(t, &orderProvider{broken: true})
	good := mustStartOrderProvider(t, &orderProvider{})
	summary := filepath.Join(t.TempDir(), "step-summary.md")
	require.NoError(t, os.WriteFile(summary, []byte("# An earlier step\n\n"), 0o644))
	github := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary}
	// Annotations name the pact by its absolute path, which the runner
	// makes relative to the repository.
	pactPath, err := filepath.Abs(ordersPact)
	require.NoError(t, err)
	pactPath = ci.EscapeProperty(pactPath)

	t.Run("failures are annotated and summarised under GitHub Actions", func(t *testing.T) {
		code, stdout, stderr := runCLI(ctx, github, "verify", ordersPact, "--provider-base-url", broken.URL)
		require.Equal(t, exitNo, code, stderr)
		require.Contains(t, stdout, "Verification FAILED", "the text report is still printed")
		// The broken provider sends the total as a string; with no states
		// URL, each state gets a warning, after the errors.
		require.Equal(t, []string{
			"::error file=" + pactPath + ",title=Contract failed%3A order-web -> order-service%3A get an existing order::" +
				`Given an order exists {"id":1}%0ARequest: GET /orders/1%0ABody had differences%0A  $.total: Expected '19.98' (String) to be a decimal number (expected 19.98, actual "19.98")`,
			"::warning file=" + pactPath + `,title=Warning%3A order-web -> order-service%3A get an existing order::no provider state change URL configured for provider state "an order exists"`,
			"::warning file=" + pactPath + `,title=Warning%3A order-web -> order-service%3A get a missing order::no provider state change URL configured for provider state "no orders exist"`,
		}, commandLines(stdout))

		md := mustReadString(t, summary)
		require.True(t, strings.HasPrefix(md, "# An earlier step\n\n### ❌ Contract verification failed: order-service\n"), "appended after the earlier step:\n%s", md)
		require.Contains(t, md, "| order-web → order-service | ../../testdata/verify/orders/pact.json | 4 | 3 | 1 | 0 | 0 |")
		require.Contains(t, md, "<summary>❌ order-web → order-service: get an existing order — Body had differences</summary>")
		require.Contains(t, md, "| \\$.total | 19.98 | \"19.98\" | Expected '19.98' (String) to be a decimal number |")
		require.Contains(t, md, "\n```json\n{\n  \"id\": 1,")
	})

	t.Run("a pass adds no annotation and appends its summary", func(t *testing.T) {
		before := mustReadString(t, summary)
		code, stdout, stderr := runCLI(ctx, github, "verify", ordersPact, "--provider-base-url", good.URL, "--provider-states-setup-url", good.URL+"/_pact/state")
		require.Equal(t, exitOK, code, stderr)
		require.Empty(t, commandLines(stdout+stderr))
		after := mustReadString(t, summary)
		require.True(t, strings.HasPrefix(after, before))
		require.Contains(t, after[len(before):], "### ✅ Contract verification passed: order-service\n\n4 interactions: 4 passed")
	})

	t.Run("with the JSON report on stdout annotations go to stderr", func(t *testing.T) {
		code, stdout, stderr := runCLI(ctx, github, "verify", ordersPact, "--provider-base-url", broken.URL, "--json", "-")
		require.Equal(t, exitNo, code, stderr)
		var report struct{ Success *bool }
		require.NoError(t, json.Unmarshal([]byte(stdout), &report), stdout)
		require.NotNil(t, report.Success)
		require.False(t, *report.Success)
		require.Len(t, errorLines(stderr), 1, stderr)
		require.Empty(t, commandLines(stdout))
	})

	t.Run("flags turn them off", func(t *testing.T) {
		before := mustReadString(t, summary)
		code, stdout, stderr := runCLI(ctx, github, "verify", ordersPact, "--provider-base-url", broken.URL,
			"--github-annotations=false", "--markdown-summary", "")
		require.Equal(t, exitNo, code, stderr)
		require.Empty(t, commandLines(stdout+stderr))
		require.Equal(t, before, mustReadString(t, summary))
	})

	t.Run("flags turn them on outside GitHub Actions", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "summary.md")
		code, stdout, stderr := runCLI(ctx, nil, "verify", ordersPact, "--provider-base-url", broken.URL,
			"--github-annotations", "--markdown-summary", out)
		require.Equal(t, exitNo, code, stderr)
		require.Len(t, errorLines(stdout), 1)
		require.Contains(t, mustReadString(t, out), "### ❌ Contract verification failed")
	})

	t.Run("nothing is printed outside GitHub Actions by default", func(t *testing.T) {
		code, stdout, stderr := runCLI(ctx, map[string]string{"GITHUB_ACTIONS": "false"}, "verify", ordersPact, "--provider-base-url", broken.URL)
		require.Equal(t, exitNo, code, stderr)
		require.Empty(t, commandLines(stdout+stderr))
	})

	t.Run("an unwritable summary file cannot tell", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "missing-dir", "summary.md")
		code, _, stderr := runCLI(ctx, map[string]string{"GITHUB_STEP_SUMMARY": bad}, "verify", ordersPact, "--provider-base-url", good.URL, "--filter-no-state")
		require.Equal(t, exitCantTell, code)
		require.Contains(t, stderr, "--markdown-summary")
		require.Contains(t, stderr, "missing-dir")
	})
}

func TestVerifyGitHubOutputFencesTheTextReport(t *testing.T) {
	srv := mustStartOrderProvider(t, &orderProvider{})
	pactFile := mustWriteFile(t, filepath.Join(t.TempDir(), "pact.json"), `{"consumer":{"name":"web"},"provider":{"name":"order-service"},`+
		`"interactions":[{"description":"::add-mask::secret","request":{"method":"GET","path":"/orders"},"response":{"status":200}}],`+
		`"metadata":{"pactSpecification":{"version":"2.0.0"}}}`)
	code, stdout, stderr := runCLI(context.Background(), map[string]string{"GITHUB_ACTIONS": "true"}, "verify", pactFile, "--provider-base-url", srv.URL)
	require.Equal(t, exitOK, code, stderr)
	require.Contains(t, stdout, "\n  ::add-mask::secret (OK)\n", "the description is printed")
	require.Empty(t, commandLines(stdout), "but inside the fence:\n%s", stdout)
	first := strings.SplitN(stdout, "\n", 2)[0]
	require.Regexp(t, `^::stop-commands::[A-Z2-7]{26}$`, first)

	code, stdout, _ = runCLI(context.Background(), map[string]string{"GITHUB_ACTIONS": "true"}, "verify", pactFile, "--provider-base-url", srv.URL)
	require.Equal(t, exitOK, code)
	require.NotEqual(t, first, strings.SplitN(stdout, "\n", 2)[0], "a new token each run")

	code, stdout, _ = runCLI(context.Background(), nil, "verify", pactFile, "--provider-base-url", srv.URL)
	require.Equal(t, exitOK, code)
	require.NotContains(t, stdout, "stop-commands", "no fence without annotations")
}

func TestCanIDeployGitHubOutput(t *testing.T) {
	ctx := context.Background()
	url := mustStartCanIDeployBroker(t)
	summary := filepath.Join(t.TempDir(), "step-summary.md")
	vars := map[string]string{"PACT_BROKER_BASE_URL": url, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary}

	t.Run("a refusal is annotated and summarised", func(t *testing.T) {
		code, stdout, stderr := runCLI(ctx, vars, "can-i-deploy", "--pacticipant", "web", "--version", "2")
		require.Equal(t, exitNo, code, stderr)
		require.Contains(t, stdout, "Computer says no")
		cmds := commandLines(stdout)
		require.Len(t, cmds, 1, stdout)
		require.True(t, strings.HasPrefix(cmds[0], "::error title=can-i-deploy%3A computer says no::"), cmds[0])
		require.Contains(t, cmds[0], "%0Aweb 2 -> api 10: verification failed")

		md := mustReadString(t, summary)
		require.True(t, strings.HasPrefix(md, "### ❌ Can I deploy? No\n"), md)
		require.Contains(t, md, "| web | 2 | api | 10 | ❌ failed |")
	})

	t.Run("a yes adds no annotation and appends its summary", func(t *testing.T) {
		before := mustReadString(t, summary)
		code, stdout, stderr := runCLI(ctx, vars, "can-i-deploy", "--pacticipant", "web", "--version", "1")
		require.Equal(t, exitOK, code, stderr)
		require.Empty(t, commandLines(stdout+stderr))
		after := mustReadString(t, summary)
		require.True(t, strings.HasPrefix(after, before))
		require.Contains(t, after[len(before):], "### ✅ Can I deploy? Yes")
		require.Contains(t, after[len(before):], "| web | 1 | api | 10 | ✅ passed |")
	})

	t.Run("unknown results cannot tell", func(t *testing.T) {
		code, stdout, stderr := runCLI(ctx, vars, "can-i-deploy", "--pacticipant", "web", "--version", "3")
		require.Equal(t, exitCantTell, code, stderr)
		cmds := commandLines(stdout)
		require.Len(t, cmds, 1, stdout)
		require.True(t, strings.HasPrefix(cmds[0], "::error title=can-i-deploy%3A computer cannot tell::"), cmds[0])
		require.Contains(t, mustReadString(t, summary), "### ❔ Can I deploy? Cannot tell")
	})

	t.Run("with JSON on stdout annotations go to stderr", func(t *testing.T) {
		code, stdout, stderr := runCLI(ctx, vars, "can-i-deploy", "--pacticipant", "web", "--version", "2", "--output", "json")
		require.Equal(t, exitNo, code, stderr)
		var out struct{ Summary struct{ Deployable *bool } }
		require.NoError(t, json.Unmarshal([]byte(stdout), &out), stdout)
		require.NotNil(t, out.Summary.Deployable)
		require.Len(t, commandLines(stderr), 1, stderr)
	})

	t.Run("flags turn them off", func(t *testing.T) {
		before := mustReadString(t, summary)
		code, stdout, stderr := runCLI(ctx, vars, "can-i-deploy", "--pacticipant", "web", "--version", "2",
			"--github-annotations=false", "--markdown-summary=")
		require.Equal(t, exitNo, code, stderr)
		require.Empty(t, commandLines(stdout+stderr))
		require.Equal(t, before, mustReadString(t, summary))
	})
}
