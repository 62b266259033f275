// Package pactclitest runs the official Pact verifier in tests, to compare
// its verdicts with ours. The verifier is the pact CLI named by the
// CONTRACTS_PACT_CLI environment variable (scripts/install-tools.sh installs
// it as .tools/pact/bin/pact); tests skip when it is not set.
package pactclitest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/verify"
)

// VerifierFailures runs the official Pact verifier on the pact file at path
// against the provider at baseURL, with extra verifier arguments
// ("--state-change-url", ...), and returns the descriptions of the
// interactions it failed, sorted, with its output. It requires the
// verifier's exit code to agree with its JSON report, and skips the test
// when CONTRACTS_PACT_CLI is not set.
func VerifierFailures(tb testing.TB, path, baseURL string, extra ...string) (failed []string, output string) {
	tb.Helper()
	cli := os.Getenv("CONTRACTS_PACT_CLI")
	if cli == "" {
		tb.Skip("CONTRACTS_PACT_CLI is not set: set it to the pact CLI (scripts/install-tools.sh installs .tools/pact/bin/pact) to compare with the official verifier")
	}
	u, err := url.Parse(baseURL)
	require.NoError(tb, err)
	report := filepath.Join(tb.TempDir(), "report.json")
	args := append([]string{"verifier", "--file", path, "--hostname", u.Hostname(), "--port", u.Port()}, extra...)
	cmd := exec.Command(cli, append(args, "--json", report, "--no-colour")...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		tb.Fatalf("run %s: %v", cli, err)
	}
	data, err := os.ReadFile(report)
	require.NoError(tb, err, "pact verifier wrote no JSON report; its output:\n%s", out)
	var parsed struct {
		InteractionResults []struct {
			Description string `json:"description"`
			Result      string `json:"result"`
		} `json:"interactionResults"`
	}
	require.NoError(tb, json.Unmarshal(data, &parsed))
	require.NotEmpty(tb, parsed.InteractionResults, "pact verifier output:\n%s", out)
	failed = []string{}
	for _, r := range parsed.InteractionResults {
		if r.Result != "OK" {
			failed = append(failed, r.Description)
		}
	}
	sort.Strings(failed)
	require.Equal(tb, len(failed) > 0, cmd.ProcessState.ExitCode() != 0, "exit code and report disagree:\n%s", out)
	return failed, string(out)
}

// Failed returns the descriptions of the interactions r failed, sorted:
// our verdict in the form VerifierFailures gives the official one.
func Failed(r *verify.Report) []string {
	failed := []string{}
	for _, p := range r.Pacts {
		for _, in := range p.Interactions {
			if in.Failed() {
				failed = append(failed, in.Description)
			}
		}
	}
	sort.Strings(failed)
	return failed
}

// Stub starts the official Pact stub server (pact stub) on a free port
// serving the pact files, and returns its base URL; it is stopped when the
// test ends. It skips the test when CONTRACTS_PACT_CLI is not set.
func Stub(tb testing.TB, files ...string) string {
	tb.Helper()
	cli := os.Getenv("CONTRACTS_PACT_CLI")
	if cli == "" {
		tb.Skip("CONTRACTS_PACT_CLI is not set: set it to the pact CLI (scripts/install-tools.sh installs .tools/pact/bin/pact) to compare with the official stub server")
	}
	args := []string{"stub", "--port", "0"}
	for _, f := range files {
		args = append(args, "--file", f)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, cli, args...)
	cmd.Env = append(os.Environ(), "PACT_DO_NOT_TRACK=true", "NO_COLOR=1")
	out, err := cmd.StdoutPipe()
	require.NoError(tb, err)
	cmd.Stderr = cmd.Stdout
	require.NoError(tb, cmd.Start())
	tb.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	// The stub prints "Server started on port N" once it listens.
	started := regexp.MustCompile(`Server started on port (\d+)`)
	port := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		var log strings.Builder
		for sc.Scan() {
			if m := started.FindStringSubmatch(sc.Text()); m != nil {
				port <- m[1]
				_, _ = io.Copy(io.Discard, out)
				return
			}
			log.WriteString(sc.Text() + "\n")
		}
		port <- "exited:\n" + log.String()
	}()
	p := <-port
	if strings.HasPrefix(p, "exited:") {
		tb.Fatalf("pact stub did not start: %s", p)
	}
	return "http://127.0.0.1:" + p
}
