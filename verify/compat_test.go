package verify_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/verify"
)

// This file plays the scenarios of the Pact compatibility suite's
// http_provider features (V1 to V4) against verify.Verify: the same
// interactions, fixtures, provider changes and expected verdicts.

// suiteDir is the compatibility suite from the shared folder.
func suiteDir(tb testing.TB) string {
	tb.Helper()
	// The suite sits in ../shared beside the repository root.
	d := filepath.Join("..", "..", "shared", "pact-compatibility-suite")
	if _, err := os.Stat(filepath.Join(d, "fixtures")); err != nil {
		tb.Skipf("the Pact compatibility suite is absent (%s): it comes from ../shared beside the repository", d)
	}
	return d
}

// suiteBody is a body as the suite describes one: "file: NAME", "JSON: ...",
// "XML: ..." or plain text.
type suiteBody struct {
	content     []byte
	contentType string
}

func mustSuiteBody(tb testing.TB, spec, contentType string) suiteBody {
	tb.Helper()
	switch {
	case spec == "":
		return suiteBody{}
	case strings.HasPrefix(spec, "JSON: "):
		return suiteBody{[]byte(strings.TrimPrefix(spec, "JSON: ")), "application/json"}
	case strings.HasPrefix(spec, "XML: "):
		return suiteBody{[]byte(strings.TrimPrefix(spec, "XML: ")), "application/xml"}
	case strings.HasPrefix(spec, "file: "):
		name := strings.TrimPrefix(spec, "file: ")
		data, err := os.ReadFile(filepath.Join(suiteDir(tb), "fixtures", name))
		require.NoError(tb, err)
		if strings.HasSuffix(name, "-body.xml") {
			var b struct {
				ContentType string `xml:"contentType"`
				Contents    struct {
					EOL  string `xml:"eol,attr"`
					Text string `xml:",chardata"`
				} `xml:"contents"`
			}
			require.NoError(tb, xml.Unmarshal(data, &b))
			text := strings.TrimSpace(b.Contents.Text)
			if b.Contents.EOL == "CRLF" {
				text = strings.ReplaceAll(text, "\n", "\r\n") + "\r\n"
			}
			return suiteBody{[]byte(text), b.ContentType}
		}
		if contentType == "" {
			switch filepath.Ext(name) {
			case ".json":
				contentType = "application/json"
			case ".jpg":
				contentType = "image/jpeg"
			case ".xml":
				contentType = "application/xml"
			default:
				contentType = "application/octet-stream"
			}
		}
		return suiteBody{data, contentType}
	}
	return suiteBody{[]byte(spec), "text/plain"}
}

// suiteInteraction is one row of a feature's interactions table.
type suiteInteraction struct {
	method, path, query string
	headers             map[string]string
	body                string
	status              int
	respHeaders         map[string]string
	respContent         string
	respBody            string
	respRules           string // a V2 matching rules fixture
	reqRules            string // a V2 matching rules fixture
}

var httpProviderV1 = map[int]suiteInteraction{
	1:  {method: "GET", path: "/basic", status: 200, respContent: "application/json", respBody: "file: basic.json"},
	2:  {method: "GET", path: "/with_params", query: "a=1&b=2", status: 200},
	3:  {method: "GET", path: "/with_headers", headers: map[string]string{"X-TEST": "Compatibility"}, status: 200},
	4:  {method: "PUT", path: "/basic", body: "file: basic.json", status: 200},
	5:  {method: "GET", path: "/basic", status: 200, respHeaders: map[string]string{"X-TEST": "Something"}, respContent: "application/json", respBody: "file: basic.json"},
	6:  {method: "GET", path: "/plain", status: 200, respBody: "file: text-body.xml"},
	7:  {method: "GET", path: "/xml", status: 200, respBody: "file: xml-body.xml"},
	8:  {method: "GET", path: "/bin", status: 200, respBody: "file: rat.jpg"},
	9:  {method: "GET", path: "/form", status: 200, respBody: "file: form-post-body.xml"},
	10: {method: "GET", path: "/multi", status: 200, respBody: "file: multipart-body.xml"},
}

var httpProviderV2 = map[int]suiteInteraction{
	1: {method: "GET", path: "/one", status: 200, respHeaders: map[string]string{"X-TEST": "1"}, respContent: "application/json", respBody: "file: basic.json", respRules: "regex-matcher-header-v2.json"},
	2: {method: "GET", path: "/two", status: 200, respContent: "application/json", respBody: "file: basic.json", respRules: "type-matcher-v2.json"},
}

