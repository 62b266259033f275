package compare_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/compare"
	"github.com/contracts-dev/contracts/formats/pact"
)

// comparatorCLI locates PactFlow's comparator installed by
// scripts/install-tools.sh; absent, the test skips, except in CI.
func comparatorCLI(t *testing.T) string {
	t.Helper()
	cli := os.Getenv("CONTRACTS_PACTFLOW_COMPARATOR")
	if cli == "" {
		cli = filepath.Join(repoRoot(t), ".tools", "pactflow-comparator", "node_modules", "@pactflow", "openapi-pact-comparator", "dist", "cli.cjs")
	}
	_, err := os.Stat(cli)
	_, nodeErr := exec.LookPath("node")
	if err != nil || nodeErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PactFlow's comparator (%s) or node is missing; scripts/install-tools.sh installs it", cli)
		}
		t.Skipf("PactFlow's comparator is not installed at %s (run scripts/install-tools.sh)", cli)
	}
	return cli
}

func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, parent, dir, "no go.mod above the test")
		dir = parent
	}
}

// key is what the differential test compares of a result: its type, code
// and where it is in the pact. Messages are ours, in our words.
func key(typ, code, location string) string { return typ + " " + code + " " + location }

func ours(t *testing.T, c *compare.Comparator, file string) []string {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	p, err := pact.Parse(data)
	require.NoError(t, err, file)
	set := map[string]bool{}
	for _, r := range c.Compare(p) {
		loc := ""
		if r.MockDetails != nil {
			loc = r.MockDetails.Location
		}
		set[key(r.Type, r.Code, loc)] = true
	}
	return sorted(set)
}

