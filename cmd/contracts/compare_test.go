package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const compareCases = "../../testdata/compare"

func runCompareCLI(tb testing.TB, vars map[string]string, args ...string) (int, string, string) {
	tb.Helper()
	var stdout, stderr bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(k string) string { return vars[k] }}
	code := run(context.Background(), args, e)
	return code, stdout.String(), stderr.String()
}

func TestCompareOpenAPI(t *testing.T) {
	t.Parallel()
	oas := filepath.Join(compareCases, "orders", "openapi.yaml")
	for _, spec := range []string{"openapi.yaml", "openapi31.yaml"} {
		t.Run(spec, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCompareCLI(t, nil, "compare", "--oas", filepath.Join(compareCases, "orders", spec),
				filepath.Join(compareCases, "orders", "pact.json"))
			require.Equal(t, exitOK, code, errOut)
			require.Contains(t, out, "compatible: 0 errors")
		})
	}
	// The Swagger 2.0 document does not let the note be null.
	code, out, _ := runCompareCLI(t, nil, "compare", "--oas", filepath.Join(compareCases, "orders", "swagger.yaml"),
		filepath.Join(compareCases, "orders", "pact.json"))
	require.Equal(t, exitNo, code)
	require.Contains(t, out, "interaction \"create an order\" at [root].interactions[2].request.body.note\n")
	require.Contains(t, out, "INCOMPATIBLE: 1 errors, 0 warnings")
	code, out, _ = runCompareCLI(t, nil, "compare", "--oas", oas, filepath.Join(compareCases, "orders", "pact-broken.json"))
	require.Equal(t, exitNo, code)
	require.Contains(t, out, "  GET /orders/{id}\n    error   request.authorization.missing:")
	require.Contains(t, out, "  GET /orders (not in the document)\n    error   request.path-or-method.unknown:")
	require.Contains(t, out, "INCOMPATIBLE: 11 errors, 3 warnings")
}

func TestCompareJSONOutputIsOneLinePerPact(t *testing.T) {
	t.Parallel()
	code, out, _ := runCompareCLI(t, nil, "compare", "--oas", filepath.Join(compareCases, "orders", "openapi.yaml"), "--output", "json",
		filepath.Join(compareCases, "orders", "pact.json"), filepath.Join(compareCases, "orders", "pact-broken.json"))
	require.Equal(t, exitNo, code)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2)
	var ok, broken []map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &ok))
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &broken))
	require.Empty(t, ok)
	require.Len(t, broken, 14)
	first := broken[0]
	require.Equal(t, "error", first["type"])
	require.Equal(t, "request.authorization.missing", first["code"])
	md := first["mockDetails"].(map[string]any)
	require.Equal(t, "get an order", md["interactionDescription"])
	require.Equal(t, "[root].interactions[0].request.headers", md["location"])
	sd := first["specDetails"].(map[string]any)
	require.Equal(t, "get", sd["pathMethod"])
	require.Equal(t, "/orders/{id}", sd["pathName"])
}

func TestCompareAsyncAPI(t *testing.T) {
	t.Parallel()
	spec := filepath.Join(compareCases, "events", "asyncapi.yaml")
	code, out, errOut := runCompareCLI(t, nil, "compare", "--asyncapi", spec, filepath.Join(compareCases, "events", "pact.json"))
	require.Equal(t, exitOK, code, errOut)
	require.Contains(t, out, "  operation publishOrderEvents\n")
	code, out, _ = runCompareCLI(t, nil, "compare", "--asyncapi", spec, filepath.Join(compareCases, "events", "pact-broken.json"))
	require.Equal(t, exitNo, code)
	require.Contains(t, out, "error   message.no.match:")
	require.Contains(t, out, "error   message.operation.unknown: The AsyncAPI document has no operation publishInvoices")
	require.Contains(t, out, "error   message.references.missing:")
}

func TestCompareRefusesWhatItCannotRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		return p
	}
	pactFile := filepath.Join(compareCases, "orders", "pact.json")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no document", []string{"compare", pactFile}, "--oas or --asyncapi is required"},
		{"missing document", []string{"compare", "--oas", filepath.Join(dir, "nope.yaml"), pactFile}, "nope.yaml"},
		{"not YAML", []string{"compare", "--oas", write("bad.yaml", "openapi: [3.0\n"), pactFile}, "bad.yaml: not valid YAML or JSON"},
		{"dangling reference", []string{"compare", "--oas", write("ref.yaml", "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {$ref: '#/components/responses/Nope'}\n"), pactFile},
			`ref.yaml: /paths/~1a/get/responses/200/$ref: "#/components/responses/Nope" points nowhere`},
		{"AsyncAPI 2", []string{"compare", "--asyncapi", write("v2.yaml", "asyncapi: 2.6.0\n"), pactFile}, "v2.yaml#/asyncapi: expected an AsyncAPI 3.x version"},
		{"AsyncAPI bad action", []string{"compare", "--asyncapi", write("act.yaml", "asyncapi: 3.0.0\nchannels: {c: {address: c}}\noperations:\n  o: {action: publish, channel: {$ref: '#/channels/c'}}\n"), pactFile},
			`act.yaml#/operations/o/action: expected "send" or "receive", got publish`},
		{"malformed pact", []string{"compare", "--oas", filepath.Join(compareCases, "orders", "openapi.yaml"), write("p.json", `{"interactions": [{"request": {"method": 7}}]}`)}, "p.json"},
		{"bad output", []string{"compare", "--oas", filepath.Join(compareCases, "orders", "openapi.yaml"), "--output", "xml", pactFile}, `"xml" is not text or json`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCompareCLI(t, nil, tt.args...)
			require.Equal(t, exitCantTell, code, out)
			require.Contains(t, errOut, tt.want)
		})
	}
}

func TestCompareGitHubOutput(t *testing.T) {
	t.Parallel()
	summary := filepath.Join(t.TempDir(), "summary.md")
	code, out, _ := runCompareCLI(t, map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary},
		"compare", "--oas", filepath.Join(compareCases, "orders", "openapi.yaml"), filepath.Join(compareCases, "orders", "pact-broken.json"))
	require.Equal(t, exitNo, code)
	require.Contains(t, out, "::error file=")
	require.Contains(t, out, "title=web -> orders%3A GET /orders/{id} is incompatible::")
	md, err := os.ReadFile(summary)
	require.NoError(t, err)
	require.Contains(t, string(md), "## ❌ Some pacts are incompatible with the provider's documents")
	require.Contains(t, string(md), "| web | orders | 11 | 3 |")
}