// pactOptions are the "Pact file for interaction N is to be verified ..." variants.
type pactOptions struct {
	states   []map[string]any
	pending  bool
	comments map[string]any
}

// mustSuitePact writes a V4 pact file (bodies base64-encoded, so every
// fixture, binary ones included, is carried exactly) for one interaction.
func mustSuitePact(tb testing.TB, n int, in suiteInteraction, opts pactOptions) verify.Source {
	tb.Helper()
	body := func(b suiteBody) map[string]any {
		return map[string]any{"content": base64.StdEncoding.EncodeToString(b.content), "contentType": b.contentType, "encoded": "base64"}
	}
	req := map[string]any{"method": in.method, "path": in.path}
	if in.query != "" {
		q := map[string][]string{}
		for _, kv := range strings.Split(in.query, "&") {
			k, v, _ := strings.Cut(kv, "=")
			q[k] = append(q[k], v)
		}
		req["query"] = q
	}
	reqHeaders := map[string][]string{}
	for k, v := range in.headers {
		reqHeaders[k] = []string{v}
	}
	if b := mustSuiteBody(tb, in.body, ""); b.content != nil {
		req["body"] = body(b)
		reqHeaders["Content-Type"] = []string{b.contentType}
	}
	if len(reqHeaders) > 0 {
		req["headers"] = reqHeaders
	}
	if in.reqRules != "" {
		req["matchingRules"] = mustV4Rules(tb, in.reqRules)
	}
	resp := map[string]any{"status": in.status}
	respHeaders := map[string][]string{}
	for k, v := range in.respHeaders {
		respHeaders[k] = []string{v}
	}
	if b := mustSuiteBody(tb, in.respBody, in.respContent); b.content != nil {
		resp["body"] = body(b)
		respHeaders["Content-Type"] = []string{b.contentType}
	}
	if len(respHeaders) > 0 {
		resp["headers"] = respHeaders
	}
	if in.respRules != "" {
		resp["matchingRules"] = mustV4Rules(tb, in.respRules)
	}
	inter := map[string]any{
		"type": "Synchronous/HTTP", "description": "Interaction " + strconv.Itoa(n),
		"request": req, "response": resp, "pending": opts.pending,
	}
	if opts.states != nil {
		inter["providerStates"] = opts.states
	}
	if opts.comments != nil {
		inter["comments"] = opts.comments
	}
	data, err := json.Marshal(map[string]any{
		"consumer": map[string]any{"name": "c"}, "provider": map[string]any{"name": "p"},
		"interactions": []any{inter}, "metadata": map[string]any{"pactSpecification": map[string]any{"version": "4.0"}},
	})
	require.NoError(tb, err)
	return verify.Source{Name: "interaction-" + strconv.Itoa(n) + ".json", Data: data}
}

// mustV4Rules converts a V2 rules fixture ("$.header.x", "$.body.y") to V4 categories.
func mustV4Rules(tb testing.TB, name string) map[string]any {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(suiteDir(tb), "fixtures", name))
	require.NoError(tb, err)
	var v2 map[string]map[string]any
	require.NoError(tb, json.Unmarshal(data, &v2))
	out := map[string]any{}
	for key, rule := range v2 {
		cat, rest, _ := strings.Cut(strings.TrimPrefix(key, "$."), ".")
		m, _ := out[cat].(map[string]any)
		if m == nil {
			m = map[string]any{}
			out[cat] = m
		}
		if cat == "body" {
			rest = "$." + rest
		}
		m[rest] = map[string]any{"matchers": []any{rule}}
	}
	return out
}

// responseChange is "with the following changes" for the provider's response.
type responseChange struct {
	status  int
	headers map[string]string
	body    string
}

// suiteProvider returns the responses of the given interactions (by
// method and path), changed as asked, and records the headers it receives
// and the state change calls.
type suiteProvider struct {
	mu      sync.Mutex
	headers []http.Header
	states  []stateCall
}

