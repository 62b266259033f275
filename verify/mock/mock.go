// Package mock is a mock HTTP provider: it serves the expectations of one
// or more pacts to a consumer under test, answers each request that matches
// an interaction with that interaction's response, and records what was
// unexpected or never requested.
//
//	srv := mock.New(pacts, mock.Options{})
//	err := srv.Start(ctx, "127.0.0.1:0")
//	// ... exercise the consumer against srv.URL() ...
//	if err := srv.Verify(); err == nil { srv.WritePact("./pacts") }
package mock

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/match"
)

// ProblemType is the stable identifier of a mock server problem; the names
// are those of the Pact mock server.
type ProblemType string

// Problem types.
const (
	// ProblemUnexpected: a request no interaction expects.
	ProblemUnexpected ProblemType = "request-not-found"
	// ProblemMismatch: a request with the method and path of an interaction
	// but differing in query, headers or body.
	ProblemMismatch ProblemType = "request-mismatch"
	// ProblemMissing: an interaction whose request never came.
	ProblemMissing ProblemType = "missing-request"
)

// Problem is one thing the mock server saw go wrong.
type Problem struct {
	Type   ProblemType `json:"type"`
	Method string      `json:"method"`
	Path   string      `json:"path"`
	// Description names the interaction concerned (mismatch, missing).
	Description string `json:"description,omitempty"`
	// Consumer and Provider name the pact of that interaction.
	Consumer string `json:"consumer,omitempty"`
	Provider string `json:"provider,omitempty"`
	// Mismatches says how a request differed from the interaction.
	Mismatches []match.Mismatch `json:"mismatches,omitempty"`
}

// String describes the problem in one line.
func (p Problem) String() string {
	switch p.Type {
	case ProblemUnexpected:
		return fmt.Sprintf("unexpected request received: %s %s", p.Method, p.Path)
	case ProblemMismatch:
		var ms []string
		for _, m := range p.Mismatches {
			ms = append(ms, m.Message)
		}
		return fmt.Sprintf("request %s %s did not match interaction %q: %s", p.Method, p.Path, p.Description, strings.Join(ms, "; "))
	case ProblemMissing:
		return fmt.Sprintf("expected but not received: %s %s (interaction %q)", p.Method, p.Path, p.Description)
	}
	return string(p.Type)
}

// Options configure a Server.
type Options struct {
	// Logger receives unmatched requests; nil discards them.
	Logger *slog.Logger
	// Now is the clock for date generators; nil means time.Now.
	Now func() time.Time
}

// expectation is one HTTP interaction the server can answer.
type expectation struct {
	pact *pact.Pact
	in   *pact.Interaction
	// req is the request requests are matched against: in.Request, with
	// its path unescaped when the pact writes it percent-escaped, since
	// received paths are compared unescaped.
	req *pact.Request
	// valueless are query parameters the pact gives as [null] (the Rust
	// core's "present without a value", ?debug): the model drops them, as
	// the official verifier does, and the mock accepts them without a
	// value as the official stub does.
	valueless map[string]bool
	// order is the expectation's position among the server's, which
	// decides between expectations a request matches equally.
	order int
	// queryRuled is set when the request has query matching rules.
	queryRuled bool
	// answer is what respond writes when the response has no generators.
	answer *answer
	uses   Uses
}

// valuelessParams returns the query parameters a V4 pact gives as null or
// [null], read from the request's original JSON.
func valuelessParams(r *pact.Request) map[string]bool {
	var q map[string]json.RawMessage
	if json.Unmarshal(r.Orig["query"], &q) != nil {
		return nil
	}
	var out map[string]bool
	for k, raw := range q {
		var vs []*string
		if string(raw) != "null" && (json.Unmarshal(raw, &vs) != nil || len(vs) == 0 || slices.ContainsFunc(vs, func(v *string) bool { return v != nil })) {
			continue
		}
		if _, kept := r.Query[k]; kept {
			continue
		}
		if out == nil {
			out = map[string]bool{}
		}
		out[k] = true
	}
	return out
}

// without returns actual without the valueless parameters it carries with
// no value.
func (e *expectation) without(actual *pact.Request) *pact.Request {
	if len(e.valueless) == 0 {
		return actual
	}
	var q pact.Query
	for k, vs := range actual.Query {
		if e.valueless[k] && !slices.ContainsFunc(vs, func(v string) bool { return v != "" }) {
			continue
		}
		if q == nil {
			q = pact.Query{}
		}
		q[k] = vs
	}
	c := *actual
	c.Query = q
	return &c
}

