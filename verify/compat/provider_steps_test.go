package compat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"

	"github.com/cucumber/godog"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/verify"
)

// showReports logs each verification's text report:
// go test ./verify/compat/ -v -args -compat.reports
var showReports = flag.Bool("compat.reports", false, "log the text report of each verification")

// providerState is the HTTP provider side of a scenario: a real loopback
// provider, an optional state change endpoint, the pacts to verify (files
// or at the in-test broker) and the verification's outcome.
type providerState struct {
	provider   *httptest.Server
	responses  []*pact.Interaction // what the provider answers, in order of preference
	states     *stateEndpoint
	events     eventLog
	files      []string // pact files to verify
	broker     *testBroker
	publish    bool
	filterHdrs [][2]string
	report     *verify.Report
	text       string
	// transports replay non-HTTP interactions (set by the message steps).
	transports map[string]verify.Transport
}

// event is something the provider or the state endpoint received, in the
// order received.
type event struct {
	kind   string // "request" or "state"
	method string
	path   string
	header http.Header
	// state change calls
	state  string
	params map[string]any
	action string
}

type eventLog struct {
	mu     sync.Mutex
	events []event
}

func (l *eventLog) add(e event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *eventLog) all() []event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]event(nil), l.events...)
}

// stateEndpoint is the provider's state change URL; it records each call
// and fails them all when fail is set.
type stateEndpoint struct {
	server *httptest.Server
	fail   bool
}

func (w *world) providerSteps(sc *godog.ScenarioContext) {
	sc.Step(`^a provider is started that returns the responses? from interactions? "?([\d, ]+)"?$`, func(list string) error {
		return w.providerStarted(list, nil)
	})
	sc.Step(`^a provider is started that returns the response from interaction (\d+), with the following changes:$`, func(no string, t *godog.Table) error {
		return w.providerStarted(no, t)
	})
	sc.Step(`^a Pact file for interaction (\d+) is to be verified$`, func(no int) error { return w.pactToVerify(no, pactOptions{}) })
	sc.Step(`^a Pact file for interaction (\d+) is to be verified from a Pact broker$`, func(no int) error {
		return w.pactToVerify(no, pactOptions{broker: true})
	})
	sc.Step(`^a Pact file for interaction (\d+) is to be verified with a provider state "([^"]*)" defined$`, func(no int, state string) error {
		return w.pactToVerify(no, pactOptions{states: []pact.ProviderState{{Name: state}}})
	})
	sc.Step(`^a Pact file for interaction (\d+) is to be verified with the following provider states defined:$`, w.pactWithStates)
	sc.Step(`^a Pact file for interaction (\d+) is to be verified, but is marked pending$`, func(no int) error {
		return w.pactToVerify(no, pactOptions{pending: true})
	})
	sc.Step(`^a Pact file for interaction (\d+) is to be verified with the following comments:$`, w.pactWithComments)
	sc.Step(`^publishing of verification results is enabled$`, func() error { w.provider.publish = true; return nil })
	sc.Step(`^a provider state callback is configured$`, func() error { return w.stateCallback(false) })
	sc.Step(`^a provider state callback is configured, but will return a failure$`, func() error { return w.stateCallback(true) })
	sc.Step(`^a request filter is configured to make the following changes:$`, w.requestFilter)
	sc.Step(`^the verification is run$`, w.verificationRun)
	sc.Step(`^the verification will be successful$`, w.verificationSuccessful)
	sc.Step(`^the verification will NOT be successful$`, w.verificationFailed)
	sc.Step(`^the verification results will contain a "([^"]*)" error$`, w.resultsContain)
	sc.Step(`^there will be a pending "([^"]*)" error$`, w.pendingError)
	sc.Step(`^a verification result will NOT be published back$`, w.noResultPublished)
	sc.Step(`^a successful verification result will be published back for interaction \{(\d+)\}$`, func(no int) error {
		return w.resultPublished(no, true)
	})
	sc.Step(`^a failed verification result will be published back for the interaction \{(\d+)\}$`, func(no int) error {
		return w.resultPublished(no, false)
	})
	sc.Step(`^the provider state callback will be called before the verification is run$`, w.stateCalledBefore)
	sc.Step(`^the provider state callback will be called after the verification is run$`, w.stateCalledAfter)
	sc.Step(`^the provider state callback will receive a setup call with "([^"]*)" as the provider state parameter$`, func(s string) error {
		return w.stateCall("setup", s, nil)
	})
	sc.Step(`^the provider state callback will receive a teardown call "([^"]*)" as the provider state parameter$`, func(s string) error {
		return w.stateCall("teardown", s, nil)
	})
	sc.Step(`^the provider state callback will receive a setup call with "([^"]*)" and the following parameters:$`, func(s string, t *godog.Table) error {
		return w.stateCallParams("setup", s, t)
	})
	sc.Step(`^the provider state callback will receive a teardown call "([^"]*)" and the following parameters:$`, func(s string, t *godog.Table) error {
		return w.stateCallParams("teardown", s, t)
	})
	sc.Step(`^the provider state callback will NOT receive a teardown call$`, w.noTeardown)
	sc.Step(`^a warning will be displayed that there was no provider state callback configured for provider state "([^"]*)"$`, w.noStateWarning)
	sc.Step(`^the request to the provider will contain the header "([^"]*)"$`, w.providerGotHeader)
	sc.Step(`^the comment "([^"]*)" will have been printed to the console$`, w.commentPrinted)
	sc.Step(`^the "([^"]*)" will displayed as the original test name$`, w.testNamePrinted)
}

