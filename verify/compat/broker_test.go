package compat_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/match"
	"github.com/contracts-dev/contracts/verify"
)

// fixtureBrokerURL is the base URL the suite's broker pacts were recorded
// with (their MockServerURL generators' examples).
const fixtureBrokerURL = "http://localhost:9876"

// testBroker is a small Pact Broker for the "via a Pact broker" scenarios.
// It answers as the suite's pact-broker_c<N>.json pacts say the broker
// answers its client (those pacts are the contract between a verifier's
// broker client and the broker), serves the pacts the scenario defined, and
// records the verification results published back.
type testBroker struct {
	server *httptest.Server
	// contracts are the suite's broker pacts, by consumer (c_1, c_2).
	contracts map[string]*pact.Pact

	mu        sync.Mutex
	pacts     map[string][]byte // pact JSON by consumer name
	order     []string
	published []publication
	// deviations are requests that differ from what the broker pacts say
	// the client sends (fields the broker would ignore aside). The broker
	// still answers them, as a Pact Broker does; the scenario logs them.
	deviations []string
}

// publication is one verification result POSTed to the broker.
type publication struct {
	consumer string
	body     []byte
	success  bool
	// mismatches against the broker pact's publish interactions (one list
	// per candidate interaction); a list that is empty means it matched.
	against map[string][]match.Mismatch
}

func (w *world) newBroker() (*testBroker, error) {
	b := &testBroker{contracts: map[string]*pact.Pact{}, pacts: map[string][]byte{}}
	for _, c := range []string{"c1", "c2"} {
		data, err := w.fixture("pact-broker_" + c + ".json")
		if err != nil {
			return nil, err
		}
		p, err := pact.Parse(data)
		if err != nil {
			return nil, fmt.Errorf("broker pact pact-broker_%s.json: %w", c, err)
		}
		b.contracts["c_"+strings.TrimPrefix(c, "c")] = p
	}
	b.server = httptest.NewServer(http.HandlerFunc(b.serve))
	w.cleanup(func() {
		b.server.Close()
		for _, d := range b.deviations {
			w.t.Logf("broker client deviation: %s", d)
		}
	})
	return b, nil
}

