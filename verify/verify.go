package verify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/contracts-dev/contracts/formats/pact"
)

// Verify verifies the provider against each pact and reports the outcome of
// every interaction, in the pacts' order. The error means the verification
// could not run (invalid Config, a pact that does not parse, ctx done);
// contract failures are in the Report.
func Verify(ctx context.Context, cfg Config, pacts []Source) (*Report, error) {
	s, err := newSettings(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Client == nil {
		// The client is ours: release its keep-alive connections when done.
		defer s.Client.CloseIdleConnections()
	}
	parsed, err := parseAll(pacts)
	if err != nil {
		return nil, err
	}
	transports := map[string]Transport{}
	if s.base != nil {
		transports["http"] = &httpTransport{s: s}
	}
	for k, t := range s.Transports {
		transports[k] = t
	}

	report := &Report{Started: s.Now()}
	jobs, err := s.plan(report, pacts, parsed, transports)
	if err != nil {
		return nil, err
	}
	workers := s.Concurrency
	if s.stateURL != "" {
		// Provider states are global to the provider: with a state change
		// URL every interaction (even one without states, which gets the
		// empty state) runs alone, in order.
		workers = 1
	}
	runJobs(ctx, jobs, workers, func(j job) {
		p := parsed[j.pact]
		in := p.Interactions[j.in]
		res := &report.Pacts[j.pact].Interactions[j.in]
		s.verifyInteraction(ctx, transports[TransportKey(in)], p, in, res)
	})
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("verification interrupted: %w", err)
	}
	report.Duration = s.Now().Sub(report.Started)
	if err := neverReached(report); err != nil {
		return nil, err
	}
	return report, nil
}

// job is one interaction to verify: indexes into the parsed pacts and
// their interactions.
type job struct{ pact, in int }

// plan fills report with a result for every interaction of the pacts,
// deciding which are skipped (filtered out, no transport), and returns
// the interactions to verify, in pact and interaction order.
func (s *settings) plan(report *Report, pacts []Source, parsed []*pact.Pact, transports map[string]Transport) ([]job, error) {
	var jobs []job
	for pi, p := range parsed {
		src := pacts[pi]
		if report.Provider == "" {
			report.Provider = p.Provider.Name
		}
		pr := PactResult{
			Source:       src.Name,
			Broker:       src.Broker,
			Consumer:     p.Consumer.Name,
			Provider:     p.Provider.Name,
			Spec:         specName(p.Spec),
			Pending:      src.pending(),
			Interactions: make([]InteractionResult, len(p.Interactions)),
		}
		for ii, in := range p.Interactions {
			r := newResult(in, pr.Pending)
			key := TransportKey(in)
			switch {
			case !s.selected(in):
				r.Status, r.SkipReason = StatusSkipped, "filtered out"
				pr.Filtered = true
			case transports[key] == nil && key == "http":
				return nil, fmt.Errorf("%w: pact %s has HTTP interactions: a provider base URL is required", ErrConfig, src.Name)
			case transports[key] == nil:
				r.Status, r.SkipReason = StatusSkipped, fmt.Sprintf("unsupported here: no transport for %s interactions (%q)", in.Type, key)
			default:
				jobs = append(jobs, job{pi, ii})
			}
			pr.Interactions[ii] = r
		}
		report.Pacts = append(report.Pacts, pr)
	}
	return jobs, nil
}

// runJobs runs run on every job with up to workers at a time (in order,
// one by one, when workers is 1 or less), and stops handing out jobs once
// ctx is done.
func runJobs(ctx context.Context, jobs []job, workers int, run func(job)) {
	workers = min(workers, len(jobs))
	if workers <= 1 {
		for _, j := range jobs {
			if ctx.Err() != nil {
				return
			}
			run(j)
		}
		return
	}
	ch := make(chan job)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range ch {
				run(j)
			}
		})
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		ch <- j
	}
	close(ch)
	wg.Wait()
}

// ErrUnreachable is wrapped by the error of a run in which no interaction
// could connect to the provider: the run says nothing about the contract,
// so it is an error (could not run), not a failed verification. A
// Transport wraps it in an Outcome's Err when it knows no connection could
// be made.
var ErrUnreachable = errors.New("the provider could not be reached")

