package verify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/verify/mock"
)

// This file plays the Pact compatibility suite's http_consumer scenarios
// (V1, V2) against the mock server of verify/mock.

var httpConsumerV1 = map[int]suiteInteraction{
	1: {method: "GET", path: "/basic", status: 200, respContent: "application/json", respBody: "file: basic.json"},
	2: {method: "GET", path: "/with_params", query: "a=1&b=2", status: 200},
	3: {method: "GET", path: "/with_headers", headers: map[string]string{"X-TEST": "Compatibility"}, status: 200},
	4: {method: "PUT", path: "/basic", body: "file: basic.json", status: 200},
	5: {method: "PUT", path: "/plain", body: "file: text-body.xml", status: 200},
	6: {method: "PUT", path: "/xml", body: "file: xml-body.xml", status: 200},
	7: {method: "PUT", path: "/bin", body: "file: rat.jpg", status: 200},
	8: {method: "PUT", path: "/form", body: "file: form-post-body.xml", status: 200},
	9: {method: "PUT", path: "/multipart", body: "file: multipart-body.xml", status: 200},
}

// requestChange is "request N is made with the following changes".
type requestChange struct {
	method, path, query string
	headers             map[string]string
	body                string
	contentType         string
	rawHeaders          [][2]string
}

func mustStartSuiteMock(tb testing.TB, table map[int]suiteInteraction, ns ...int) *mock.Server {
	tb.Helper()
	var pacts []*pact.Pact
	for _, n := range ns {
		src := mustSuitePact(tb, n, table[n], pactOptions{})
		p, err := pact.Parse(src.Data)
		require.NoError(tb, err)
		pacts = append(pacts, p)
	}
	srv := mock.New(pacts, mock.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	require.NoError(tb, srv.Start(ctx, "127.0.0.1:0"))
	return srv
}

type mockAnswer struct {
	status      int
	contentType string
	body        []byte
	mismatches  []struct {
		Type     string `json:"type"`
		Path     string `json:"path"`
		Mismatch string `json:"mismatch"`
	}
}

func mustSendSuiteRequest(tb testing.TB, base string, in suiteInteraction, ch requestChange) mockAnswer {
	tb.Helper()
	method, path, query := in.method, in.path, in.query
	if ch.method != "" {
		method = ch.method
	}
	if ch.path != "" {
		path = ch.path
	}
	if ch.query != "" {
		query = ch.query
	}
	b := mustSuiteBody(tb, in.body, "")
	if ch.body != "" {
		b = mustSuiteBody(tb, ch.body, "")
	}
	url := base + path
	if query != "" {
		url += "?" + query
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(b.content))
	require.NoError(tb, err)
	headers := in.headers
	if ch.headers != nil {
		headers = ch.headers
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if b.content != nil {
		req.Header.Set("Content-Type", b.contentType)
	}
	for _, h := range ch.rawHeaders {
		req.Header.Add(h[0], h[1])
	}
	if ch.contentType != "" {
		req.Header.Set("Content-Type", ch.contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(tb, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(tb, err)
	a := mockAnswer{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), body: data}
	if resp.StatusCode == http.StatusInternalServerError && method != http.MethodHead {
		var eb struct {
			Mismatches any `json:"mismatches"`
		}
		require.NoError(tb, json.Unmarshal(data, &eb), string(data))
		raw, _ := json.Marshal(eb.Mismatches)
		_ = json.Unmarshal(raw, &a.mismatches)
	}
	return a
}

// hasMismatch reports whether the answer lists a mismatch of the suite's
// type ("query", "header", "body", "body-content-type") with the message.
func hasMismatch(a mockAnswer, typ, path, message string) bool {
	for _, m := range a.mismatches {
		kindOK := strings.HasPrefix(m.Type, typ)
		if typ == "body-content-type" {
			kindOK = m.Type == "body-type-mismatch" || strings.HasPrefix(m.Type, "body-content-type")
		}
		if kindOK && (path == "" || m.Path == path) && m.Mismatch == message {
			return true
		}
	}
	return false
}

func mustWrittenPact(tb testing.TB, srv *mock.Server) *pact.Pact {
	tb.Helper()
	paths, err := srv.WritePact(tb.TempDir())
	require.NoError(tb, err)
	require.Len(tb, paths, 1)
	data, err := os.ReadFile(paths[0])
	require.NoError(tb, err)
	p, err := pact.Parse(data)
	require.NoError(tb, err)
	return p
}

func TestCompatibilityHTTPConsumerV1(t *testing.T) {
	t.Run("all requests made", func(t *testing.T) {
		srv := mustStartSuiteMock(t, httpConsumerV1, 1)
		a := mustSendSuiteRequest(t, srv.URL(), httpConsumerV1[1], requestChange{})
		require.Equal(t, 200, a.status)
		require.Equal(t, "application/json", a.contentType)
		require.JSONEq(t, `{"one": "a", "two": "b"}`, string(a.body))
		require.NoError(t, srv.Verify())
		p := mustWrittenPact(t, srv)
		require.Len(t, p.Interactions, 1)
		require.Equal(t, "GET", p.Interactions[0].Request.Method)
		require.JSONEq(t, `{"one": "a", "two": "b"}`, string(p.Interactions[0].Response.Body.Content))
	})
	t.Run("not all requests made", func(t *testing.T) {
		srv := mustStartSuiteMock(t, httpConsumerV1, 1, 2)
		require.Equal(t, 200, mustSendSuiteRequest(t, srv.URL(), httpConsumerV1[1], requestChange{}).status)
		require.ErrorIs(t, srv.Verify(), mock.ErrNotOK)
		_, err := srv.WritePact(filepath.Join(t.TempDir(), "pacts"))
		require.ErrorIs(t, err, mock.ErrNotOK)
		st := srv.Status()
		require.Len(t, st, 1)
		require.Equal(t, mock.ProblemMissing, st[0].Type)
		require.Equal(t, "Interaction 2", st[0].Description)
	})
	t.Run("unexpected request", func(t *testing.T) {
		srv := mustStartSuiteMock(t, httpConsumerV1, 1)
		require.Equal(t, 500, mustSendSuiteRequest(t, srv.URL(), httpConsumerV1[2], requestChange{}).status)
		require.ErrorIs(t, srv.Verify(), mock.ErrNotOK)
		st := srv.Status()
		require.Equal(t, mock.ProblemUnexpected, st[0].Type)
		require.Equal(t, "GET", st[0].Method)
		require.Equal(t, "/with_params", st[0].Path)
	})
	t.Run("query parameters", func(t *testing.T) {
		srv := mustStartSuiteMock(t, httpConsumerV1, 2)
		require.Equal(t, 200, mustSendSuiteRequest(t, srv.URL(), httpConsumerV1[2], requestChange{}).status)
		p := mustWrittenPact(t, srv)
		require.Equal(t, pact.Query{"a": {"1"}, "b": {"2"}}, p.Interactions[0].Request.Query)
	})
	t.Run("invalid query parameters", func(t *testing.T) {
		srv := mustStartSuiteMock(t, httpConsumerV1, 2)
		a := mustSendSuiteRequest(t, srv.URL(), httpConsumerV1[2], requestChange{query: "a=1&c=3"})
		require.Equal(t, 500, a.status)
		require.True(t, hasMismatch(a, "query", "", "Expected query parameter 'b' but was missing"), "%+v", a.mismatches)
		require.True(t, hasMismatch(a, "query", "", "Unexpected query parameter 'c' received"), "%+v", a.mismatches)
		require.Equal(t, mock.ProblemMismatch, srv.Status()[0].Type)
	})
	for _, tc := range []struct{ name, method, path string }{{"invalid path", "GET", "/path"}, {"invalid method", "HEAD", "/basic"}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := mustStartSuiteMock(t, httpConsumerV1, 1)
			require.Equal(t, 500, mustSendSuiteRequest(t, srv.URL(), httpConsumerV1[1], requestChange{method: tc.method, path: tc.path}).status)
			st := srv.Status()
			require.Equal(t, mock.ProblemUnexpected, st[0].Type)
			require.Equal(t, tc.method, st[0].Method)
			require.Equal(t, tc.path, st[0].Path)
		})
	}
	t.Run("headers", func(t *testing.T) {
		srv := mustStartSuiteMock(t, httpConsumerV1, 3)
		require.Equal(t, 200, mustSendSuiteRequest(t, srv.URL(), httpConsumerV1[3], requestChange{}).status)
		p := mustWrittenPact(t, srv)
		require.Equal(t, "Compatibility", p.Interactions[0].Request.Headers.Get("X-TEST"))
	})
	t.Run("invalid headers", func(t *testing.T) {
		srv := mustStartSuiteMock(t, httpConsumerV1, 3)
		a := mustSendSuiteRequest(t, srv.URL(), httpConsumerV1[3], requestChange{headers: map[string]string{"X-OTHER": "Something"}})
		require.Equal(t, 500, a.status)
		require.True(t, hasMismatch(a, "header", "", "Expected a header 'X-TEST' but was missing"), "%+v", a.mismatches)
	})
	t.Run("body", func(t *testing.T) {
		srv := mustStartSuiteMock(t, httpConsumerV1, 4)
		require.Equal(t, 200, mustSendSuiteRequest(t, srv.URL(), httpConsumerV1[4], requestChange{}).status)
		p := mustWrittenPact(t, srv)
		req := p.Interactions[0].Request
		require.Equal(t, "PUT", req.Method)
		require.Equal(t, "application/json", req.Body.EffectiveContentType())
		require.JSONEq(t, `{"one": "a", "two": "b"}`, string(req.Body.Content))
	})

	for _, tc := range []struct {
		name      string
		n         int
		body      string
		typ, path string
		message   string
	}{
		{"invalid body", 4, `JSON: {"one": "a", "two": "c"}`, "body", "$.two", "Expected 'c' (String) to be equal to 'b' (String)"},
		{"incorrect type of body contents", 4, `XML: <?xml version="1.0" encoding="UTF-8"?><alligator name="Mary" feet="4"/>`, "body-content-type", "",
			"Expected a body of 'application/json' but the actual content type was 'application/xml'"},
		{"plain text body (negative)", 5, "Hello Mars!", "body", "", "Expected body 'Hello World!' to match 'Hello Mars!' using equality but did not match"},
		{"JSON body (negative)", 4, `JSON: {"one": "a"}`, "body", "", "Expected a Map with keys [one, two] but received one with keys [one]"},
		{"XML body (negative)", 6, `XML: <?xml version="1.0" encoding="UTF-8" ?><values><one>A</one></values>`, "body", "", "Expected child <two/> but was missing"},
		{"binary body (negative)", 7, "file: spider.jpg", "body", "",
			"Actual body [image/jpeg, 30922 bytes, starting with ffd8ffe000104a46494600010101004800480000ffe100ae4578696600004949] is not equal to the expected body [image/jpeg, 28058 bytes, starting with ffd8ffe000104a46494600010101012c012c0000ffe12db64578696600004949]"},
		{"form post body (negative)", 8, "a=1&b=2&c=33&d=4", "body", "", "Expected form post parameter 'c' with value '3' but was '33'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := mustStartSuiteMock(t, httpConsumerV1, tc.n)
			in := httpConsumerV1[tc.n]
			ch := requestChange{body: tc.body}
			if tc.n == 8 { // the changed form body keeps the form content type
				ch.contentType = "application/x-www-form-urlencoded"
			}
			a := mustSendSuiteRequest(t, srv.URL(), in, ch)
			require.Equal(t, 500, a.status)
			require.True(t, hasMismatch(a, tc.typ, tc.path, tc.message), "%+v", a.mismatches)
			_, err := srv.WritePact(t.TempDir())
			require.ErrorIs(t, err, mock.ErrNotOK)
		})
	}
	for _, n := range []int{5, 6, 7, 8, 9} {
		t.Run("positive body "+httpConsumerV1[n].path, func(t *testing.T) {
			srv := mustStartSuiteMock(t, httpConsumerV1, n)
			a := mustSendSuiteRequest(t, srv.URL(), httpConsumerV1[n], requestChange{})
			require.Equal(t, 200, a.status, "%s %+v", a.body, a.mismatches)
		})
	}
	t.Run("multipart body (negative)", func(t *testing.T) {
		srv := mustStartSuiteMock(t, httpConsumerV1, 9)
		a := mustSendSuiteRequest(t, srv.URL(), httpConsumerV1[9], requestChange{body: "file: multipart2-body.xml"})
		require.Equal(t, 500, a.status)
		require.NotEmpty(t, a.mismatches)
	})
}

var httpConsumerV2 = map[int]suiteInteraction{
	1: {method: "POST", path: "/path", body: "file: basic.json", reqRules: "regex-matcher-v2.json", status: 200},
	2: {method: "POST", path: "/path", body: "file: basic.json", reqRules: "type-matcher-v2.json", status: 200},
	3: {method: "GET", path: "/aaa/100/", reqRules: "regex-matcher-path-v2.json", status: 200},
	4: {method: "GET", path: "/path", query: "a=1&b=2&c=abc&d=true", reqRules: "regex-matcher-query-v2.json", status: 200},
	5: {method: "GET", path: "/path", headers: map[string]string{"X-Test": "1000"}, reqRules: "regex-matcher-header-v2.json", status: 200},
}

func TestCompatibilityHTTPConsumerV2(t *testing.T) {
	for _, tc := range []struct {
		name    string
		n       int
		change  requestChange
		typ     string
		message string // empty: the request matches (200)
	}{
		{"regex matcher (negative)", 1, requestChange{}, "body", `Expected 'a' to match '\w{3}\d{3}'`},
		{"regex matcher (positive)", 1, requestChange{body: `JSON: { "one": "HHH123", "two": "b" }`}, "", ""},
		{"type matcher (negative)", 2, requestChange{body: `JSON: { "one": 100, "two": "b" }`}, "body", "Expected 100 (Integer) to be the same type as 'a' (String)"},
		{"type matcher (positive)", 2, requestChange{body: `JSON: { "one": "HHH123", "two": "b" }`}, "", ""},
		{"request path matcher", 3, requestChange{path: "/XYZ/123"}, "", ""},
		{"query matcher", 4, requestChange{query: "b=2&c=abc&d=true&a=999"}, "", ""},
		{"repeated query (positive)", 4, requestChange{query: "a=123&b=2&c=abc&d=true&a=9999"}, "", ""},
		{"repeated query (negative)", 4, requestChange{query: "a=123&b=2&c=abc&d=true&a=9999X"}, "query", `Expected '9999X' to match '\d{1,4}'`},
		{"header matcher", 5, requestChange{headers: map[string]string{"X-Test": "1000"}}, "", ""},
		{"repeated headers (positive)", 5, requestChange{headers: map[string]string{}, rawHeaders: [][2]string{{"X-Test", "1000"}, {"X-Test", "1234"}, {"X-Test", "9999"}}}, "", ""},
		{"repeated headers (negative)", 5, requestChange{headers: map[string]string{}, rawHeaders: [][2]string{{"X-Test", "1000"}, {"X-Test", "1234"}, {"X-Test", "9999ABC"}}}, "header", `Expected '9999ABC' to match '\d{1,4}'`},
		{"body matcher", 2, requestChange{body: `JSON: { "one": "c", "two": "b" }`}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := mustStartSuiteMock(t, httpConsumerV2, tc.n)
			a := mustSendSuiteRequest(t, srv.URL(), httpConsumerV2[tc.n], tc.change)
			if tc.message == "" {
				require.Equal(t, 200, a.status, "%s", a.body)
				require.NoError(t, srv.Verify())
				return
			}
			require.Equal(t, 500, a.status)
			require.True(t, hasMismatch(a, tc.typ, "", tc.message), "%+v", a.mismatches)
		})
	}
}