func (b *testBroker) addPact(consumer string, data []byte) error {
	if _, ok := b.contracts[consumer]; !ok {
		return fmt.Errorf("the suite has no broker pact for consumer %s", consumer)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.pacts[consumer]; !ok {
		b.order = append(b.order, consumer)
	}
	b.pacts[consumer] = data
	return nil
}

// contractResponse returns the body the broker pact of consumer gives for
// method and path, with the recorded base URL replaced by this broker's.
func (b *testBroker) contractResponse(consumer, method, path string) (map[string]any, error) {
	p := b.contracts[consumer]
	for _, in := range p.Interactions {
		if in.Request == nil || in.Request.Method != method || in.Request.Path != path {
			continue
		}
		text := strings.ReplaceAll(string(in.Response.Body.Content), fixtureBrokerURL, b.server.URL)
		var out map[string]any
		if err := json.Unmarshal([]byte(text), &out); err != nil {
			return nil, fmt.Errorf("broker pact %s: %s %s response: %w", consumer, method, path, err)
		}
		return out, nil
	}
	return nil, fmt.Errorf("broker pact %s has no %s %s interaction", consumer, method, path)
}

func (b *testBroker) serve(rw http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.compare(r, body)
	reply := func(status int, v any) {
		rw.Header().Set("Content-Type", "application/hal+json")
		rw.WriteHeader(status)
		_ = json.NewEncoder(rw).Encode(v)
	}
	fail := func(status int, err error) {
		reply(status, map[string]any{"error": err.Error()})
	}
	const prefix = "/pacts/provider/" + providerName
	switch {
	case r.URL.Path == "/" || r.URL.Path == prefix+"/for-verification" && r.Method == http.MethodGet:
		body, err := b.contractResponse("c_1", r.Method, r.URL.Path)
		if err != nil {
			fail(http.StatusInternalServerError, err)
			return
		}
		reply(http.StatusOK, body)
	case r.URL.Path == prefix+"/for-verification" && r.Method == http.MethodPost:
		// Each consumer's broker pact lists its own pact; the broker lists
		// them all.
		var all []any
		var doc map[string]any
		for _, c := range b.order {
			body, err := b.contractResponse(c, r.Method, r.URL.Path)
			if err != nil {
				fail(http.StatusInternalServerError, err)
				return
			}
			emb, _ := body["_embedded"].(map[string]any)
			list, _ := emb["pacts"].([]any)
			all = append(all, list...)
			doc = body
		}
		if doc == nil {
			doc = map[string]any{}
		}
		doc["_embedded"] = map[string]any{"pacts": all}
		reply(http.StatusOK, doc)
	case strings.HasPrefix(r.URL.Path, prefix+"/consumer/"):
		rest := strings.TrimPrefix(r.URL.Path, prefix+"/consumer/")
		consumer, tail, _ := strings.Cut(rest, "/")
		data, ok := b.pacts[consumer]
		if !ok {
			fail(http.StatusNotFound, fmt.Errorf("no pact for consumer %s", consumer))
			return
		}
		switch {
		case tail == "" && r.Method == http.MethodGet:
			var doc map[string]any
			if err := json.Unmarshal(data, &doc); err != nil {
				fail(http.StatusInternalServerError, err)
				return
			}
			self := b.server.URL + prefix + "/consumer/" + consumer
			doc["_links"] = map[string]any{
				"self":                            map[string]any{"href": self},
				"pb:publish-verification-results": map[string]any{"href": self + "/verification-results"},
			}
			reply(http.StatusOK, doc)
		case tail == "verification-results" && r.Method == http.MethodPost:
			pub, err := b.check(consumer, r, body)
			if err != nil {
				fail(http.StatusBadRequest, err)
				return
			}
			b.published = append(b.published, pub)
			reply(http.StatusCreated, map[string]any{})
		default:
			fail(http.StatusNotFound, fmt.Errorf("%s %s not served", r.Method, r.URL.Path))
		}
	default:
		fail(http.StatusNotFound, fmt.Errorf("%s %s not served", r.Method, r.URL.Path))
	}
}

// check compares a published result with every publish interaction of the
// consumer's broker pact, under their matching rules. Fields the broker
// pact does not show are allowed: a broker ignores what it does not know.
func (b *testBroker) check(consumer string, r *http.Request, body []byte) (publication, error) {
	var doc struct {
		Success *bool `json:"success"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || doc.Success == nil {
		return publication{}, fmt.Errorf("verification result %s: want a JSON object with a success flag", body)
	}
	actual := &pact.Request{
		Method:  r.Method,
		Path:    r.URL.Path,
		Query:   pact.Query{},
		Headers: pact.Headers{"Content-Type": {r.Header.Get("Content-Type")}},
		Body:    pact.NewBody(body, r.Header.Get("Content-Type")),
	}
	pub := publication{consumer: consumer, body: body, success: *doc.Success, against: map[string][]match.Mismatch{}}
	for _, in := range b.contracts[consumer].Interactions {
		if in.Request == nil || in.Request.Method != r.Method || in.Request.Path != r.URL.Path {
			continue
		}
		pub.against[in.Description] = match.RequestWith(in.Request, actual, match.Options{AllowUnexpectedKeys: true})
	}
	return pub, nil
}

// compare records how a request differs from the closest request of the
// same method and path in the broker pacts (none when one matches). The
// pact fetch itself is not in the broker pacts.
func (b *testBroker) compare(r *http.Request, body []byte) {
	actual := &pact.Request{Method: r.Method, Path: r.URL.Path, Query: pact.Query{}, Headers: pact.Headers{}}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		actual.Headers["Content-Type"] = []string{ct}
	}
	if len(body) > 0 {
		actual.Body = pact.NewBody(body, r.Header.Get("Content-Type"))
	}
	var best []match.Mismatch
	found := false
	for _, c := range []string{"c_1", "c_2"} {
		for _, in := range b.contracts[c].Interactions {
			if in.Request == nil || in.Request.Method != r.Method || in.Request.Path != r.URL.Path {
				continue
			}
			ms := match.RequestWith(in.Request, actual, match.Options{AllowUnexpectedKeys: true})
			if len(ms) == 0 {
				return
			}
			if !found || len(ms) < len(best) {
				best, found = ms, true
			}
		}
	}
	if found {
		b.deviations = append(b.deviations, fmt.Sprintf("%s %s %s differs from the broker pact:\n%s", r.Method, r.URL.Path, body, dumpMismatches(best)))
	}
}

// sources asks the broker which pacts to verify and fetches them, as a
// verifier's broker client does.
func (b *testBroker) sources(ctx context.Context) ([]verify.Source, error) {
	c, err := api.NewClient(b.server.URL)
	if err != nil {
		return nil, err
	}
	list, err := c.PactsForVerification(ctx, providerName, broker.PactsForVerificationRequest{})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, errors.New("the broker returned no pacts to verify")
	}
	var out []verify.Source
	for _, pv := range list {
		fp, err := c.FetchPact(ctx, pv.URL)
		if err != nil {
			return nil, err
		}
		out = append(out, verify.Source{
			Name: pv.URL,
			Data: fp.Content,
			Broker: &verify.BrokerInfo{
				PactURL:    pv.URL,
				PublishURL: fp.PublishVerificationResultsURL,
				Pending:    pv.Pending,
				WIP:        pv.WIP,
			},
		})
	}
	return out, nil
}

// providerVersion is the provider version the scenarios publish.
const providerVersion = "0.0.0"

// publishResults publishes each broker pact's verification result.
func (b *testBroker) publishResults(ctx context.Context, report *verify.Report) error {
	c, err := api.NewClient(b.server.URL)
	if err != nil {
		return err
	}
	for _, pr := range report.Pacts {
		if pr.Broker == nil {
			continue
		}
		vr := pr.VerificationResult(providerVersion)
		tests, err := json.Marshal(vr.TestResults)
		if err != nil {
			return err
		}
		by, err := json.Marshal(vr.VerifiedBy)
		if err != nil {
			return err
		}
		err = c.PublishVerificationResult(ctx, pr.Broker.PublishURL, api.VerificationResult{
			Success:         vr.Success,
			ProviderVersion: vr.ProviderApplicationVersion,
			BuildURL:        vr.BuildURL,
			TestResults:     tests,
			VerifiedBy:      by,
		})
		if err != nil {
			return fmt.Errorf("publish verification result for %s: %w", pr.Consumer, err)
		}
	}
	return nil
}

func (b *testBroker) publications() []publication {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]publication(nil), b.published...)
}

func (w *world) noResultPublished() error {
	if w.provider.broker == nil {
		return errors.New("no broker in this scenario")
	}
	if ps := w.provider.broker.publications(); len(ps) != 0 {
		return fmt.Errorf("%d verification results were published, want none", len(ps))
	}
	return nil
}

// resultPublished checks that the result published for consumer c_<no>
// has the success flag and matches the broker pact's interaction for it.
func (w *world) resultPublished(no int, success bool) error {
	if w.provider.broker == nil {
		return errors.New("no broker in this scenario")
	}
	consumer := fmt.Sprintf("c_%d", no)
	want := "publish verification results for " + consumer
	if !success {
		want = "publish failed verification results for " + consumer
	}
	var seen []string
	for _, p := range w.provider.broker.publications() {
		if p.consumer != consumer {
			continue
		}
		seen = append(seen, string(p.body))
		if p.success != success {
			continue
		}
		ms, ok := p.against[want]
		if !ok {
			return fmt.Errorf("the suite's broker pact has no interaction %q", want)
		}
		if len(ms) > 0 {
			return fmt.Errorf("published result %s does not match the broker pact's %q:\n%s", p.body, want, dumpMismatches(ms))
		}
		return nil
	}
	return fmt.Errorf("no verification result with success=%v published for %s; published: %v", success, consumer, seen)
}
