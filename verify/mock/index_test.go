package mock_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/match"
	"github.com/contracts-dev/contracts/verify/mock"
)

// The mock indexes interactions by method, path and query. These tests
// check that the index never changes which interaction answers a request
// nor the mismatches reported: against a plain scan of every interaction
// in order, and on the cases that must fall back to matching every
// interaction of a path (query matching rules, valueless parameters,
// matching rules on the path).

// indexPact has interactions whose queries differ only by order, by
// repeated values, by an empty value, by escaping, by one extra
// parameter, by matching rules and by headers, on one path, on paths with
// matching rules and under another method. Each answers its description.
const indexPact = `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[
 {"description":"a=1 b=2","request":{"method":"GET","path":"/q","query":{"a":["1"],"b":["2"]}},"response":{"status":200,"body":"a=1 b=2"}},
 {"description":"b=2 a=1 again","request":{"method":"GET","path":"/q","query":{"b":["2"],"a":["1"]}},"response":{"status":200,"body":"b=2 a=1 again"}},
 {"description":"a=1,2","request":{"method":"GET","path":"/q","query":{"a":["1","2"]}},"response":{"status":200,"body":"a=1,2"}},
 {"description":"a=2,1","request":{"method":"GET","path":"/q","query":{"a":["2","1"]}},"response":{"status":200,"body":"a=2,1"}},
 {"description":"a by rule","request":{"method":"GET","path":"/q","query":{"a":["1"]},
   "matchingRules":{"query":{"a":{"matchers":[{"match":"regex","regex":"^\\d$"}]}}}},"response":{"status":200,"body":"a by rule"}},
 {"description":"a=1","request":{"method":"GET","path":"/q","query":{"a":["1"]}},"response":{"status":200,"body":"a=1"}},
 {"description":"no query","request":{"method":"GET","path":"/q"},"response":{"status":200,"body":"no query"}},
 {"description":"a empty","request":{"method":"GET","path":"/q","query":{"a":[""]}},"response":{"status":200,"body":"a empty"}},
 {"description":"a=1 b=2 with header","request":{"method":"GET","path":"/q","query":{"a":["1"],"b":["2"]},"headers":{"X-Test":"y"}},
   "response":{"status":200,"body":"a=1 b=2 with header"}},
 {"description":"a=1 b=2 c=3","request":{"method":"GET","path":"/q","query":{"a":["1"],"b":["2"],"c":["3"]}},"response":{"status":200,"body":"a=1 b=2 c=3"}},
 {"description":"semicolon","request":{"method":"GET","path":"/q","query":{"a":["1;2"]}},"response":{"status":200,"body":"semicolon"}},
 {"description":"escaped","request":{"method":"GET","path":"/q","query":{"a b":["c&d"]}},"response":{"status":200,"body":"escaped"}},
 {"description":"ab split","request":{"method":"GET","path":"/q","query":{"ab":["c"]}},"response":{"status":200,"body":"ab split"}},
 {"description":"ruled path","request":{"method":"GET","path":"/q/1","query":{"a":["1"]},
   "matchingRules":{"path":{"matchers":[{"match":"regex","regex":"^/q/\\d+$"}]}}},"response":{"status":200,"body":"ruled path"}},
 {"description":"ruled path and query","request":{"method":"GET","path":"/q/2","query":{"a":["2"]},
   "matchingRules":{"path":{"matchers":[{"match":"regex","regex":"^/q/.*$"}]},"query":{"a":{"matchers":[{"match":"type"}]}}}},
   "response":{"status":200,"body":"ruled path and query"}},
 {"description":"exact q/1","request":{"method":"GET","path":"/q/1","query":{"a":["1"]}},"response":{"status":200,"body":"exact q/1"}},
 {"description":"post a=1 b=2","request":{"method":"POST","path":"/q","query":{"a":["1"],"b":["2"]}},"response":{"status":200,"body":"post a=1 b=2"}}],
 "metadata":{"pactSpecification":{"version":"3.0.0"}}}`

// indexRequests are "METHOD target [header: value]" lines.
var indexRequests = []string{
	"GET /q?a=1&b=2", "GET /q?b=2&a=1", "GET /q?a=1&a=2", "GET /q?a=2&a=1", "GET /q?a=1", "GET /q?a=7",
	"GET /q?a=12", "GET /q", "GET /q?", "GET /q?a=", "GET /q?a", "GET /q?a=1&b=2&c=3", "GET /q?c=3&a=1&b=2",
	"GET /q?b=2", "GET /q?a=1&b=2 X-Test: y", "GET /q?a=1&b=2 X-Test: n", "GET /q?a=1;2", "GET /q?a=1%3B2",
	"GET /q?a%20b=c%26d", "GET /q?a+b=c%26d", "GET /q?ab=c", "GET /q?a=1&a=2&a=1", "GET /q/1?a=1", "GET /q/1?a=2",
	"GET /q/5?a=1", "GET /q/5?a=9", "GET /q/x?a=zz", "GET /q/1", "POST /q?a=1&b=2", "POST /q?b=2&a=1",
	"POST /q?a=1", "get /q?a=1&b=2", "GET /other?a=1", "DELETE /q?a=1&b=2",
}

