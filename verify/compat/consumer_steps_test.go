package compat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/cucumber/godog"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/match"
	"github.com/contracts-dev/contracts/verify/mock"
)

// consumerState is the HTTP consumer side of a scenario: the mock server,
// the last response it gave, and the pact it wrote.
type consumerState struct {
	server   *mock.Server
	status   int
	body     []byte
	header   http.Header
	done     bool
	problems []mock.Problem
	pactDir  string
	written  []string
	writeErr error
	// file is the written pact file, decoded.
	file map[string]any
}

// Names of the pacticipants of the pacts the consumer steps build.
const (
	consumerName = "compatibility-suite-consumer"
	providerName = "p"
)

func (w *world) consumerSteps(sc *godog.ScenarioContext) {
	sc.Step(`^the mock server is started with interactions? "?([\d, ]+)"?$`, w.mockStarted)
	sc.Step(`^the mock server is started with interaction (\d+) but with the following changes:$`, w.mockStartedChanged)
	sc.Step(`^request (\d+) is made to the mock server$`, func(no int) error { return w.requestMade(no, nil) })
	sc.Step(`^request (\d+) is made to the mock server with the following changes:$`, w.requestMade)
	sc.Step(`^a (\d+) (?:success|error) response is returned$`, w.responseStatus)
	sc.Step(`^the payload will contain the "([^"]*)" JSON document$`, w.payloadDocument)
	sc.Step(`^the content type will be set as "([^"]*)"$`, w.responseContentType)
	sc.Step(`^the pact test is done$`, w.pactTestDone)
	sc.Step(`^the mock server status will be OK$`, w.mockOK)
	sc.Step(`^the mock server status will NOT be OK$`, w.mockNotOK)
	sc.Step(`^the mock server will write out a Pact file for the interactions? when done$`, w.pactWritten)
	sc.Step(`^the mock server will NOT write out a Pact file for the interactions? when done$`, w.pactNotWritten)
	sc.Step(`^the mock server status will be an expected but not received error for interaction \{(\d+)\}$`, w.statusMissing)
	sc.Step(`^the mock server status will be an unexpected "([^"]*)" request received error for interaction \{(\d+)\}$`, w.statusUnexpectedFor)
	sc.Step(`^the mock server status will be an unexpected "([^"]*)" request received error for path "([^"]*)"$`, w.statusUnexpectedPath)
	sc.Step(`^the mock server status will be mismatches$`, w.statusMismatches)
	sc.Step(`^the mismatches will contain a "([^"]*)" mismatch with error "((?:[^"\\]|\\.)*)"$`, func(kind, msg string) error {
		return w.mismatchContains(kind, "", msg)
	})
	sc.Step(`^the mismatches will contain a "([^"]*)" mismatch with path "([^"]*)" with error "((?:[^"\\]|\\.)*)"$`, w.mismatchContains)
	sc.Step(`^the pact file will contain \{(\d+)\} interactions?$`, w.pactInteractionCount)
	sc.Step(`^the \{(\w+)\} interaction request will be for a "([^"]*)"$`, w.pactRequestMethod)
	sc.Step(`^the \{(\w+)\} interaction response will contain the "([^"]*)" document$`, func(o, name string) error {
		return w.pactDocument(o, "response", name)
	})
	sc.Step(`^the \{(\w+)\} interaction request will contain the "([^"]*)" document$`, func(o, name string) error {
		return w.pactDocument(o, "request", name)
	})
	sc.Step(`^the \{(\w+)\} interaction request query parameters will be "([^"]*)"$`, w.pactQuery)
	sc.Step(`^the \{(\w+)\} interaction request will contain the header "([^"]*)" with value "([^"]*)"$`, w.pactHeader)
	sc.Step(`^the \{(\w+)\} interaction request content type will be "([^"]*)"$`, w.pactContentType)
}

// newPact returns an empty pact of the feature's version.
func (w *world) newPact() *pact.Pact {
	return &pact.Pact{
		Consumer: pact.Pacticipant{Name: consumerName},
		Provider: pact.Pacticipant{Name: providerName},
		Spec:     w.spec(),
		Layout:   w.spec(),
	}
}

func (w *world) mockStarted(list string) error {
	nos, err := numbers(list)
	if err != nil {
		return err
	}
	p := w.newPact()
	for _, no := range nos {
		in, err := w.interaction(no)
		if err != nil {
			return err
		}
		p.Interactions = append(p.Interactions, in.Clone())
	}
	return w.startMock(p)
}