// unreachable reports whether err means nothing could be connected to: a
// refused or failed dial, or a host name that does not resolve.
func unreachable(err error) bool {
	if errors.Is(err, ErrUnreachable) {
		return true // a transport that knows (gRPC: the channel never connected)
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// neverReached returns an ErrUnreachable error when every verified
// interaction failed because the provider could not be connected to.
func neverReached(r *Report) error {
	verified, first := 0, ""
	for _, p := range r.Pacts {
		for _, in := range p.Interactions {
			if in.Status == StatusSkipped {
				continue
			}
			verified++
			if !in.unreachable {
				return nil
			}
			if first == "" && len(in.Failures) > 0 {
				first = in.Failures[0].Error
			}
		}
	}
	if verified == 0 {
		return nil
	}
	return fmt.Errorf("%w: none of the %d interactions got a response (%s)", ErrUnreachable, verified, first)
}

// parseAll parses the sources, several at a time; the first error (in
// source order) wins.
func parseAll(srcs []Source) ([]*pact.Pact, error) {
	parsed := make([]*pact.Pact, len(srcs))
	errs := make([]error, len(srcs))
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for i, src := range srcs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			p, err := parsePact(src.Data)
			if err != nil {
				errs[i] = fmt.Errorf("parse pact %s: %w", src.Name, err)
			}
			parsed[i] = p
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return parsed, nil
}

// callTransport replays one interaction. A panic in the transport or the
// matching engine is a bug of ours, never the provider's doing: it fails
// this interaction (crashed) instead of ending the whole run.
func callTransport(ctx context.Context, t Transport, call Call) (out Outcome, crashed bool) {
	defer func() {
		if r := recover(); r != nil {
			out, crashed = Outcome{Err: fmt.Errorf("internal error while verifying this interaction (a bug in contracts, please report it): %v", r)}, true
		}
	}()
	return t.Verify(ctx, call), false
}

// verifyInteraction sets up the provider states, replays the interaction
// and tears the states down, filling res.
func (s *settings) verifyInteraction(ctx context.Context, t Transport, p *pact.Pact, in *pact.Interaction, res *InteractionResult) {
	start := s.Now()
	defer func() { res.Duration = s.Now().Sub(start) }()
	log := s.log.With("consumer", p.Consumer.Name, "description", in.Description)

	carried := false
	if c, ok := t.(StateCarrier); ok {
		carried = c.CarriesStates()
	}
	values, setupErr := s.setUpStates(ctx, in, res, carried)
	if setupErr != nil {
		res.unreachable = unreachable(setupErr)
		res.Failures = append(res.Failures, failure(FailureStateChange, setupErr.Error()))
		s.finish(res)
		log.Warn("state change failed", "error", setupErr)
		return
	}
	out, crashed := callTransport(ctx, t, Call{Pact: p, Interaction: in, StateValues: values})
	res.Warnings = append(res.Warnings, out.Warnings...)
	switch {
	case crashed:
		res.Failures = append(res.Failures, failure(FailureInternal, out.Err.Error()))
		log.Error("verifier crashed on an interaction", "error", out.Err)
	case out.Err != nil:
		res.unreachable = unreachable(out.Err)
		res.Failures = append(res.Failures, failure(FailureRequest, out.Err.Error()))
	}
	res.Failures = append(res.Failures, failuresFrom(out.Mismatches)...)
	if res.HasFailure(FailureBody) {
		res.ExpectedBody, res.ActualBody = string(out.ExpectedBody), string(out.ActualBody)
	}
	s.tearDownStates(ctx, in, res)
	s.finish(res)
	log.Debug("verified interaction", "status", res.Status)
}

func (s *settings) finish(res *InteractionResult) {
	switch {
	case len(res.Failures) == 0:
		res.Status = StatusPassed
	case res.Pending:
		res.Status = StatusPending
	default:
		res.Status = StatusFailed
	}
}

// selected reports whether the filters keep in.
func (s *settings) selected(in *pact.Interaction) bool {
	if s.FilterDescription != nil && !s.FilterDescription.MatchString(in.Description) {
		return false
	}
	if s.FilterNoState && len(in.ProviderStates) > 0 {
		return false
	}
	if s.FilterState != nil {
		found := false
		for _, st := range in.ProviderStates {
			if s.FilterState.MatchString(st.Name) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func newResult(in *pact.Interaction, pactPending bool) InteractionResult {
	r := InteractionResult{
		Description: in.Description,
		Key:         interactionKey(in),
		Type:        string(in.Type),
		Pending:     in.Pending || pactPending,
	}
	if r.Type == "" {
		r.Type = string(pact.HTTP)
	}
	if in.Request != nil {
		r.Request = strings.ToUpper(in.Request.Method) + " " + in.Request.Path
		if q := encodeQuery(in.Request.Query); q != "" {
			r.Request += "?" + q
		}
	}
	for _, st := range in.ProviderStates {
		r.States = append(r.States, State{Name: st.Name, Params: st.Params})
	}
	r.Comments, r.TestName = comments(in.Comments)
	return r
}

// interactionKey is the interaction's V4 key, else the broker's "_id",
// else a hash of its description and states (stable across runs).
func interactionKey(in *pact.Interaction) string {
	if in.Key != "" {
		return in.Key
	}
	if raw, ok := in.Extra["_id"]; ok {
		var id string
		if json.Unmarshal(raw, &id) == nil && id != "" {
			return id
		}
	}
	h := sha256.New()
	h.Write([]byte(in.Description))
	for _, st := range in.ProviderStates {
		h.Write([]byte{0})
		h.Write([]byte(st.Name))
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// comments reads a V4 "comments" object: {"text": [...], "testname": "..."}.
func comments(raw json.RawMessage) (text []string, testName string) {
	if len(raw) == 0 {
		return nil, ""
	}
	var c struct {
		Text     json.RawMessage `json:"text"`
		TestName string          `json:"testname"`
	}
	if json.Unmarshal(raw, &c) != nil {
		return nil, ""
	}
	if json.Unmarshal(c.Text, &text) != nil {
		var one string
		if json.Unmarshal(c.Text, &one) == nil && one != "" {
			text = []string{one}
		}
	}
	return text, c.TestName
}

func specName(s pact.Spec) string {
	switch s {
	case pact.V1:
		return "V1"
	case pact.V1_1:
		return "V1.1"
	case pact.V2:
		return "V2"
	case pact.V3:
		return "V3"
	case pact.V4:
		return "V4"
	}
	return ""
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// oneLine flattens whitespace so an error fits on a report line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