// Server is a mock provider. It is an http.Handler; Start also serves it
// on a listener of its own.
type Server struct {
	opts Options
	log  *slog.Logger

	// exps, byPlace, ruled and seed are fixed by New: matching reads them
	// without a lock.
	exps []*expectation
	// byPlace indexes the expectations whose path has no matching rule by
	// placeKey(method, path): a request is only matched against those of
	// its own method and path, and ruled ones of its method.
	byPlace map[string]*group
	// ruled holds, by upper-case method, the expectations whose path has
	// a matching rule.
	ruled map[string]*group
	// seed keys queryHash.
	seed maphash.Seed

	problems Ledger[Problem]

	// url is read on every request: an atomic, not under mu, so that
	// concurrent requests do not queue for it.
	url atomic.Pointer[string]

	mu   sync.Mutex
	srv  *http.Server
	stop func() bool // unregisters the shutdown on ctx done
}

// group is the expectations of one place (or the path-ruled ones of one
// method), indexed by query.
type group struct {
	// all holds every expectation of the group, in declaration order: the
	// candidates for the closest mismatch.
	all []*expectation
	// byQuery holds, by queryHash of their query, the expectations with no
	// query matching rule and no valueless parameter: such an expectation
	// only matches a request whose query equals its own (same names, same
	// values in the same order), so one whose hash differs from the
	// request's is skipped without matching it.
	byQuery map[uint64][]*expectation
	// open holds the others, which requests of any query may match.
	open []*expectation
}

func (g *group) add(e *expectation, seed maphash.Seed) {
	g.all = append(g.all, e)
	if e.queryRuled || len(e.valueless) > 0 {
		g.open = append(g.open, e)
		return
	}
	if g.byQuery == nil {
		g.byQuery = map[uint64][]*expectation{}
	}
	h := queryHash(seed, e.req.Query)
	g.byQuery[h] = append(g.byQuery[h], e)
}

// queryHash hashes a query so that equal queries (the same names, each
// with the same values in the same order) hash alike whatever the order of
// their names; a nil query and an empty one hash alike. Unequal queries
// may collide: the hash only narrows the candidates.
func queryHash(seed maphash.Seed, q pact.Query) uint64 {
	var sum uint64
	for k, vs := range q {
		var h maphash.Hash
		h.SetSeed(seed)
		writeLenString(&h, k)
		for _, v := range vs {
			writeLenString(&h, v)
		}
		// A sum does not depend on the order the map yields the names in.
		sum += h.Sum64()
	}
	return sum
}

// writeLenString writes s with its length first, so that ("ab", "c") and
// ("a", "bc") write differently.
func writeLenString(h *maphash.Hash, s string) {
	var n [binary.MaxVarintLen64]byte
	_, _ = h.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
	_, _ = h.WriteString(s)
}

// New returns a server answering the HTTP interactions of pacts (other
// interaction types are ignored).
func New(pacts []*pact.Pact, opts Options) *Server {
	s := &Server{opts: opts, log: opts.Logger, byPlace: map[string]*group{}, ruled: map[string]*group{}, seed: maphash.MakeSeed()}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.opts.Now == nil {
		s.opts.Now = time.Now
	}
	for _, p := range pacts {
		for _, in := range p.Interactions {
			if (in.Type == pact.HTTP || in.Type == "") && in.Request != nil && in.Response != nil {
				req := in.Request
				if path, err := url.PathUnescape(req.Path); err == nil && path != req.Path {
					req = req.Clone()
					req.Path = path
				}
				e := &expectation{pact: p, in: in, req: req, valueless: valuelessParams(in.Request), order: len(s.exps),
					queryRuled: len(req.Rules[pact.CategoryQuery]) > 0, answer: newAnswer(in.Response)}
				s.exps = append(s.exps, e)
				method := strings.ToUpper(req.Method)
				groups, k := s.byPlace, placeKey(method, req.Path)
				if len(req.Rules[pact.CategoryPath]) > 0 {
					groups, k = s.ruled, method
				}
				g := groups[k]
				if g == nil {
					g = &group{}
					groups[k] = g
				}
				g.add(e, s.seed)
			}
		}
	}
	return s
}

// placeKey is the index key of an upper-case method and a path.
func placeKey(method, path string) string { return method + " " + path }

