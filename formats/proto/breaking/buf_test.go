package breaking_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/proto"
	"github.com/contracts-dev/contracts/formats/proto/breaking"
)

// bufCasesDir holds one directory per case, each with an old and a new
// module root.
var bufCasesDir = filepath.Join(repoRoot, "testdata", "proto", "breaking", "buf")

func bufCases(tb testing.TB) []string {
	tb.Helper()
	entries, err := os.ReadDir(bufCasesDir)
	require.NoError(tb, err)
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	require.NotEmpty(tb, out)
	return out
}

// allRules applies every rule of every category.
func allRules(tb testing.TB) breaking.RuleSet {
	tb.Helper()
	set, err := breaking.Select([]string{"FILE", "PACKAGE", "WIRE_JSON", "WIRE"})
	require.NoError(tb, err)
	return set
}

// result is a finding as both tools can give it: buf's rule ID, the path
// inside the module and the line (0: none).
type result struct {
	rule string
	path string
	line int
}

func (r result) String() string {
	path := r.path
	if path == "" {
		path = "-"
	}
	return fmt.Sprintf("%s %s:%d", r.rule, path, r.line)
}

func sortResults(rs []result) []result {
	sort.Slice(rs, func(i, j int) bool { return rs[i].String() < rs[j].String() })
	return rs
}

// ourResults runs Check on a case with every rule.
func ourResults(tb testing.TB, name string) []result {
	tb.Helper()
	dir := filepath.Join(bufCasesDir, name)
	old, err := proto.LoadDir(context.Background(), filepath.Join(dir, "old"), nil)
	require.NoError(tb, err)
	new, err := proto.LoadDir(context.Background(), filepath.Join(dir, "new"), nil)
	require.NoError(tb, err)
	out := []result{}
	for _, f := range breaking.CheckRules(old, new, allRules(tb)) {
		rel, err := filepath.Rel(dir, f.File)
		require.NoError(tb, err)
		// The path inside its module, as buf prints it; buf prints no path
		// for what it locates in the old schema only (a deleted file or
		// package).
		side, inModule, _ := strings.Cut(filepath.ToSlash(rel), "/")
		if side == "old" {
			inModule = ""
		}
		require.Equal(tb, breaking.BufID(f.RuleID), f.BufRuleID)
		out = append(out, result{f.BufRuleID, inModule, f.Line})
	}
	return sortResults(out)
}

func readWant(tb testing.TB, name string) []result {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(bufCasesDir, name, "want.txt"))
	require.NoError(tb, err, "run go test ./formats/proto/breaking -run TestBufCases -update")
	out := []result{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		var r result
		var loc string
		if _, err := fmt.Sscan(sc.Text(), &r.rule, &loc); err != nil {
			tb.Fatalf("%s/want.txt: %q: %v", name, sc.Text(), err)
		}
		path, line, _ := strings.Cut(loc, ":")
		if path != "-" {
			r.path = path
		}
		_, err := fmt.Sscan(line, &r.line)
		require.NoError(tb, err)
		out = append(out, r)
	}
	return sortResults(out)
}

// Every case gives what its want.txt records (checked against buf by
// TestDifferentialAgainstBuf); every ok- case gives nothing in any
// category: the compatible change each rule must not report.
func TestBufCases(t *testing.T) {
	t.Parallel()
	for _, name := range bufCases(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := ourResults(t, name)
			if *update {
				var b strings.Builder
				for _, r := range got {
					b.WriteString(r.String() + "\n")
				}
				require.NoError(t, os.WriteFile(filepath.Join(bufCasesDir, name, "want.txt"), []byte(b.String()), 0o644))
				return
			}
			require.Equal(t, readWant(t, name), got)
			if strings.HasPrefix(name, "ok-") {
				require.Empty(t, got)
			} else {
				require.NotEmpty(t, got)
			}
		})
	}
}

// Every rule is reported by at least one case, so the differential test
// covers it.
func TestEveryRuleHasABufCase(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, name := range bufCases(t) {
		for _, r := range readWant(t, name) {
			seen[r.rule] = true
		}
	}
	for _, r := range breaking.Rules() {
		require.True(t, seen[r.BufID], "no case in %s reports %s (%s)", bufCasesDir, r.BufID, r.ID)
	}
}