func mustStartSuiteProvider(tb testing.TB, table map[int]suiteInteraction, change responseChange, stateFails bool, ns ...int) (*suiteProvider, *httptest.Server) {
	tb.Helper()
	sp := &suiteProvider{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /_state", func(w http.ResponseWriter, r *http.Request) {
		var c stateCall
		require.NoError(tb, json.NewDecoder(r.Body).Decode(&c))
		sp.mu.Lock()
		sp.states = append(sp.states, c)
		sp.mu.Unlock()
		if stateFails {
			http.Error(w, "state failed", http.StatusInternalServerError)
		}
	})
	for _, n := range ns {
		in := table[n]
		status := in.status
		if change.status != 0 {
			status = change.status
		}
		headers := in.respHeaders
		if change.headers != nil {
			headers = change.headers
		}
		b := mustSuiteBody(tb, in.respBody, in.respContent)
		if change.body != "" {
			b = mustSuiteBody(tb, change.body, "")
		}
		mux.HandleFunc(in.method+" "+in.path, func(w http.ResponseWriter, r *http.Request) {
			sp.mu.Lock()
			sp.headers = append(sp.headers, r.Header.Clone())
			sp.mu.Unlock()
			for k, v := range headers {
				w.Header().Set(k, v)
			}
			if b.content != nil {
				w.Header().Set("Content-Type", b.contentType)
			}
			w.WriteHeader(status)
			_, _ = w.Write(b.content)
		})
	}
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return sp, srv
}

// allFailures are the failure summaries of every interaction, pending or not.
func allFailures(r *verify.Report) []string {
	var out []string
	for _, p := range r.Pacts {
		for _, in := range p.Interactions {
			for _, f := range in.Failures {
				out = append(out, f.Summary)
			}
		}
	}
	return out
}

func TestCompatibilityHTTPProviderResponses(t *testing.T) {
	for _, tc := range []struct {
		name    string
		table   map[int]suiteInteraction
		serve   []int
		change  responseChange
		verify  []int
		success bool
		err     string
	}{
		{"V1 simple request", httpProviderV1, []int{1}, responseChange{}, []int{1}, true, ""},
		{"V1 multiple pact files", httpProviderV1, []int{1, 2}, responseChange{}, []int{1, 2}, true, ""},
		{"V1 incorrect request", httpProviderV1, []int{1}, responseChange{}, []int{2}, false, "Response status did not match"},
		{"V1 response status", httpProviderV1, []int{1}, responseChange{status: 400}, []int{1}, false, "Response status did not match"},
		{"V1 response headers", httpProviderV1, []int{5}, responseChange{headers: map[string]string{"X-TEST": "Compatibility"}}, []int{5}, false, "Headers had differences"},
		{"V1 request with query", httpProviderV1, []int{2}, responseChange{}, []int{2}, true, ""},
		{"V1 request with headers", httpProviderV1, []int{3}, responseChange{}, []int{3}, true, ""},
		{"V1 request with body", httpProviderV1, []int{4}, responseChange{}, []int{4}, true, ""},
		{"V1 plain text (positive)", httpProviderV1, []int{6}, responseChange{}, []int{6}, true, ""},
		{"V1 plain text (negative)", httpProviderV1, []int{6}, responseChange{body: "Hello Compatibility Suite!"}, []int{6}, false, "Body had differences"},
		{"V1 JSON (positive)", httpProviderV1, []int{1}, responseChange{}, []int{1}, true, ""},
		{"V1 JSON (negative)", httpProviderV1, []int{1}, responseChange{body: `JSON: { "one": 100, "two": "b" }`}, []int{1}, false, "Body had differences"},
		{"V1 XML (positive)", httpProviderV1, []int{7}, responseChange{}, []int{7}, true, ""},
		{"V1 XML (negative)", httpProviderV1, []int{7}, responseChange{body: `XML: <?xml version="1.0" encoding="UTF-8" ?><values><one>A</one></values>`}, []int{7}, false, "Body had differences"},
		{"V1 binary (positive)", httpProviderV1, []int{8}, responseChange{}, []int{8}, true, ""},
		{"V1 binary (negative)", httpProviderV1, []int{8}, responseChange{body: "file: spider.jpg"}, []int{8}, false, "Body had differences"},
		{"V1 form post (positive)", httpProviderV1, []int{9}, responseChange{}, []int{9}, true, ""},
		{"V1 form post (negative)", httpProviderV1, []int{9}, responseChange{body: "a=1&b=2&c=33&d=4"}, []int{9}, false, "Body had differences"},
		{"V1 multipart (positive)", httpProviderV1, []int{10}, responseChange{}, []int{10}, true, ""},
		{"V1 multipart (negative)", httpProviderV1, []int{10}, responseChange{body: "file: multipart2-body.xml"}, []int{10}, false, "Body had differences"},
		{"V2 header rules (positive)", httpProviderV2, []int{1}, responseChange{headers: map[string]string{"X-TEST": "1000"}}, []int{1}, true, ""},
		{"V2 header rules (negative)", httpProviderV2, []int{1}, responseChange{headers: map[string]string{"X-TEST": "123ABC"}}, []int{1}, false, "Headers had differences"},
		{"V2 body rules (positive)", httpProviderV2, []int{2}, responseChange{body: `JSON: { "one": "100", "two": "b" }`}, []int{2}, true, ""},
		{"V2 body rules (negative)", httpProviderV2, []int{2}, responseChange{body: `JSON: { "one": 100, "two": "b" }`}, []int{2}, false, "Body had differences"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := mustStartSuiteProvider(t, tc.table, tc.change, false, tc.serve...)
			var srcs []verify.Source
			for _, n := range tc.verify {
				srcs = append(srcs, mustSuitePact(t, n, tc.table[n], pactOptions{}))
			}
			r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL}, srcs)
			require.Equal(t, tc.success, r.Success(), "%+v", r.Pacts)
			if tc.err != "" {
				require.Contains(t, allFailures(r), tc.err)
			} else {
				require.Empty(t, allFailures(r))
			}
		})
	}
}