// Start listens on addr (e.g. "127.0.0.1:0") and serves until ctx is done
// or Close is called. It returns once the listener is open; URL then gives
// the address.
func (s *Server) Start(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("mock server listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	stop := context.AfterFunc(ctx, func() {
		shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	})
	u := "http://" + ln.Addr().String()
	s.url.Store(&u)
	s.mu.Lock()
	s.srv, s.stop = srv, stop
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
	return nil
}

// Close stops a server started with Start.
func (s *Server) Close() error {
	s.mu.Lock()
	srv, stop := s.srv, s.stop
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	stop()
	return srv.Close()
}

// URL is the base URL the server listens on after Start; empty before.
func (s *Server) URL() string {
	if u := s.url.Load(); u != nil {
		return *u
	}
	return ""
}

// SetURL tells a server used as a plain http.Handler its public base URL,
// for MockServerURL generators (otherwise derived from each request's Host).
func (s *Server) SetURL(u string) {
	u = strings.TrimSuffix(u, "/")
	s.url.Store(&u)
}

// maxRequestBody bounds request bodies the server reads.
const maxRequestBody = 32 << 20

// ServeHTTP answers a request with the response of the interaction it
// matches, or HTTP 500 with a JSON error body.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := readBody(r)
	if err != nil {
		http.Error(w, "read request body: "+err.Error(), http.StatusBadRequest)
		return
	}
	actual := actualRequest(r, body)

	exp, best, bestMs := s.find(actual)
	if exp != nil {
		exp.uses.Use()
	}
	if best != nil {
		s.problems.Add(Problem{
			Type: ProblemMismatch, Method: r.Method, Path: r.URL.Path,
			Description: best.in.Description, Consumer: best.pact.Consumer.Name, Provider: best.pact.Provider.Name,
			Mismatches: bestMs,
		})
	} else if exp == nil {
		s.problems.Add(Problem{Type: ProblemUnexpected, Method: r.Method, Path: r.URL.Path})
	}
	base := s.URL()
	if base == "" {
		base = "http://" + r.Host
	}

	switch {
	case exp != nil:
		s.respond(w, exp, base)
	case best != nil:
		s.log.Warn("mock: request did not match", "method", r.Method, "path", r.URL.Path, "interaction", best.in.Description, "mismatches", len(bestMs))
		writeError(w, errorBody{
			Error:       fmt.Sprintf("Request-Mismatch : %s %s did not match interaction %q", r.Method, r.URL.Path, best.in.Description),
			Type:        string(ProblemMismatch),
			Interaction: best.in.Description,
			Mismatches:  mismatchesJSON(bestMs),
		})
	default:
		s.log.Warn("mock: unexpected request", "method", r.Method, "path", r.URL.Path, "query", r.URL.RawQuery)
		writeError(w, errorBody{
			Error: fmt.Sprintf("Unexpected request : %s %s", r.Method, r.URL.RequestURI()),
			Type:  string(ProblemUnexpected),
		})
	}
}

// find returns the expectation actual matches (preferring one not yet
// used), or else the closest expectation with the same method and path and
// its mismatches. Only the expectations of the request's method and path
// (and those whose path has a matching rule) are candidates: any other
// would differ in method or path, and is never chosen nor the closest.
// Among those, a match can only come from the ones indexed under the
// request's query hash and the ones not indexed by query (see group). It
// takes no lock: the candidates are fixed, the uses counted atomically.
func (s *Server) find(actual *pact.Request) (exp, best *expectation, bestMs []match.Mismatch) {
	method := strings.ToUpper(actual.Method)
	place, ruled := s.byPlace[placeKey(method, actual.Path)], s.ruled[method]
	if place == nil && ruled == nil {
		return nil, nil, nil
	}
	h := queryHash(s.seed, actual.Query)
	// A matching request is the common case: look for the match first,
	// fully matching only the candidates whose query can match.
	for _, e := range inOrder(place.sameQuery(h), place.openQuery(), ruled.sameQuery(h), ruled.openQuery()) {
		if !e.mayMatch(actual) || len(match.Request(e.req, e.without(actual))) > 0 {
			continue
		}
		if e.uses.Count() == 0 {
			return e, nil, nil
		}
		if exp == nil {
			exp = e
		}
	}
	if exp != nil {
		return exp, nil, nil
	}
	// No match: the closest candidate, for the report.
	for _, e := range inOrder(place.every(), ruled.every()) {
		ms := match.Request(e.req, e.without(actual))
		if !samePlace(ms) {
			continue
		}
		if best == nil || len(ms) < len(bestMs) {
			best, bestMs = e, ms
		}
	}
	return nil, best, bestMs
}