// mustBuf returns the buf binary scripts/install-tools.sh installs. It
// skips the test when buf is missing, except in CI.
func mustBuf(tb testing.TB) string {
	tb.Helper()
	bin, err := filepath.Abs(filepath.Join(repoRoot, ".tools", "bin", "buf"))
	require.NoError(tb, err)
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("buf is missing at %s: run scripts/install-tools.sh", bin)
		}
		tb.Skipf("buf is missing at %s (run scripts/install-tools.sh): %v", bin, err)
	}
	return bin
}

// bufRuleCategories reads buf's own rule table.
func bufRuleCategories(tb testing.TB, bin string) map[string][]string {
	tb.Helper()
	cmd := exec.Command(bin, "config", "ls-breaking-rules", "--version", "v2", "--format", "json")
	cmd.Dir = tb.TempDir()
	out, err := cmd.Output()
	require.NoError(tb, err)
	rules := map[string][]string{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var r struct {
			ID         string   `json:"id"`
			Categories []string `json:"categories"`
			Deprecated bool     `json:"deprecated"`
		}
		require.NoError(tb, dec.Decode(&r))
		if r.Deprecated {
			continue
		}
		// Only the four categories of buf's docs (buf has others, such as
		// CSR, for its registry).
		var cats []string
		for _, c := range r.Categories {
			if slices.Contains(breaking.Categories(), breaking.Category(c)) {
				cats = append(cats, c)
			}
		}
		rules[r.ID] = cats
	}
	require.NotEmpty(tb, rules)
	return rules
}

// Our rule table is buf's: the same rules in the same categories.
func TestRuleTableMatchesBuf(t *testing.T) {
	t.Parallel()
	bufRules := bufRuleCategories(t, mustBuf(t))
	ours := map[string][]string{}
	for _, r := range breaking.Rules() {
		var cats []string
		for _, c := range r.Categories {
			cats = append(cats, string(c))
		}
		ours[r.BufID] = cats
	}
	for id, cats := range bufRules {
		slices.Sort(cats)
		bufRules[id] = cats
	}
	for id, cats := range ours {
		slices.Sort(cats)
		ours[id] = cats
	}
	require.Equal(t, bufRules, ours)
}

// runBuf runs buf breaking on a case with every rule and returns its
// findings.
func runBuf(tb testing.TB, bin, name string) []result {
	tb.Helper()
	dir, err := filepath.Abs(filepath.Join(bufCasesDir, name))
	require.NoError(tb, err)
	config := `{"version":"v2","breaking":{"use":["FILE","PACKAGE","WIRE_JSON","WIRE"]}}`
	cmd := exec.Command(bin, "breaking", ".", "--against", "../old", "--error-format", "json", "--config", config)
	cmd.Dir = filepath.Join(dir, "new")
	cmd.Env = append(os.Environ(), "BUF_CACHE_DIR="+tb.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 100) {
		tb.Fatalf("buf breaking %s: %v\n%s", name, err, stderr.String())
	}
	out := []result{}
	dec := json.NewDecoder(&stdout)
	for dec.More() {
		var a struct {
			Path      string `json:"path"`
			StartLine int    `json:"start_line"`
			Type      string `json:"type"`
		}
		require.NoError(tb, dec.Decode(&a))
		out = append(out, result{a.Type, a.Path, a.StartLine})
	}
	return sortResults(out)
}

// knownDivergences are buf rules whose findings we do not compare, each
// with why.
var knownDivergences = map[string]string{
	// buf 1.75.0 never reports it: an enum deleted from a package, its file
	// kept or not, top-level or nested, goes unreported, while
	// PACKAGE_MESSAGE_NO_DELETE reports the same change for messages. We
	// report it, as its documentation says.
	"PACKAGE_ENUM_NO_DELETE": "not reported by buf 1.75.0",
}

// Differential test: on every case, in every category, the findings
// (buf's rule ID, file, line) are buf's.
func TestDifferentialAgainstBuf(t *testing.T) {
	t.Parallel()
	bin := mustBuf(t)
	bufRules := bufRuleCategories(t, bin)
	for _, name := range bufCases(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			theirs := runBuf(t, bin, name)
			ours := ourResults(t, name)
			for _, cat := range breaking.Categories() {
				in := func(rs []result) []string {
					out := []string{}
					for _, r := range rs {
						if _, skip := knownDivergences[r.rule]; !skip && slices.Contains(bufRules[r.rule], string(cat)) {
							out = append(out, r.String())
						}
					}
					return out
				}
				require.Equal(t, in(theirs), in(ours), "category %s", cat)
			}
		})
	}
}