// providerStarted starts a loopback provider answering the responses of
// the interactions (changed by the table's one row).
func (w *world) providerStarted(list string, changes *godog.Table) error {
	nos, err := numbers(list)
	if err != nil {
		return err
	}
	for _, no := range nos {
		in, err := w.interaction(no)
		if err != nil {
			return err
		}
		in = in.Clone()
		if changes != nil {
			rows := table(changes)
			if len(rows) != 1 {
				return fmt.Errorf("want one row of changes, got %d", len(rows))
			}
			if err := w.applyResponse(in.Response, rows[0]); err != nil {
				return err
			}
		}
		w.provider.responses = append(w.provider.responses, in)
	}
	srv := httptest.NewServer(http.HandlerFunc(w.serveProvider))
	w.cleanup(srv.Close)
	w.provider.provider = srv
	return nil
}

// serveProvider answers with the response of the first interaction whose
// method and path the request has, or 404.
func (w *world) serveProvider(rw http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.provider.events.add(event{kind: "request", method: r.Method, path: r.URL.Path, header: r.Header.Clone()})
	for _, in := range w.provider.responses {
		if in.Request.Method != r.Method || in.Request.Path != r.URL.Path {
			continue
		}
		resp := in.Response
		for name, vs := range resp.Headers {
			for _, v := range vs {
				rw.Header().Add(name, v)
			}
		}
		if resp.Body.ContentType != "" && rw.Header().Get("Content-Type") == "" {
			rw.Header().Set("Content-Type", resp.Body.ContentType)
		}
		rw.WriteHeader(resp.Status)
		if resp.Body.State == pact.BodyPresent {
			_, _ = rw.Write(resp.Body.Content)
		}
		return
	}
	http.NotFound(rw, r)
}

// pactOptions say how to dress the pact of one interaction.
type pactOptions struct {
	broker   bool
	states   []pact.ProviderState
	pending  bool
	comments json.RawMessage
}

// pactToVerify writes a pact between consumer c_<no> and provider p holding
// interaction no, as a file or at the broker.
func (w *world) pactToVerify(no int, opts pactOptions) error {
	in, err := w.interaction(no)
	if err != nil {
		return err
	}
	in = in.Clone()
	in.ProviderStates = opts.states
	in.Pending = opts.pending
	in.Comments = opts.comments
	p := &pact.Pact{
		Consumer:     pact.Pacticipant{Name: fmt.Sprintf("c_%d", no)},
		Provider:     pact.Pacticipant{Name: providerName},
		Spec:         w.spec(),
		Layout:       w.spec(),
		Interactions: []*pact.Interaction{in},
	}
	data, err := pact.Write(p, w.spec())
	if err != nil {
		return fmt.Errorf("write pact for interaction %d: %w", no, err)
	}
	if opts.broker {
		if w.provider.broker == nil {
			b, err := w.newBroker()
			if err != nil {
				return err
			}
			w.provider.broker = b
		}
		return w.provider.broker.addPact(p.Consumer.Name, data)
	}
	path := filepath.Join(w.t.TempDir(), fmt.Sprintf("c_%d-p.json", no))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	w.provider.files = append(w.provider.files, path)
	return nil
}

func (w *world) pactWithStates(no int, t *godog.Table) error {
	var states []pact.ProviderState
	for _, row := range table(t) {
		st := pact.ProviderState{Name: row["State Name"]}
		if raw := row["Parameters"]; raw != "" {
			if err := json.Unmarshal([]byte(raw), &st.Params); err != nil {
				return fmt.Errorf("state %q parameters %s: %w", st.Name, raw, err)
			}
		}
		states = append(states, st)
	}
	return w.pactToVerify(no, pactOptions{states: states})
}