// sameQuery, openQuery and every return the group's expectations indexed
// under query hash h, those not indexed by query, and all of them; nil for
// a nil group.
func (g *group) sameQuery(h uint64) []*expectation {
	if g == nil {
		return nil
	}
	return g.byQuery[h]
}

func (g *group) openQuery() []*expectation {
	if g == nil {
		return nil
	}
	return g.open
}

func (g *group) every() []*expectation {
	if g == nil {
		return nil
	}
	return g.all
}

// inOrder merges lists of expectations, each in declaration order, into
// one in declaration order. With one list not empty it returns that list
// (the common case allocates nothing).
func inOrder(lists ...[]*expectation) []*expectation {
	var only []*expectation
	n, nonEmpty := 0, 0
	for _, l := range lists {
		if len(l) > 0 {
			only = l
			n += len(l)
			nonEmpty++
		}
	}
	if nonEmpty <= 1 {
		return only
	}
	out := make([]*expectation, 0, n)
	for len(out) < n {
		next := -1
		for i, l := range lists {
			if len(l) > 0 && (next < 0 || l[0].order < lists[next][0].order) {
				next = i
			}
		}
		out = append(out, lists[next][0])
		lists[next] = lists[next][1:]
	}
	return out
}

// mayMatch is a cheap necessary condition for actual to match e: without
// query matching rules every expected query parameter must come with the
// same values. Many interactions of one path that differ by their query
// are so told apart without a full match.
func (e *expectation) mayMatch(actual *pact.Request) bool {
	if e.queryRuled {
		return true
	}
	for k, vs := range e.req.Query {
		if !slices.Equal(vs, actual.Query[k]) {
			return false
		}
	}
	return true
}

// samePlace reports whether mismatches leave method and path matching.
func samePlace(ms []match.Mismatch) bool {
	for _, m := range ms {
		if m.Kind == match.KindMethod || m.Kind == match.KindPath {
			return false
		}
	}
	return true
}

// respond writes the interaction's response, generators applied.
func (s *Server) respond(w http.ResponseWriter, e *expectation, base string) {
	resp, err := consumerResponse(e.in.Response, base, s.opts.Now())
	if err != nil {
		s.log.Error("mock: generate response", "interaction", e.in.Description, "error", err)
		writeError(w, errorBody{Error: fmt.Sprintf("generate response for interaction %q: %v", e.in.Description, err), Type: "generator-error"})
		return
	}
	a := e.answer
	if resp != e.in.Response {
		a = newAnswer(resp)
	}
	// One array holds every header value written, instead of one per
	// header: the values are the response's (Header.Add), then the
	// content type when none was given, then the length.
	values := make([]string, 0, a.values+2)
	h := w.Header()
	for _, ah := range a.headers {
		if old := h[ah.name]; len(old) > 0 {
			h[ah.name] = append(old, ah.values...)
			continue
		}
		values = append(values, ah.values...)
		h[ah.name] = values[len(values)-len(ah.values) : len(values) : len(values)]
	}
	var body []byte
	if resp.Body.State == pact.BodyPresent {
		body = resp.Body.Content
		if a.contentType != "" && h.Get("Content-Type") == "" {
			values = append(values, a.contentType)
			h["Content-Type"] = values[len(values)-1 : len(values) : len(values)]
		}
	}
	values = append(values, a.contentLength)
	h["Content-Length"] = values[len(values)-1 : len(values) : len(values)]
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// answer is the headers respond writes for a response, worked out once
// per interaction rather than on every request.
type answer struct {
	// headers are the response's headers under their canonical names
	// (as Header.Add files them), in name order.
	headers []answerHeader
	// values counts the values of headers.
	values int
	// contentType is the body's content type, for a response with a body
	// and no Content-Type header.
	contentType string
	// contentLength is the length of the body.
	contentLength string
}

type answerHeader struct {
	name   string
	values []string
}

func newAnswer(r *pact.Response) *answer {
	a := &answer{}
	names := make([]string, 0, len(r.Headers))
	for name := range r.Headers {
		names = append(names, name)
	}
	slices.Sort(names)
	byName := map[string]int{}
	for _, name := range names {
		vs := r.Headers[name]
		if len(vs) == 0 {
			continue
		}
		key := textproto.CanonicalMIMEHeaderKey(name)
		i, ok := byName[key]
		if !ok {
			i = len(a.headers)
			byName[key] = i
			a.headers = append(a.headers, answerHeader{name: key})
		}
		a.headers[i].values = append(a.headers[i].values, vs...)
		a.values += len(vs)
	}
	var n int
	if r.Body.State == pact.BodyPresent {
		a.contentType = r.Body.EffectiveContentType()
		n = len(r.Body.Content)
	}
	a.contentLength = strconv.Itoa(n)
	return a
}

// errorBody is the JSON body of a 500 answer to an unmatched request.
type errorBody struct {
	Error       string         `json:"error"`
	Type        string         `json:"type"`
	Interaction string         `json:"interaction,omitempty"`
	Mismatches  []mismatchJSON `json:"mismatches,omitempty"`
}

// mismatchJSON is a mismatch in an error body, with the field names of
// the Pact mock server's ("mismatch" is the message).
type mismatchJSON struct {
	Type     string `json:"type"`
	Path     string `json:"path,omitempty"`
	Expected string `json:"expected,omitempty"`
	Actual   string `json:"actual,omitempty"`
	Mismatch string `json:"mismatch"`
}

func mismatchesJSON(ms []match.Mismatch) []mismatchJSON {
	out := make([]mismatchJSON, len(ms))
	for i, m := range ms {
		out[i] = mismatchJSON{Type: string(m.Kind), Path: m.Path, Expected: m.Expected, Actual: m.Actual, Mismatch: m.Message}
	}
	return out
}

func writeError(w http.ResponseWriter, body errorBody) {
	data, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Pact-Error", body.Type)
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write(data)
}

// readBody reads the request's body, up to maxRequestBody bytes; nil
// when the request has none (most requests of a mock).
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	return io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
}