func TestCompatibilityHTTPProviderStates(t *testing.T) {
	in1 := httpProviderV1[1]
	t.Run("V1 a defined provider state", func(t *testing.T) {
		sp, srv := mustStartSuiteProvider(t, httpProviderV1, responseChange{}, false, 1)
		src := mustSuitePact(t, 1, in1, pactOptions{states: []map[string]any{{"name": "state one"}}})
		r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL, StateChangeURL: srv.URL + "/_state"}, []verify.Source{src})
		require.True(t, r.Success())
		require.Equal(t, []stateCall{{State: "state one", Params: map[string]any{}, Action: "setup"}, {State: "state one", Params: map[string]any{}, Action: "teardown"}}, sp.states)
	})
	t.Run("V1 no defined provider state", func(t *testing.T) {
		sp, srv := mustStartSuiteProvider(t, httpProviderV1, responseChange{}, false, 1)
		r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL, StateChangeURL: srv.URL + "/_state"}, []verify.Source{mustSuitePact(t, 1, in1, pactOptions{})})
		require.True(t, r.Success())
		require.Equal(t, []stateCall{{State: "", Params: map[string]any{}, Action: "setup"}, {State: "", Params: map[string]any{}, Action: "teardown"}}, sp.states)
	})
	t.Run("V1 the provider state callback fails", func(t *testing.T) {
		sp, srv := mustStartSuiteProvider(t, httpProviderV1, responseChange{}, true, 1)
		src := mustSuitePact(t, 1, in1, pactOptions{states: []map[string]any{{"name": "state one"}}})
		r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL, StateChangeURL: srv.URL + "/_state"}, []verify.Source{src})
		require.False(t, r.Success())
		require.Contains(t, allFailures(r), "State change request failed")
		require.Equal(t, []stateCall{{State: "state one", Params: map[string]any{}, Action: "setup"}}, sp.states, "no teardown call")
	})
	t.Run("V1 no provider state callback configured", func(t *testing.T) {
		_, srv := mustStartSuiteProvider(t, httpProviderV1, responseChange{}, false, 1)
		src := mustSuitePact(t, 1, in1, pactOptions{states: []map[string]any{{"name": "state one"}}})
		r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL}, []verify.Source{src})
		require.True(t, r.Success())
		var text bytes.Buffer
		require.NoError(t, verify.WriteText(&text, r))
		require.Contains(t, text.String(), `WARNING: no provider state change URL configured for provider state "state one"`)
	})
	t.Run("V1 request filter", func(t *testing.T) {
		sp, srv := mustStartSuiteProvider(t, httpProviderV1, responseChange{}, false, 1)
		r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL, RequestFilter: func(r *http.Request) { r.Header.Set("A", "1") }},
			[]verify.Source{mustSuitePact(t, 1, in1, pactOptions{})})
		require.True(t, r.Success())
		require.Len(t, sp.headers, 1)
		require.Equal(t, "1", sp.headers[0].Get("A"))
	})
	in3 := httpProviderV2[1]
	t.Run("V3 multiple provider states", func(t *testing.T) {
		sp, srv := mustStartSuiteProvider(t, httpProviderV2, responseChange{}, false, 1)
		src := mustSuitePact(t, 1, in3, pactOptions{states: []map[string]any{{"name": "State One"}, {"name": "State Two"}}})
		r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL, StateChangeURL: srv.URL + "/_state"}, []verify.Source{src})
		require.True(t, r.Success())
		require.Equal(t, []stateCall{
			{State: "State One", Params: map[string]any{}, Action: "setup"}, {State: "State Two", Params: map[string]any{}, Action: "setup"},
			{State: "State One", Params: map[string]any{}, Action: "teardown"}, {State: "State Two", Params: map[string]any{}, Action: "teardown"},
		}, sp.states)
	})
	t.Run("V3 a provider state with parameters", func(t *testing.T) {
		sp, srv := mustStartSuiteProvider(t, httpProviderV2, responseChange{}, false, 1)
		src := mustSuitePact(t, 1, in3, pactOptions{states: []map[string]any{{"name": "A user exists", "params": map[string]any{"name": "Bob", "age": 22}}}})
		r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL, StateChangeURL: srv.URL + "/_state"}, []verify.Source{src})
		require.True(t, r.Success())
		params := map[string]any{"name": "Bob", "age": float64(22)}
		require.Equal(t, []stateCall{{State: "A user exists", Params: params, Action: "setup"}, {State: "A user exists", Params: params, Action: "teardown"}}, sp.states)
	})
}