// indexRequest builds the request of an indexRequests line.
func indexRequest(tb testing.TB, line string) *http.Request {
	tb.Helper()
	parts := strings.SplitN(line, " ", 3)
	r := httptest.NewRequest(http.MethodGet, parts[1], nil)
	r.Method = parts[0]
	if len(parts) == 3 {
		name, value, ok := strings.Cut(parts[2], ": ")
		require.True(tb, ok, line)
		r.Header.Set(name, value)
	}
	return r
}

// scan is what the mock must decide, found by matching every interaction
// of p in order: the first match not used yet, else the first match; with
// no match the closest interaction of the same method and path (fewest
// mismatches, the first of equals) and its mismatches.
func scan(p *pact.Pact, used map[int]bool, actual *pact.Request) (chosen, closest int, mismatches []match.Mismatch) {
	chosen, closest = -1, -1
	for i, in := range p.Interactions {
		if len(match.Request(in.Request, actual)) == 0 && (chosen < 0 || (used[chosen] && !used[i])) {
			chosen = i
		}
	}
	if chosen >= 0 {
		return chosen, -1, nil
	}
	for i, in := range p.Interactions {
		ms := match.Request(in.Request, actual)
		samePlace := true
		for _, m := range ms {
			if m.Kind == match.KindMethod || m.Kind == match.KindPath {
				samePlace = false
			}
		}
		if samePlace && (closest < 0 || len(ms) < len(mismatches)) {
			closest, mismatches = i, ms
		}
	}
	return -1, closest, mismatches
}

func TestIndexChoosesAsAFullScan(t *testing.T) {
	t.Parallel()
	p := mustParse(t, indexPact)
	srv := mock.New([]*pact.Pact{p}, mock.Options{})
	used := map[int]bool{}
	problems := 0
	// Three rounds: the first finds every interaction unused, the later
	// ones choose between used ones.
	for round := range 3 {
		for _, line := range indexRequests {
			t.Run(fmt.Sprintf("%d %s", round, line), func(t *testing.T) {
				r := indexRequest(t, line)
				q, err := pact.ParseQueryString(r.URL.RawQuery)
				require.NoError(t, err)
				h := pact.Headers{}
				for k, vs := range r.Header {
					h[k] = vs
				}
				actual := &pact.Request{Method: r.Method, Path: r.URL.Path, Query: q, Headers: h, Body: pact.Body{State: pact.BodyEmpty}}
				chosen, closest, ms := scan(p, used, actual)

				w := httptest.NewRecorder()
				srv.ServeHTTP(w, r)
				if chosen >= 0 {
					require.Equal(t, http.StatusOK, w.Code, w.Body.String())
					require.Equal(t, p.Interactions[chosen].Description, w.Body.String())
					used[chosen] = true
					return
				}
				require.Equal(t, http.StatusInternalServerError, w.Code, w.Body.String())
				problems++
				st := srv.Status()
				require.Len(t, st, problems+len(p.Interactions)-len(used))
				got := st[problems-1]
				if closest < 0 {
					require.Equal(t, mock.ProblemUnexpected, got.Type)
					return
				}
				require.Equal(t, mock.ProblemMismatch, got.Type)
				require.Equal(t, p.Interactions[closest].Description, got.Description)
				require.Equal(t, ms, got.Mismatches)
			})
		}
	}
	// Every interaction answered some request: the requests reach each
	// way of telling interactions apart.
	require.Len(t, used, len(p.Interactions), "interactions answered")
}

// queryCase is a request to a fresh mock and the interaction that must
// answer it ("" for none).
type queryCase struct {
	target string
	want   string
}

func mustAnswer(t *testing.T, srv http.Handler, cases []queryCase) {
	t.Helper()
	for _, c := range cases {
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, httptest.NewRequest(http.MethodGet, c.target, nil))
		if c.want == "" {
			require.Equal(t, http.StatusInternalServerError, w.Code, c.target)
			continue
		}
		require.Equal(t, http.StatusOK, w.Code, "%s: %s", c.target, w.Body)
		require.Equal(t, c.want, w.Body.String(), c.target)
	}
}

