package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// mustOasdiffCLI returns oasdiff's CLI as scripts/install-tools.sh installs
// it (.tools/bin/oasdiff at the repository root, the version go.mod uses),
// or OASDIFF. It skips when the CLI is absent, except in CI.
func mustOasdiffCLI(tb testing.TB) string {
	tb.Helper()
	cli := os.Getenv("OASDIFF")
	if cli == "" {
		cli = filepath.Join("..", "..", ".tools", "bin", "oasdiff")
	}
	if _, err := os.Stat(cli); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("oasdiff CLI %s: %v (scripts/install-tools.sh installs it)", cli, err)
		}
		tb.Skipf("oasdiff CLI %s is not installed (scripts/install-tools.sh): %v", cli, err)
	}
	return cli
}

// differentialFinding is what both tools must agree on.
type differentialFinding struct {
	RuleID, Level, Operation, Source string
}

func oasdiffFindings(tb testing.TB, cli, command, base, revision string) []differentialFinding {
	tb.Helper()
	out, err := exec.Command(cli, command, base, revision, "--format", "json").Output()
	if ee, ok := err.(*exec.ExitError); ok {
		tb.Fatalf("oasdiff %s %s %s: %v\n%s", command, base, revision, err, ee.Stderr)
	}
	require.NoError(tb, err)
	var changes []struct {
		ID         string `json:"id"`
		Level      int    `json:"level"`
		Operation  string `json:"operation"`
		Path       string `json:"path"`
		BaseSource *struct {
			File string
			Line int
		} `json:"baseSource"`
		RevisionSource *struct {
			File string
			Line int
		} `json:"revisionSource"`
	}
	require.NoError(tb, json.Unmarshal(out, &changes))
	levels := map[int]string{3: "ERR", 2: "WARN", 1: "INFO"}
	var fs []differentialFinding
	for _, c := range changes {
		f := differentialFinding{RuleID: c.ID, Level: levels[c.Level]}
		if c.Operation != "" || c.Path != "" {
			f.Operation = c.Operation + " " + c.Path
		}
		for _, s := range []*struct {
			File string
			Line int
		}{c.RevisionSource, c.BaseSource} {
			if s != nil && s.File != "" {
				f.Source = s.File
				if s.Line > 0 {
					f.Source += fmt.Sprintf(":%d", s.Line)
				}
				break
			}
		}
		fs = append(fs, f)
	}
	return fs
}

func ourFindings(tb testing.TB, base, revision, failOn string) []differentialFinding {
	tb.Helper()
	code, stdout, stderr := runBreakingCLI(tb, "breaking", "--openapi", base, "--against", revision, "--fail-on", failOn, "--output", "json")
	require.Less(tb, code, exitCantTell, "stderr: %s", stderr)
	var doc struct {
		Findings []struct {
			RuleID    string `json:"ruleId"`
			Level     string `json:"level"`
			Operation string `json:"operation"`
			Source    string `json:"source"`
		} `json:"findings"`
	}
	require.NoError(tb, json.Unmarshal([]byte(stdout), &doc))
	var fs []differentialFinding
	for _, f := range doc.Findings {
		fs = append(fs, differentialFinding{f.RuleID, f.Level, f.Operation, f.Source})
	}
	return fs
}

func sortFindings(fs []differentialFinding) []differentialFinding {
	slices.SortFunc(fs, func(a, b differentialFinding) int {
		return cmpStrings(a.RuleID+a.Operation+a.Source+a.Level, b.RuleID+b.Operation+b.Source+b.Level)
	})
	return fs
}

func cmpStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestBreakingMatchesOasdiffCLI: on every pair built for these tests, and on
// a generated pair of 80-operation documents, `contracts breaking --openapi`
// reports the rule IDs, levels, operations and sources that oasdiff's own
// CLI reports: `oasdiff breaking` for --fail-on ERR and WARN, `oasdiff
// changelog` (every level) for --fail-on INFO.
func TestBreakingMatchesOasdiffCLI(t *testing.T) {
	cli := mustOasdiffCLI(t)
	var pairs [][2]string
	for _, dir := range []string{"response-property", "request-required", "enum", "removed", "unreached", "assorted", "header-property"} {
		pairs = append(pairs, [2]string{openapiCase(dir, "base.yaml"), openapiCase(dir, "revision.yaml")})
	}
	pairs = append(pairs,
		[2]string{openapiCase("load", "openapi30.json"), openapiCase("load", "openapi31.yaml")},
		[2]string{openapiCase("load", "openapi31.yaml"), openapiCase("load", "openapi30.json")},
		[2]string{openapiCase("load", "multi", "openapi.yaml"), openapiCase("assorted", "base.yaml")},
	)
	gen := t.TempDir()
	out, err := exec.Command("go", "run", "../../testdata/bench/openapi", "-ops", "80", "-pacts", "1", "-out", gen).CombinedOutput()
	require.NoError(t, err, string(out))
	pairs = append(pairs, [2]string{filepath.Join(gen, "base.json"), filepath.Join(gen, "revision.json")},
		[2]string{filepath.Join(gen, "revision.json"), filepath.Join(gen, "base.json")})

	compared := 0
	for _, p := range pairs {
		for _, mode := range []struct{ failOn, command string }{{"ERR", "breaking"}, {"INFO", "changelog"}} {
			t.Run(fmt.Sprintf("%s %s %s", mode.command, p[0], p[1]), func(t *testing.T) {
				want := sortFindings(oasdiffFindings(t, cli, mode.command, p[0], p[1]))
				got := sortFindings(ourFindings(t, p[0], p[1], mode.failOn))
				require.Equal(t, want, got)
				compared += len(want)
			})
		}
	}
	require.Greater(t, compared, 100, "too few findings compared for the test to mean much")
}