// actualRequest describes a received request in the pact model.
func actualRequest(r *http.Request, body []byte) *pact.Request {
	// Only "&" separates parameters: url.ParseQuery drops pairs with a ";".
	q, err := pact.ParseQueryString(r.URL.RawQuery)
	if err != nil {
		q = pact.Query(r.URL.Query())
	}
	// Matching only reads the headers, and keeps none of them: no copy.
	h := pact.Headers(r.Header)
	if h == nil {
		h = pact.Headers{}
	}
	b := pact.Body{State: pact.BodyEmpty}
	if len(body) > 0 {
		b = pact.Body{State: pact.BodyPresent, Content: body, ContentType: r.Header.Get("Content-Type")}
	}
	return &pact.Request{Method: r.Method, Path: r.URL.Path, Query: q, Headers: h, Body: b}
}

// Status lists the problems seen so far: unexpected and mismatched
// requests in arrival order, then interactions never requested.
func (s *Server) Status() []Problem {
	out := s.problems.Seen()
	for _, e := range s.exps {
		if e.uses.Count() == 0 {
			out = append(out, Problem{
				Type: ProblemMissing, Method: e.in.Request.Method, Path: e.in.Request.Path,
				Description: e.in.Description, Consumer: e.pact.Consumer.Name, Provider: e.pact.Provider.Name,
			})
		}
	}
	return out
}

// Verify returns nil when every request matched an interaction and every
// interaction was requested; else an error wrapping ErrNotOK that lists
// the problems.
func (s *Server) Verify() error {
	return Verdict(s.Status())
}

// WritePact writes, for each consumer-provider pair served, a pact of the
// interactions that were exercised to dir/<consumer>-<provider>.json (V4
// for V4 pacts, V3 otherwise), but only when Verify finds nothing wrong.
// It returns the paths written.
func (s *Server) WritePact(dir string) ([]string, error) {
	if err := s.Verify(); err != nil {
		return nil, fmt.Errorf("write pact: %w", err)
	}
	var exercised []Exercise
	for _, e := range s.exps {
		if e.uses.Count() > 0 {
			exercised = append(exercised, Exercise{Pact: e.pact, Interaction: e.in})
		}
	}
	var paths []string
	for _, p := range PairPacts(exercised, nil) {
		spec := pact.V3
		if p.Spec >= pact.V4 {
			spec = pact.V4
		}
		data, err := writePact(p, spec)
		if err != nil {
			return paths, fmt.Errorf("write pact %s-%s: %w", p.Consumer.Name, p.Provider.Name, err)
		}
		path, err := WritePactFile(dir, p.Consumer.Name, p.Provider.Name, data)
		if err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}