func (w *world) mockStartedChanged(no int, changes *godog.Table) error {
	in, err := w.interaction(no)
	if err != nil {
		return err
	}
	in = in.Clone()
	rows := table(changes)
	if len(rows) != 1 {
		return fmt.Errorf("want one row of changes, got %d", len(rows))
	}
	if err := w.applyRequest(in.Request, rows[0]); err != nil {
		return err
	}
	p := w.newPact()
	p.Interactions = []*pact.Interaction{in}
	return w.startMock(p)
}

func (w *world) startMock(p *pact.Pact) error {
	srv := mock.New([]*pact.Pact{p}, mock.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	if err := srv.Start(ctx, "127.0.0.1:0"); err != nil {
		cancel()
		return fmt.Errorf("start mock server: %w", err)
	}
	w.cleanup(func() {
		_ = srv.Close()
		cancel()
	})
	w.consumer.server = srv
	return nil
}

// requestMade sends interaction no's request to the mock server, changed by
// the one row of changes (method, path, query, headers, raw headers, body).
func (w *world) requestMade(no int, changes *godog.Table) error {
	if w.consumer.server == nil {
		return errors.New("the mock server is not started")
	}
	in, err := w.interaction(no)
	if err != nil {
		return err
	}
	req := in.Request.Clone()
	rawQuery := req.Query.String()
	if changes != nil {
		rows := table(changes)
		if len(rows) != 1 {
			return fmt.Errorf("want one row of changes, got %d", len(rows))
		}
		if err := w.applyRequest(req, rows[0]); err != nil {
			return err
		}
		if q, ok := rows[0]["query"]; ok {
			rawQuery = q // sent as written: order and repeats matter
		}
	}
	u := w.consumer.server.URL() + req.Path
	if rawQuery != "" {
		u += "?" + rawQuery
	}
	var body io.Reader
	if req.Body.State == pact.BodyPresent {
		body = bytes.NewReader(req.Body.Content)
	}
	hr, err := http.NewRequest(req.Method, u, body)
	if err != nil {
		return fmt.Errorf("request %d: %w", no, err)
	}
	for name, vs := range req.Headers {
		for _, v := range vs {
			hr.Header.Add(name, v)
		}
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		return fmt.Errorf("request %d to the mock server: %w", no, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read mock server response: %w", err)
	}
	w.consumer.status, w.consumer.body, w.consumer.header = resp.StatusCode, data, resp.Header
	return nil
}

func (w *world) responseStatus(code int) error {
	if w.consumer.status != code {
		return fmt.Errorf("mock server answered %d, want %d (body %s)", w.consumer.status, code, w.consumer.body)
	}
	return nil
}

func (w *world) payloadDocument(name string) error {
	want, err := w.fixture(name + ".json")
	if err != nil {
		return err
	}
	ok, err := jsonEqual(want, w.consumer.body)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("payload %s is not the %s document %s", w.consumer.body, name, want)
	}
	return nil
}

func (w *world) responseContentType(ct string) error {
	if got := w.consumer.header.Get("Content-Type"); got != ct {
		return fmt.Errorf("response content type %q, want %q", got, ct)
	}
	return nil
}

// pactTestDone ends the consumer test as a Pact DSL would: the mock
// server's status is read and, when it is OK, the pact file is written.
func (w *world) pactTestDone() error {
	if w.consumer.server == nil {
		return errors.New("the mock server is not started")
	}
	w.consumer.done = true
	w.consumer.problems = w.consumer.server.Status()
	w.consumer.pactDir = filepath.Join(w.t.TempDir(), "pacts")
	w.consumer.written, w.consumer.writeErr = w.consumer.server.WritePact(w.consumer.pactDir)
	if len(w.consumer.problems) == 0 && w.consumer.writeErr != nil {
		return fmt.Errorf("write pact: %w", w.consumer.writeErr)
	}
	if len(w.consumer.written) == 1 {
		data, err := os.ReadFile(w.consumer.written[0])
		if err != nil {
			return err
		}
		if err := json.Unmarshal(data, &w.consumer.file); err != nil {
			return fmt.Errorf("written pact %s: %w", w.consumer.written[0], err)
		}
	}
	return nil
}

func (w *world) mockOK() error {
	if !w.consumer.done {
		return errors.New("the pact test is not done")
	}
	if len(w.consumer.problems) != 0 || w.consumer.server.Verify() != nil {
		return fmt.Errorf("mock server status is not OK: %v", w.consumer.problems)
	}
	return nil
}

func (w *world) mockNotOK() error {
	if !w.consumer.done {
		return errors.New("the pact test is not done")
	}
	err := w.consumer.server.Verify()
	if len(w.consumer.problems) == 0 || !errors.Is(err, mock.ErrNotOK) {
		return fmt.Errorf("mock server status is OK (Verify: %v), want problems", err)
	}
	return nil
}

func (w *world) pactWritten() error {
	if len(w.consumer.written) != 1 || w.consumer.file == nil {
		return fmt.Errorf("want one pact file written, got %v (error %v)", w.consumer.written, w.consumer.writeErr)
	}
	data, err := os.ReadFile(w.consumer.written[0])
	if err != nil {
		return err
	}
	if _, err := pact.Parse(data); err != nil {
		return fmt.Errorf("written pact %s does not parse: %w", w.consumer.written[0], err)
	}
	return nil
}

func (w *world) pactNotWritten() error {
	if !w.consumer.done {
		return errors.New("the pact test is not done")
	}
	if len(w.consumer.written) != 0 {
		return fmt.Errorf("pact files written: %v", w.consumer.written)
	}
	entries, _ := os.ReadDir(w.consumer.pactDir)
	if len(entries) != 0 {
		return fmt.Errorf("pact directory %s holds %d files", w.consumer.pactDir, len(entries))
	}
	if !errors.Is(w.consumer.writeErr, mock.ErrNotOK) {
		return fmt.Errorf("WritePact error %v, want one wrapping mock.ErrNotOK", w.consumer.writeErr)
	}
	return nil
}

func (w *world) statusMissing(no int) error {
	in, err := w.interaction(no)
	if err != nil {
		return err
	}
	for _, p := range w.consumer.problems {
		if p.Type == mock.ProblemMissing && p.Description == in.Description &&
			p.Method == in.Request.Method && p.Path == in.Request.Path {
			return nil
		}
	}
	return fmt.Errorf("no expected-but-not-received problem for %q in %v", in.Description, w.consumer.problems)
}

func (w *world) statusUnexpectedFor(method string, no int) error {
	in, err := w.interaction(no)
	if err != nil {
		return err
	}
	return w.statusUnexpectedPath(method, in.Request.Path)
}

func (w *world) statusUnexpectedPath(method, path string) error {
	for _, p := range w.consumer.problems {
		if p.Type == mock.ProblemUnexpected && p.Method == method && p.Path == path {
			return nil
		}
	}
	return fmt.Errorf("no unexpected-request problem for %s %s in %v", method, path, w.consumer.problems)
}

func (w *world) statusMismatches() error {
	// A mismatched request also leaves its interaction not received, so
	// missing-request problems may come with the mismatches.
	found := false
	for _, p := range w.consumer.problems {
		switch p.Type {
		case mock.ProblemMismatch:
			found = true
		case mock.ProblemMissing:
		default:
			return fmt.Errorf("problem %s is not a request mismatch", p)
		}
	}
	if !found {
		return fmt.Errorf("no request mismatch among the problems %v", w.consumer.problems)
	}
	return nil
}

// mismatchKinds maps the feature's mismatch type names to the engine's kinds.
var mismatchKinds = map[string]match.Kind{
	"query":             match.KindQuery,
	"header":            match.KindHeader,
	"body":              match.KindBody,
	"body-content-type": match.KindBodyType,
	"status":            match.KindStatus,
	"path":              match.KindPath,
	"method":            match.KindMethod,
	"metadata":          match.KindMetadata,
}

// mismatchContains looks for a mismatch of the kind (and path, when given)
// with the message among the mock server's request mismatches.
func (w *world) mismatchContains(kind, path, msg string) error {
	k, ok := mismatchKinds[kind]
	if !ok {
		return fmt.Errorf("mismatch type %q not understood", kind)
	}
	msg = unquote(msg)
	var all []match.Mismatch
	for _, p := range w.consumer.server.Status() {
		all = append(all, p.Mismatches...)
	}
	for _, m := range all {
		if m.Kind == k && (path == "" || m.Path == path) && messageMatches(msg, m.Message) {
			return nil
		}
	}
	return fmt.Errorf("no %s mismatch%s with message %q among:\n%s", kind, atPath(path), msg, dumpMismatches(all))
}

func atPath(path string) string {
	if path == "" {
		return ""
	}
	return " at " + path
}

func dumpMismatches(ms []match.Mismatch) string {
	if len(ms) == 0 {
		return "  (none)"
	}
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "  [%s] %s -> %s\n", m.Kind, m.Path, m.Message)
	}
	return b.String()
}