func theirs(t *testing.T, cli string, flag, spec string, files []string) [][]string {
	t.Helper()
	args := append([]string{cli, flag, spec}, files...)
	out, err := exec.Command("node", args...).Output()
	if err != nil {
		// The comparator exits with the number of failing pacts.
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("run comparator: %v", err)
		}
	}
	var res [][]string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var rs []struct {
			Type        string `json:"type"`
			Code        string `json:"code"`
			MockDetails *struct {
				Location string `json:"location"`
			} `json:"mockDetails"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &rs), line)
		set := map[string]bool{}
		for _, r := range rs {
			loc := ""
			if r.MockDetails != nil {
				loc = r.MockDetails.Location
			}
			set[key(r.Type, r.Code, loc)] = true
		}
		res = append(res, sorted(set))
	}
	require.Len(t, res, len(files), "one line per pact")
	return res
}

func sorted(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// mutation changes one thing of a pact written as JSON.
type mutation struct {
	name string
	fn   func(p map[string]any)
}

func interaction(p map[string]any, i int) map[string]any {
	return p["interactions"].([]any)[i].(map[string]any)
}

func part(p map[string]any, i int, side string) map[string]any {
	return interaction(p, i)[side].(map[string]any)
}

func hdrs(p map[string]any, i int, side string) map[string]any {
	m := part(p, i, side)
	h, ok := m["headers"].(map[string]any)
	if !ok {
		h = map[string]any{}
		m["headers"] = h
	}
	return h
}

// httpMutations derive pacts from testdata/compare/orders/pact.json, one
// change each, covering every check of an HTTP interaction.
var httpMutations = []mutation{
	{"none", func(map[string]any) {}},
	{"unknown path", func(p map[string]any) { part(p, 0, "request")["path"] = "/order/1" }},
	{"unknown method", func(p map[string]any) { part(p, 0, "request")["method"] = "DELETE" }},
	{"path parameter of the wrong type", func(p map[string]any) { part(p, 0, "request")["path"] = "/orders/one" }},
	{"trailing slash", func(p map[string]any) { part(p, 0, "request")["path"] = "/orders/1/" }},
	{"no authorization", func(p map[string]any) { delete(hdrs(p, 0, "request"), "Authorization") }},
	{"basic instead of bearer", func(p map[string]any) { hdrs(p, 0, "request")["Authorization"] = "Basic eDp5" }},
	{"no authorization on an error", func(p map[string]any) { delete(hdrs(p, 1, "request"), "Authorization") }},
	{"query value not in enum", func(p map[string]any) { part(p, 0, "request")["query"] = "expand=all" }},
	{"unknown query", func(p map[string]any) { part(p, 0, "request")["query"] = "expand=lines&page=2" }},
	{"unknown request header", func(p map[string]any) { hdrs(p, 0, "request")["X-Trace"] = "t" }},
	{"standard request header", func(p map[string]any) { hdrs(p, 0, "request")["User-Agent"] = "curl" }},
	{"accept not produced", func(p map[string]any) { hdrs(p, 0, "request")["Accept"] = "application/xml" }},
	{"accept with vendor suffix", func(p map[string]any) { hdrs(p, 0, "request")["Accept"] = "application/vnd.orders+json" }},
	{"accept wildcard", func(p map[string]any) { hdrs(p, 0, "request")["Accept"] = "*/*" }},
	{"request content type not consumed", func(p map[string]any) { hdrs(p, 2, "request")["Content-Type"] = "application/xml" }},
	{"request content type with charset", func(p map[string]any) {
		hdrs(p, 2, "request")["Content-Type"] = "application/json; charset=utf-8"
	}},
	{"request without content type", func(p map[string]any) { delete(hdrs(p, 2, "request"), "Content-Type") }},
	{"request body missing a required property", func(p map[string]any) { part(p, 2, "request")["body"] = map[string]any{"note": "x"} }},
	{"request body with a wrong item type", func(p map[string]any) {
		part(p, 2, "request")["body"] = map[string]any{"lines": []any{map[string]any{"sku": 5, "quantity": 1}}}
	}},
	{"request body below a minimum", func(p map[string]any) {
		part(p, 2, "request")["body"] = map[string]any{"lines": []any{map[string]any{"sku": "a", "quantity": 0}}}
	}},
	{"request body with an extra property", func(p map[string]any) {
		part(p, 2, "request")["body"] = map[string]any{"lines": []any{}, "colour": "red"}
	}},
	{"request body nullable property null", func(p map[string]any) {
		part(p, 2, "request")["body"] = map[string]any{"lines": []any{}, "note": nil}
	}},
	{"request body not nullable null", func(p map[string]any) {
		part(p, 2, "request")["body"] = map[string]any{"lines": nil}
	}},
	{"no request body though required", func(p map[string]any) { delete(part(p, 2, "request"), "body") }},
	{"request body as text", func(p map[string]any) {
		hdrs(p, 2, "request")["Content-Type"] = "text/plain"
		part(p, 2, "request")["body"] = "hello"
	}},
	{"undocumented status", func(p map[string]any) { part(p, 0, "response")["status"] = 500 }},
	{"status matching default", func(p map[string]any) { part(p, 2, "response")["status"] = 400 }},
	{"response content type not produced", func(p map[string]any) { hdrs(p, 0, "response")["Content-Type"] = "text/html" }},
	{"response header of the wrong type", func(p map[string]any) { hdrs(p, 0, "response")["X-Rate-Limit"] = "many" }},
	{"undocumented response header", func(p map[string]any) { hdrs(p, 0, "response")["X-Other"] = "1" }},
	{"standard response header", func(p map[string]any) { hdrs(p, 0, "response")["ETag"] = "abc" }},
	{"response property undocumented", func(p map[string]any) {
		part(p, 0, "response")["body"].(map[string]any)["colour"] = "red"
	}},
	{"response property of the wrong type", func(p map[string]any) {
		part(p, 0, "response")["body"].(map[string]any)["id"] = "1"
	}},
	{"response enum value unknown", func(p map[string]any) {
		part(p, 0, "response")["body"].(map[string]any)["status"] = "lost"
	}},
	{"response property from the second allOf branch only", func(p map[string]any) {
		part(p, 0, "response")["body"] = map[string]any{"total": 3.5}
	}},
	{"nested response item undocumented property", func(p map[string]any) {
		part(p, 0, "response")["body"].(map[string]any)["lines"] = []any{map[string]any{"sku": "a", "quantity": 1, "gift": true}}
	}},
	{"response body where none is documented", func(p map[string]any) { part(p, 1, "response")["body"] = map[string]any{"error": "x"} }},
	{"empty response body", func(p map[string]any) { part(p, 0, "response")["body"] = map[string]any{} }},
}

func TestDifferentialOpenAPI(t *testing.T) {
	cli := comparatorCLI(t)
	for _, spec := range []string{"openapi.yaml", "openapi31.yaml", "swagger.yaml"} {
		t.Run(spec, func(t *testing.T) { differentialOpenAPI(t, cli, spec) })
	}
}

func differentialOpenAPI(t *testing.T, cli, specFile string) {
	dir := filepath.Join(repoRoot(t), "testdata", "compare", "orders")
	spec := filepath.Join(dir, specFile)
	base, err := os.ReadFile(filepath.Join(dir, "pact.json"))
	require.NoError(t, err)
	tmp := t.TempDir()
	var files []string
	for i, m := range httpMutations {
		var p map[string]any
		require.NoError(t, json.Unmarshal(base, &p))
		m.fn(p)
		b, err := json.Marshal(p)
		require.NoError(t, err)
		f := filepath.Join(tmp, fmt.Sprintf("%02d.json", i))
		require.NoError(t, os.WriteFile(f, b, 0o644))
		files = append(files, f)
	}
	files = append(files, filepath.Join(dir, "pact-broken.json"))
	want := theirs(t, cli, "--oas", spec, files)
	doc := mustOpenAPI(t, spec)
	c, err := compare.New(compare.Documents{OpenAPI: doc})
	require.NoError(t, err)
	for i, f := range files {
		name := "pact-broken.json"
		if i < len(httpMutations) {
			name = httpMutations[i].name
		}
		t.Run(name, func(t *testing.T) {
			require.Equal(t, want[i], ours(t, c, f))
		})
	}
}

func TestDifferentialAsyncAPI(t *testing.T) {
	cli := comparatorCLI(t)
	dir := filepath.Join(repoRoot(t), "testdata", "compare", "events")
	spec := filepath.Join(dir, "asyncapi.yaml")
	files := []string{filepath.Join(dir, "pact.json"), filepath.Join(dir, "pact-broken.json")}
	want := theirs(t, cli, "--asyncapi", spec, files)
	c, err := compare.New(compare.Documents{AsyncAPI: mustAsyncAPI(t, spec)})
	require.NoError(t, err)
	for i, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			require.Equal(t, want[i], ours(t, c, f))
		})
	}
}