func (w *world) pactWithComments(no int, t *godog.Table) error {
	raw, err := commentsTable(t)
	if err != nil {
		return err
	}
	return w.pactToVerify(no, pactOptions{comments: raw})
}

func (w *world) stateCallback(fail bool) error {
	st := &stateEndpoint{fail: fail}
	st.server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var body struct {
			State  string         `json:"state"`
			Params map[string]any `json:"params"`
			Action string         `json:"action"`
		}
		data, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(data, &body); err != nil {
			http.Error(rw, "state change body: "+err.Error(), http.StatusBadRequest)
			return
		}
		w.provider.events.add(event{kind: "state", method: r.Method, path: r.URL.Path, state: body.State, params: body.Params, action: body.Action})
		if st.fail {
			http.Error(rw, "state change failed on purpose", http.StatusInternalServerError)
			return
		}
		rw.Header().Set("Content-Type", "application/json")
		_, _ = rw.Write([]byte("{}"))
	}))
	w.cleanup(st.server.Close)
	w.provider.states = st
	return nil
}

func (w *world) requestFilter(t *godog.Table) error {
	rows := table(t)
	if len(rows) != 1 {
		return fmt.Errorf("want one row of changes, got %d", len(rows))
	}
	for col, v := range rows[0] {
		if col != "headers" {
			return fmt.Errorf("request filter change %q not supported", col)
		}
		hs, err := parseHeaders(v)
		if err != nil {
			return err
		}
		w.provider.filterHdrs = append(w.provider.filterHdrs, hs...)
	}
	return nil
}

// verificationRun gathers the pacts (files, then the broker's), runs
// verify.Verify against the provider, renders the text report and, when
// enabled, publishes the results to the broker.
func (w *world) verificationRun() error {
	if w.provider.provider == nil {
		return errors.New("no provider started")
	}
	ctx := context.Background()
	var sources []verify.Source
	for _, f := range w.provider.files {
		src, err := verify.LoadPath(f)
		if err != nil {
			return err
		}
		sources = append(sources, src...)
	}
	if w.provider.broker != nil {
		src, err := w.provider.broker.sources(ctx)
		if err != nil {
			return err
		}
		sources = append(sources, src...)
	}
	cfg := verify.Config{ProviderBaseURL: w.provider.provider.URL, Transports: w.provider.transports}
	if w.provider.states != nil {
		cfg.StateChangeURL = w.provider.states.server.URL
	}
	if hs := w.provider.filterHdrs; len(hs) > 0 {
		cfg.RequestFilter = func(r *http.Request) {
			for _, h := range hs {
				r.Header.Add(h[0], h[1])
			}
		}
	}
	report, err := verify.Verify(ctx, cfg, sources)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	w.provider.report = report
	var buf bytes.Buffer
	if err := verify.WriteText(&buf, report); err != nil {
		return fmt.Errorf("text report: %w", err)
	}
	w.provider.text = buf.String()
	if *showReports {
		w.t.Log(w.provider.text)
	}
	if w.provider.publish && w.provider.broker != nil {
		if err := w.provider.broker.publishResults(ctx, report); err != nil {
			return err
		}
	}
	return nil
}

func (w *world) mustReport() (*verify.Report, error) {
	if w.provider.report == nil {
		return nil, errors.New("the verification has not run")
	}
	return w.provider.report, nil
}

func (w *world) verificationSuccessful() error {
	r, err := w.mustReport()
	if err != nil {
		return err
	}
	if !r.Success() {
		return fmt.Errorf("verification failed:\n%s", w.provider.text)
	}
	return nil
}

func (w *world) verificationFailed() error {
	r, err := w.mustReport()
	if err != nil {
		return err
	}
	if r.Success() {
		return fmt.Errorf("verification succeeded, want a failure:\n%s", w.provider.text)
	}
	return nil
}

// failures returns every failure of every interaction, with its status.
func (w *world) failures() ([]verify.Failure, []verify.Status, error) {
	r, err := w.mustReport()
	if err != nil {
		return nil, nil, err
	}
	var fs []verify.Failure
	var sts []verify.Status
	for _, p := range r.Pacts {
		for _, in := range p.Interactions {
			for _, f := range in.Failures {
				fs = append(fs, f)
				sts = append(sts, in.Status)
			}
		}
	}
	return fs, sts, nil
}

func (w *world) resultsContain(summary string) error {
	fs, sts, err := w.failures()
	if err != nil {
		return err
	}
	for i, f := range fs {
		if f.Summary == summary && sts[i] == verify.StatusFailed {
			return nil
		}
	}
	return fmt.Errorf("no failed interaction with a %q failure:\n%s", summary, w.provider.text)
}