func TestCompatibilityHTTPProviderV4(t *testing.T) {
	v4 := map[int]suiteInteraction{1: {method: "GET", path: "/basic", status: 200, respContent: "application/json", respBody: "file: basic.json"}}
	t.Run("pending interaction", func(t *testing.T) {
		_, srv := mustStartSuiteProvider(t, v4, responseChange{body: "file: basic2.json"}, false, 1)
		r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL}, []verify.Source{mustSuitePact(t, 1, v4[1], pactOptions{pending: true})})
		require.True(t, r.Success())
		in := r.Pacts[0].Interactions[0]
		require.Equal(t, verify.StatusPending, in.Status)
		require.Equal(t, []string{"Body had differences"}, allFailures(r))
	})
	t.Run("comments", func(t *testing.T) {
		_, srv := mustStartSuiteProvider(t, v4, responseChange{}, false, 1)
		src := mustSuitePact(t, 1, v4[1], pactOptions{comments: map[string]any{"text": []string{"comment one", "comment two"}, "testname": "compatibility-suite"}})
		r := mustVerify(t, verify.Config{ProviderBaseURL: srv.URL}, []verify.Source{src})
		require.True(t, r.Success())
		var text bytes.Buffer
		require.NoError(t, verify.WriteText(&text, r))
		require.Contains(t, text.String(), "Comment: comment one")
		require.Contains(t, text.String(), "Comment: comment two")
		require.Contains(t, text.String(), "Test Name: compatibility-suite")
	})
}

func TestCompatibilityHTTPProviderBrokerResults(t *testing.T) {
	// "via a Pact broker ... a successful/failed verification result will be
	// published back for interaction N": the result body verify produces.
	for _, tc := range []struct {
		name    string
		serve   int
		success bool
	}{{"successful", 1, true}, {"failed", 2, false}} {
		t.Run(tc.name, func(t *testing.T) {
			_, srv := mustStartSuiteProvider(t, httpProviderV1, responseChange{}, false, 1)
			src := mustSuitePact(t, tc.serve, httpProviderV1[tc.serve], pactOptions{})
			src.Broker = &verify.BrokerInfo{PactURL: "http://broker/pacts/1", PublishURL: "http://broker/pacts/1/verification-results"}
			r, err := verify.Verify(context.Background(), verify.Config{ProviderBaseURL: srv.URL, Now: fixedClock}, []verify.Source{src})
			require.NoError(t, err)
			vr := r.Pacts[0].VerificationResult("1.0.0")
			require.Equal(t, tc.success, vr.Success)
			require.Len(t, vr.TestResults, 1)
			require.Equal(t, tc.success, vr.TestResults[0].Success)
			require.Equal(t, "Interaction "+strconv.Itoa(tc.serve), vr.TestResults[0].InteractionDescription)
			require.Equal(t, src.Broker, r.Pacts[0].Broker)
		})
	}
}
