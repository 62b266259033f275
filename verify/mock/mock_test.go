package mock_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/verify/mock"
)

func mustParse(tb testing.TB, data string) *pact.Pact {
	tb.Helper()
	p, err := pact.Parse([]byte(data))
	require.NoError(tb, err)
	return p
}

func mustReadPact(tb testing.TB, path string) *pact.Pact {
	tb.Helper()
	data, err := os.ReadFile(path)
	require.NoError(tb, err)
	return mustParse(tb, string(data))
}

// basicPact has the interactions of the compatibility suite's V1 consumer
// feature that these tests use.
const basicPact = `{
  "consumer": {"name": "web"}, "provider": {"name": "api"},
  "interactions": [
    {"description": "basic", "request": {"method": "GET", "path": "/basic"},
     "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": {"one": "a", "two": "b"}}},
    {"description": "with params", "request": {"method": "GET", "path": "/with_params", "query": "a=1&b=2"},
     "response": {"status": 200}},
    {"description": "with headers", "request": {"method": "GET", "path": "/with_headers", "headers": {"X-TEST": "Compatibility"}},
     "response": {"status": 200}},
    {"description": "put basic", "request": {"method": "PUT", "path": "/basic", "headers": {"Content-Type": "application/json"}, "body": {"one": "a", "two": "b"}},
     "response": {"status": 200}}
  ],
  "metadata": {"pactSpecification": {"version": "1.0.0"}}
}`

// only keeps the interactions of p with the given descriptions.
func only(p *pact.Pact, descs ...string) *pact.Pact {
	c := *p
	c.Interactions = nil
	for _, in := range p.Interactions {
		for _, d := range descs {
			if in.Description == d {
				c.Interactions = append(c.Interactions, in)
			}
		}
	}
	return &c
}

func mustStart(tb testing.TB, pacts ...*pact.Pact) *mock.Server {
	tb.Helper()
	srv := mock.New(pacts, mock.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	require.NoError(tb, srv.Start(ctx, "127.0.0.1:0"))
	require.True(tb, strings.HasPrefix(srv.URL(), "http://127.0.0.1:"), srv.URL())
	return srv
}

type answer struct {
	status int
	header http.Header
	body   string
}

func mustDo(tb testing.TB, method, url, body string, header http.Header) answer {
	tb.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(tb, err)
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(tb, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(tb, err)
	return answer{resp.StatusCode, resp.Header, string(data)}
}

func problemTypes(ps []mock.Problem) []mock.ProblemType {
	var out []mock.ProblemType
	for _, p := range ps {
		out = append(out, p.Type)
	}
	return out
}

func TestAllRequestsMade(t *testing.T) {
	srv := mustStart(t, only(mustParse(t, basicPact), "basic"))
	a := mustDo(t, "GET", srv.URL()+"/basic", "", nil)
	require.Equal(t, 200, a.status)
	require.Equal(t, "application/json", a.header.Get("Content-Type"))
	require.JSONEq(t, `{"one": "a", "two": "b"}`, a.body)

	require.NoError(t, srv.Verify())
	require.Empty(t, srv.Status())
	dir := t.TempDir()
	paths, err := srv.WritePact(dir)
	require.NoError(t, err)
	require.Equal(t, []string{filepath.Join(dir, "web-api.json")}, paths)
	written := mustReadPact(t, paths[0])
	require.Len(t, written.Interactions, 1)
	require.Equal(t, "GET", written.Interactions[0].Request.Method)
	require.JSONEq(t, `{"one": "a", "two": "b"}`, string(written.Interactions[0].Response.Body.Content))
	require.Equal(t, pact.V3, written.Spec)
}

func TestNotAllRequestsMade(t *testing.T) {
	srv := mustStart(t, only(mustParse(t, basicPact), "basic", "with params"))
	require.Equal(t, 200, mustDo(t, "GET", srv.URL()+"/basic", "", nil).status)

	err := srv.Verify()
	require.ErrorIs(t, err, mock.ErrNotOK)
	require.ErrorContains(t, err, "expected but not received: GET /with_params")
	st := srv.Status()
	require.Equal(t, []mock.ProblemType{mock.ProblemMissing}, problemTypes(st))
	require.Equal(t, "with params", st[0].Description)

	dir := t.TempDir()
	_, err = srv.WritePact(dir)
	require.ErrorIs(t, err, mock.ErrNotOK)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries)
}

func TestUnexpectedRequest(t *testing.T) {
	srv := mustStart(t, only(mustParse(t, basicPact), "basic"))
	a := mustDo(t, "GET", srv.URL()+"/with_params?a=1&b=2", "", nil)
	require.Equal(t, 500, a.status)
	require.Equal(t, "application/json", a.header.Get("Content-Type"))
	var body map[string]any
	require.NoError(t, json.Unmarshal([]byte(a.body), &body))
	require.Contains(t, body["error"], "Unexpected request")

	st := srv.Status()
	require.Equal(t, []mock.ProblemType{mock.ProblemUnexpected, mock.ProblemMissing}, problemTypes(st))
	require.Equal(t, "GET", st[0].Method)
	require.Equal(t, "/with_params", st[0].Path)
	require.Contains(t, st[0].String(), `unexpected request received: GET /with_params`)
}

func TestInvalidMethodOrPathIsUnexpected(t *testing.T) {
	for _, tc := range []struct{ method, path string }{{"HEAD", "/basic"}, {"GET", "/path"}} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			srv := mustStart(t, only(mustParse(t, basicPact), "basic"))
			require.Equal(t, 500, mustDo(t, tc.method, srv.URL()+tc.path, "", nil).status)
			st := srv.Status()
			require.Equal(t, mock.ProblemUnexpected, st[0].Type)
			require.Equal(t, tc.method, st[0].Method)
			require.Equal(t, tc.path, st[0].Path)
		})
	}
}