func TestIndexFallsBackToEveryInteractionOfThePath(t *testing.T) {
	t.Parallel()
	t.Run("query matching rules", func(t *testing.T) {
		t.Parallel()
		// The ruled interaction is declared first: it wins while unused,
		// for any value its rule accepts, and is the closest on a value
		// its rule refuses.
		p := mustParse(t, `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[
		 {"description":"ruled","request":{"method":"GET","path":"/r","query":{"id":["1"]},
		   "matchingRules":{"query":{"id":{"matchers":[{"match":"regex","regex":"^\\d+$"}]}}}},"response":{"status":200,"body":"ruled"}},
		 {"description":"exact","request":{"method":"GET","path":"/r","query":{"id":["1"]}},"response":{"status":200,"body":"exact"}}],
		 "metadata":{"pactSpecification":{"version":"3.0.0"}}}`)
		srv := mock.New([]*pact.Pact{p}, mock.Options{})
		mustAnswer(t, srv, []queryCase{
			{"/r?id=42", "ruled"}, {"/r?id=1", "exact"}, {"/r?id=1", "ruled"}, {"/r?id=7", "ruled"}, {"/r?id=x", ""},
		})
		st := srv.Status()
		require.Len(t, st, 1)
		require.Equal(t, "ruled", st[0].Description)
		require.Equal(t, match.KindQuery, st[0].Mismatches[0].Kind)
	})
	t.Run("valueless parameters", func(t *testing.T) {
		t.Parallel()
		p := mustParse(t, `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[
		 {"type":"Synchronous/HTTP","description":"debug","request":{"method":"GET","path":"/s","query":{"q":["pact"],"debug":[null]}},
		   "response":{"status":200,"body":{"content":"debug","contentType":"text/plain"}}},
		 {"type":"Synchronous/HTTP","description":"plain","request":{"method":"GET","path":"/s","query":{"q":["pact"]}},
		   "response":{"status":200,"body":{"content":"plain","contentType":"text/plain"}}}],
		 "metadata":{"pactSpecification":{"version":"4.0"}}}`)
		srv := mock.New([]*pact.Pact{p}, mock.Options{})
		// "debug", declared first and indexed by no query, also answers
		// a request without the parameter while it is unused.
		mustAnswer(t, srv, []queryCase{
			{"/s?q=pact&debug", "debug"}, {"/s?q=pact", "plain"}, {"/s?debug=&q=pact", "debug"}, {"/s?q=pact", "debug"},
			{"/s?q=pact&debug=1", ""},
		})
	})
	t.Run("order and repetition", func(t *testing.T) {
		t.Parallel()
		p := mustParse(t, `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[
		 {"description":"1 then 2","request":{"method":"GET","path":"/m","query":{"a":["1","2"],"b":["x"]}},"response":{"status":200,"body":"1 then 2"}},
		 {"description":"2 then 1","request":{"method":"GET","path":"/m","query":{"a":["2","1"],"b":["x"]}},"response":{"status":200,"body":"2 then 1"}}],
		 "metadata":{"pactSpecification":{"version":"3.0.0"}}}`)
		srv := mock.New([]*pact.Pact{p}, mock.Options{})
		mustAnswer(t, srv, []queryCase{
			{"/m?b=x&a=2&a=1", "2 then 1"}, {"/m?a=1&b=x&a=2", "1 then 2"}, {"/m?a=1&a=2", ""}, {"/m?a=1&a=2&b=x&b=x", ""},
			{"/m?a=1&a=1&b=x", ""},
		})
		st := srv.Status()
		require.Len(t, st, 3)
		for _, pr := range st {
			require.Equal(t, mock.ProblemMismatch, pr.Type)
			require.Equal(t, "1 then 2", pr.Description, "the first of the closest")
		}
	})
}

// An index key must not depend on how the query was written.
func TestIndexIgnoresQueryOrderAndEscaping(t *testing.T) {
	t.Parallel()
	q := url.Values{"name": {"a b&c", "d"}, "x y": {"=", ""}, "z": {"1"}}
	p := mustParse(t, `{"consumer":{"name":"c"},"provider":{"name":"p"},"interactions":[
	 {"description":"q","request":{"method":"GET","path":"/e","query":{"z":["1"],"x y":["=",""],"name":["a b&c","d"]}},"response":{"status":200,"body":"q"}}],
	 "metadata":{"pactSpecification":{"version":"3.0.0"}}}`)
	srv := mock.New([]*pact.Pact{p}, mock.Options{})
	mustAnswer(t, srv, []queryCase{
		{"/e?" + q.Encode(), "q"},
		{"/e?z=1&x+y=%3D&name=a+b%26c&x%20y=&name=d", "q"},
		{"/e?z=1&x+y=%3D&name=d&x%20y=&name=a+b%26c", ""},
	})
}