// pactInteraction returns the written pact's interaction at the ordinal.
func (w *world) pactInteraction(o string) (map[string]any, error) {
	i, err := ordinal(o)
	if err != nil {
		return nil, err
	}
	if w.consumer.file == nil {
		return nil, errors.New("no pact file was written")
	}
	list, _ := w.consumer.file["interactions"].([]any)
	if i >= len(list) {
		return nil, fmt.Errorf("pact file has %d interactions, want a %s one", len(list), o)
	}
	in, ok := list[i].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("interaction %d is not an object", i)
	}
	return in, nil
}

func (w *world) pactInteractionCount(n int) error {
	if w.consumer.file == nil {
		return errors.New("no pact file was written")
	}
	list, _ := w.consumer.file["interactions"].([]any)
	if len(list) != n {
		return fmt.Errorf("pact file has %d interactions, want %d", len(list), n)
	}
	return nil
}

func (w *world) pactPart(o, part string) (map[string]any, error) {
	in, err := w.pactInteraction(o)
	if err != nil {
		return nil, err
	}
	p, ok := in[part].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("interaction has no %s object", part)
	}
	return p, nil
}

func (w *world) pactRequestMethod(o, method string) error {
	req, err := w.pactPart(o, "request")
	if err != nil {
		return err
	}
	if got, _ := req["method"].(string); !strings.EqualFold(got, method) {
		return fmt.Errorf("request method %q, want %q", got, method)
	}
	return nil
}