func TestMismatchedRequestGetsMismatches(t *testing.T) {
	for _, tc := range []struct {
		name, desc, method, path, body string
		header                         http.Header
		kind                           string
	}{
		{name: "query", desc: "with params", method: "GET", path: "/with_params?a=1&c=3", kind: "query"},
		{name: "header", desc: "with headers", method: "GET", path: "/with_headers", header: http.Header{"X-Other": {"Something"}}, kind: "header"},
		{name: "body", desc: "put basic", method: "PUT", path: "/basic", body: `{"one": "a", "two": "c"}`, header: http.Header{"Content-Type": {"application/json"}}, kind: "body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := mustStart(t, only(mustParse(t, basicPact), tc.desc))
			a := mustDo(t, tc.method, srv.URL()+tc.path, tc.body, tc.header)
			require.Equal(t, 500, a.status)
			var body struct {
				Error      string `json:"error"`
				Mismatches []struct {
					Type     string `json:"type"`
					Mismatch string `json:"mismatch"`
				} `json:"mismatches"`
			}
			require.NoError(t, json.Unmarshal([]byte(a.body), &body), a.body)
			require.NotEmpty(t, body.Mismatches, a.body)
			require.Contains(t, body.Mismatches[0].Type, tc.kind)
			require.NotEmpty(t, body.Mismatches[0].Mismatch)

			st := srv.Status()
			require.Equal(t, []mock.ProblemType{mock.ProblemMismatch, mock.ProblemMissing}, problemTypes(st))
			require.Equal(t, tc.desc, st[0].Description)
			require.NotEmpty(t, st[0].Mismatches)
			_, err := srv.WritePact(t.TempDir())
			require.ErrorIs(t, err, mock.ErrNotOK)
		})
	}
}

func TestPrefersUnusedInteraction(t *testing.T) {
	p := mustParse(t, `{
	  "consumer": {"name": "web"}, "provider": {"name": "api"},
	  "interactions": [
	    {"description": "first", "request": {"method": "GET", "path": "/next"}, "response": {"status": 200, "body": "one"}},
	    {"description": "second", "request": {"method": "GET", "path": "/next"}, "response": {"status": 200, "body": "two"}}
	  ],
	  "metadata": {"pactSpecification": {"version": "2.0.0"}}}`)
	srv := mustStart(t, p)
	require.Equal(t, "one", mustDo(t, "GET", srv.URL()+"/next", "", nil).body)
	require.Equal(t, "two", mustDo(t, "GET", srv.URL()+"/next", "", nil).body)
	require.Equal(t, "one", mustDo(t, "GET", srv.URL()+"/next", "", nil).body) // both used: the first again
	require.NoError(t, srv.Verify())
}

func TestServesSeveralPactsAsHandler(t *testing.T) {
	a := only(mustParse(t, basicPact), "basic")
	b := mustParse(t, `{"consumer": {"name": "web"}, "provider": {"name": "billing"},
	  "interactions": [{"description": "invoice", "request": {"method": "GET", "path": "/invoices/1"},
	    "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": {"id": 1}}}],
	  "metadata": {"pactSpecification": {"version": "4.0"}}}`)
	srv := mock.New([]*pact.Pact{a, b}, mock.Options{})
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	require.Equal(t, 200, mustDo(t, "GET", hs.URL+"/invoices/1", "", nil).status)
	require.Equal(t, 200, mustDo(t, "GET", hs.URL+"/basic", "", nil).status)
	require.NoError(t, srv.Verify())
	paths, err := srv.WritePact(t.TempDir())
	require.NoError(t, err)
	require.Len(t, paths, 2)
	require.Equal(t, "web-billing.json", filepath.Base(paths[1]))
	require.Equal(t, pact.V4, mustReadPact(t, paths[1]).Spec)
}
func TestMockServerURLGenerator(t *testing.T) {
	p := mustParse(t, `{"consumer": {"name": "web"}, "provider": {"name": "api"},
	  "interactions": [{"type": "Synchronous/HTTP", "description": "links", "request": {"method": "GET", "path": "/orders/1"},
	    "response": {"status": 200, "headers": {"Content-Type": ["application/json"]},
	      "body": {"content": {"self": "http://localhost:8080/orders/1"}, "contentType": "application/json", "encoded": false},
	      "generators": {"body": {"$.self": {"type": "MockServerURL", "example": "http://localhost:8080/orders/1", "regex": ".*(/orders/\\d+)$"}}}}}],
	  "metadata": {"pactSpecification": {"version": "4.0"}}}`)
	srv := mustStart(t, p)
	a := mustDo(t, "GET", srv.URL()+"/orders/1", "", nil)
	require.Equal(t, 200, a.status)
	require.JSONEq(t, `{"self": "`+srv.URL()+`/orders/1"}`, a.body)
}