func (w *world) pendingError(summary string) error {
	fs, sts, err := w.failures()
	if err != nil {
		return err
	}
	for i, f := range fs {
		if f.Summary == summary && sts[i] == verify.StatusPending {
			return nil
		}
	}
	return fmt.Errorf("no pending interaction with a %q failure:\n%s", summary, w.provider.text)
}

// providerRequestIndex returns the index in events of the first request
// the provider received, or -1.
func providerRequestIndex(evs []event) int {
	for i, e := range evs {
		if e.kind == "request" {
			return i
		}
	}
	return -1
}

func (w *world) stateCalledBefore() error {
	evs := w.provider.events.all()
	for i, e := range evs {
		if e.kind == "state" && e.action == "setup" {
			if r := providerRequestIndex(evs); r >= 0 && r < i {
				return fmt.Errorf("the setup call came after the provider request")
			}
			return nil
		}
	}
	return fmt.Errorf("no setup call received: %v", evs)
}

func (w *world) stateCalledAfter() error {
	evs := w.provider.events.all()
	r := providerRequestIndex(evs)
	if r < 0 {
		return errors.New("the provider received no request")
	}
	for _, e := range evs[r+1:] {
		if e.kind == "state" && e.action == "teardown" {
			return nil
		}
	}
	return fmt.Errorf("no teardown call after the provider request: %v", evs)
}

func (w *world) stateCall(action, state string, params map[string]any) error {
	evs := w.provider.events.all()
	for _, e := range evs {
		if e.kind != "state" || e.action != action || e.state != state {
			continue
		}
		if params == nil || reflect.DeepEqual(normalise(e.params), normalise(params)) {
			return nil
		}
	}
	return fmt.Errorf("no %s call for state %q with params %v among %+v", action, state, params, evs)
}

func (w *world) stateCallParams(action, state string, t *godog.Table) error {
	rows := table(t)
	if len(rows) != 1 {
		return fmt.Errorf("want one row of parameters, got %d", len(rows))
	}
	params := map[string]any{}
	for k, v := range rows[0] {
		var val any
		if err := json.Unmarshal([]byte(v), &val); err != nil {
			return fmt.Errorf("parameter %s = %s: %w", k, v, err)
		}
		params[k] = val
	}
	return w.stateCall(action, state, params)
}

// normalise round-trips a value through JSON so numbers compare alike.
func normalise(v any) any {
	data, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(data, &out)
	return out
}

func (w *world) noTeardown() error {
	for _, e := range w.provider.events.all() {
		if e.kind == "state" && e.action == "teardown" {
			return fmt.Errorf("a teardown call was received for state %q", e.state)
		}
	}
	return nil
}

func (w *world) noStateWarning(state string) error {
	r, err := w.mustReport()
	if err != nil {
		return err
	}
	for _, p := range r.Pacts {
		for _, in := range p.Interactions {
			for _, msg := range in.Warnings {
				if strings.Contains(msg, fmt.Sprintf("%q", state)) && strings.Contains(msg, "state change") &&
					strings.Contains(w.provider.text, msg) {
					return nil
				}
			}
		}
	}
	return fmt.Errorf("no displayed warning about the missing state change URL for %q:\n%s", state, w.provider.text)
}

func (w *world) providerGotHeader(h string) error {
	hs, err := parseHeaders("'" + h + "'")
	if err != nil {
		return err
	}
	name, value := hs[0][0], hs[0][1]
	for _, e := range w.provider.events.all() {
		if e.kind != "request" {
			continue
		}
		for _, v := range e.header.Values(name) {
			if v == value {
				return nil
			}
		}
	}
	return fmt.Errorf("no request to the provider had header %s: %s", name, value)
}

func (w *world) commentPrinted(comment string) error {
	if _, err := w.mustReport(); err != nil {
		return err
	}
	if !strings.Contains(w.provider.text, comment) {
		return fmt.Errorf("comment %q not in the report:\n%s", comment, w.provider.text)
	}
	return nil
}

func (w *world) testNamePrinted(name string) error {
	r, err := w.mustReport()
	if err != nil {
		return err
	}
	found := false
	for _, p := range r.Pacts {
		for _, in := range p.Interactions {
			if in.TestName == name {
				found = true
			}
		}
	}
	if !found || !strings.Contains(w.provider.text, name) {
		return fmt.Errorf("test name %q not shown (in report: %v):\n%s", name, found, w.provider.text)
	}
	return nil
}
