package compare_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/compare"
	"github.com/contracts-dev/contracts/formats/pact"
)

func mustDoc(t *testing.T, yaml string) map[string]any {
	t.Helper()
	doc, ok, err := compare.ParseOpenAPI([]byte(yaml))
	require.NoError(t, err)
	require.True(t, ok)
	return doc
}

func mustPact(t *testing.T, js string) *pact.Pact {
	t.Helper()
	p, err := pact.Parse([]byte(js))
	require.NoError(t, err)
	return p
}

func codes(rs []compare.Result) []string {
	out := []string{}
	for _, r := range rs {
		loc := ""
		if r.MockDetails != nil {
			loc = r.MockDetails.Location
		}
		out = append(out, r.Type+" "+r.Code+" "+loc)
	}
	return out
}

const oneGet = `{"consumer": {"name": "c"}, "provider": {"name": "p"}, "metadata": {"pactSpecification": {"version": "2.0.0"}},
 "interactions": [{"description": "d", "request": {"method": "GET", "path": %q},
  "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": %s}}]}`

// Choices where PactFlow's comparator does otherwise, each tested both ways.
func TestCompareDeliberateDifferences(t *testing.T) {
	t.Parallel()
	t.Run("a server's base path may prefix the pact's paths", func(t *testing.T) {
		t.Parallel()
		doc := mustDoc(t, `
openapi: 3.0.3
info: {title: t, version: "1"}
servers: [{url: "https://api.example.com/v2"}]
paths:
  /orders:
    get:
      responses: {"200": {description: ok, content: {application/json: {schema: {type: object, properties: {n: {type: integer}}}}}}}
`)
		c, err := compare.New(compare.Documents{OpenAPI: doc})
		require.NoError(t, err)
		require.Empty(t, codes(c.Compare(mustPact(t, sprintf(oneGet, "/v2/orders", `{"n": 1}`)))))
		require.Empty(t, codes(c.Compare(mustPact(t, sprintf(oneGet, "/orders", `{"n": 1}`)))))
		require.Equal(t, []string{"error request.path-or-method.unknown [root].interactions[0].request.path"},
			codes(c.Compare(mustPact(t, sprintf(oneGet, "/v3/orders", `{"n": 1}`)))))
	})
	t.Run("allOf branches' required lists are joined", func(t *testing.T) {
		t.Parallel()
		doc := mustDoc(t, `
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /orders:
    post:
      requestBody:
        content:
          application/json:
            schema:
              allOf:
                - {type: object, required: [a, b], properties: {a: {type: string}, b: {type: string}}}
                - {type: object, required: [c], properties: {c: {type: string}}}
      responses: {"201": {description: ok}}
`)
		c, err := compare.New(compare.Documents{OpenAPI: doc})
		require.NoError(t, err)
		post := func(body string) []string {
			return codes(c.Compare(mustPact(t, `{"consumer": {"name": "c"}, "provider": {"name": "p"}, "metadata": {"pactSpecification": {"version": "2.0.0"}},
 "interactions": [{"description": "d", "request": {"method": "POST", "path": "/orders", "headers": {"Content-Type": "application/json"}, "body": `+body+`},
  "response": {"status": 201}}]}`)))
		}
		require.Empty(t, post(`{"a": "x", "b": "y", "c": "z"}`))
		// Without the union, the second branch's list would replace the
		// first's ([c, b]) and a missing "a" would go unseen.
		require.Equal(t, []string{"error request.body.incompatible [root].interactions[0].request.body"}, post(`{"b": "y", "c": "z"}`))
	})
}

func sprintf(format string, args ...any) string { return fmtSprintf(format, args...) }

// One Comparator serves pacts compared in parallel (contracts compare
// does): each gets the results, in the order, it gets alone.
func TestCompareConcurrentlyGivesTheSameResults(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(repoRoot(t), "testdata", "compare", "orders")
	var pacts []*pact.Pact
	for _, name := range []string{"pact.json", "pact-broken.json"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		pacts = append(pacts, mustPact(t, string(data)))
	}
	alone, err := compare.New(compare.Documents{OpenAPI: mustOpenAPI(t, filepath.Join(dir, "openapi.yaml"))})
	require.NoError(t, err)
	var want [][]compare.Result
	for _, p := range pacts {
		want = append(want, alone.Compare(p))
	}
	require.NotEmpty(t, want[1])
	shared, err := compare.New(compare.Documents{OpenAPI: mustOpenAPI(t, filepath.Join(dir, "openapi.yaml"))})
	require.NoError(t, err)
	got := make([][]compare.Result, 16)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() { got[i] = shared.Compare(pacts[i%2]) })
	}
	wg.Wait()
	for i, rs := range got {
		require.Equal(t, want[i%2], rs, "comparison %d", i)
	}
}