// A pact path written percent-escaped (as Ruby and JS clients write
// "/pacticipants/Pricing%20Service") matches the request that sends it, and
// an escaped percent sign in the request is not taken for an escape.
func TestEscapedPactPathsMatch(t *testing.T) {
	t.Parallel()
	p := mustParse(t, `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[
	 {"description":"escaped space","request":{"method":"GET","path":"/pacticipants/Pricing%20Service"},"response":{"status":200}},
	 {"description":"escaped slash","request":{"method":"GET","path":"/a%2Fb"},"response":{"status":200}},
	 {"description":"plain space","request":{"method":"GET","path":"/x y"},"response":{"status":200}}],
	 "metadata":{"pactSpecification":{"version":"3.0.0"}}}`)
	srv := httptest.NewServer(mock.New([]*pact.Pact{p}, mock.Options{}))
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/pacticipants/Pricing%20Service", http.StatusOK},
		{"/a%2Fb", http.StatusOK},
		{"/x%20y", http.StatusOK},
		{"/pacticipants/Pricing%2520Service", http.StatusInternalServerError},
	} {
		resp, err := http.Get(srv.URL + tc.path)
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, tc.want, resp.StatusCode, tc.path)
	}
}

// A semicolon in a query value is part of the value (Go's ParseQuery
// drops such pairs); only "&" separates parameters.
func TestQueryValuesKeepSemicolons(t *testing.T) {
	t.Parallel()
	p := mustParse(t, `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[
	 {"description":"semicolon","request":{"method":"GET","path":"/s","query":{"a":["1;2"],"b":["x"]}},"response":{"status":200}}],
	 "metadata":{"pactSpecification":{"version":"3.0.0"}}}`)
	srv := httptest.NewServer(mock.New([]*pact.Pact{p}, mock.Options{}))
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		query string
		want  int
	}{
		{"a=1;2&b=x", http.StatusOK},
		{"b=x&a=1%3B2", http.StatusOK},
		{"a=1&b=x", http.StatusInternalServerError},
	} {
		resp, err := http.Get(srv.URL + "/s?" + tc.query)
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, tc.want, resp.StatusCode, tc.query)
	}
}

// Response headers are written under their canonical names, values of
// the body's content type when
// no header gives one, and the body's length over any Content-Length of
// the pact; each response gets values of its own.
func TestResponseHeaders(t *testing.T) {
	t.Parallel()
	p := mustParse(t, `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[
	 {"description":"headers","request":{"method":"GET","path":"/h"},
	  "response":{"status":201,"headers":{"x-ratelimit-remaining":"99","Cache-Control":"no-store, private","Content-Length":"1"},
	   "body":{"id":1}}},
	 {"description":"typed","request":{"method":"GET","path":"/t"},
	  "response":{"status":200,"headers":{"content-type":"text/plain; charset=utf-8"},"body":"hello"}},
	 {"description":"empty","request":{"method":"DELETE","path":"/e"},"response":{"status":204}}],
	 "metadata":{"pactSpecification":{"version":"3.0.0"}}}`)
	srv := mock.New([]*pact.Pact{p}, mock.Options{})
	serve := func(method, path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		w.Header().Set("X-Before", "kept")
		srv.ServeHTTP(w, httptest.NewRequest(method, path, nil))
		return w
	}
	for range 2 {
		w := serve("GET", "/h")
		require.Equal(t, 201, w.Code)
		require.Equal(t, http.Header{
			"X-Before": {"kept"}, "X-Ratelimit-Remaining": {"99"}, "Cache-Control": {"no-store, private"},
			"Content-Type": {"application/json"}, "Content-Length": {"8"},
		}, w.Result().Header)
		require.JSONEq(t, `{"id":1}`, w.Body.String())
		// A handler after the mock changing the values it was given
		// changes nothing for the next response.
		w.Header()["X-Ratelimit-Remaining"][0] = "0"
		w.Header()["Content-Length"][0] = "0"
	}
	w := serve("GET", "/t")
	require.Equal(t, http.Header{"X-Before": {"kept"}, "Content-Type": {"text/plain; charset=utf-8"}, "Content-Length": {"5"}}, w.Result().Header)
	require.Equal(t, "hello", w.Body.String())
	w = serve("DELETE", "/e")
	require.Equal(t, 204, w.Code)
	require.Equal(t, http.Header{"X-Before": {"kept"}, "Content-Length": {"0"}}, w.Result().Header)
	require.NoError(t, srv.Verify())
}