// bodyJSON returns the JSON text of a written body: the V4 {"content": ...}
// form or the V3 raw value.
func bodyJSON(part map[string]any) ([]byte, error) {
	b, ok := part["body"]
	if !ok {
		return nil, errors.New("no body")
	}
	if m, ok := b.(map[string]any); ok {
		if c, ok := m["content"]; ok {
			if _, isV4 := m["contentType"]; isV4 {
				b = c
			}
		}
	}
	return json.Marshal(b)
}

func (w *world) pactDocument(o, partName, name string) error {
	part, err := w.pactPart(o, partName)
	if err != nil {
		return err
	}
	got, err := bodyJSON(part)
	if err != nil {
		return fmt.Errorf("%s: %w", partName, err)
	}
	want, err := w.fixture(name)
	if err != nil {
		return err
	}
	ok, err := jsonEqual(want, got)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s body %s is not the %s document", partName, got, name)
	}
	return nil
}

func (w *world) pactQuery(o, want string) error {
	req, err := w.pactPart(o, "request")
	if err != nil {
		return err
	}
	var got string
	switch q := req["query"].(type) {
	case string:
		got = q
	case map[string]any:
		wantQ, err := pact.ParseQueryString(want)
		if err != nil {
			return err
		}
		gotQ := pact.Query{}
		for k, v := range q {
			list, _ := v.([]any)
			for _, item := range list {
				s, _ := item.(string)
				gotQ[k] = append(gotQ[k], s)
			}
		}
		if gotQ.String() != wantQ.String() {
			return fmt.Errorf("request query %v, want %q", q, want)
		}
		return nil
	default:
		return fmt.Errorf("request query %v (%T), want %q", req["query"], req["query"], want)
	}
	if got != want {
		return fmt.Errorf("request query %q, want %q", got, want)
	}
	return nil
}

// headerValues returns the values of a written header (V3 string, V4 list).
func headerValues(part map[string]any, name string) []string {
	hs, _ := part["headers"].(map[string]any)
	for k, v := range hs {
		if !strings.EqualFold(k, name) {
			continue
		}
		switch v := v.(type) {
		case string:
			return []string{v}
		case []any:
			var out []string
			for _, s := range v {
				str, _ := s.(string)
				out = append(out, str)
			}
			return out
		}
	}
	return nil
}

func (w *world) pactHeader(o, name, value string) error {
	req, err := w.pactPart(o, "request")
	if err != nil {
		return err
	}
	got := headerValues(req, name)
	if len(got) != 1 || got[0] != value {
		return fmt.Errorf("request header %s = %q, want %q", name, got, value)
	}
	return nil
}

func (w *world) pactContentType(o, ct string) error {
	req, err := w.pactPart(o, "request")
	if err != nil {
		return err
	}
	got := headerValues(req, "Content-Type")
	if b, ok := req["body"].(map[string]any); ok && len(got) == 0 {
		if s, ok := b["contentType"].(string); ok {
			got = []string{s}
		}
	}
	if len(got) != 1 || got[0] != ct {
		return fmt.Errorf("request content type %q, want %q", got, ct)
	}
	return nil
}
