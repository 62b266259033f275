package compat_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/cucumber/godog"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/match"
)

// matchingState is a request (or response) comparison of the matching
// features: the expectation, what was received, and the mismatches found
// for each received one.
type matchingState struct {
	expected     *pact.Request
	received     []*pact.Request
	descs        []string
	results      [][]match.Mismatch
	compared     bool
	expectedResp *pact.Response
	receivedResp *pact.Response
	respResult   []match.Mismatch
	respCompared bool
}

func (w *world) matchingSteps(sc *godog.ScenarioContext) {
	sc.Step(`^an expected request configured with the following:$`, w.expectedRequest)
	sc.Step(`^a request is received with the following:$`, w.requestsReceived)
	sc.Step(`^the following requests are received:$`, w.requestsReceived)
	sc.Step(`^an expected request with an? "([^"]*)" header of "([^"]*)"$`, w.expectedHeader)
	sc.Step(`^a request is received with an? "([^"]*)" header of "([^"]*)"$`, w.receivedHeader)
	sc.Step(`^the requests? (?:is|are) compared to the expected one$`, w.compareRequests)
	sc.Step(`^the comparison should be OK$`, w.comparisonOK)
	sc.Step(`^the comparison should NOT be OK$`, w.comparisonNotOK)
	sc.Step(`^the mismatches will contain a mismatch with error "([^"]*)" -> "((?:[^"\\]|\\.)*)"$`, w.comparisonContains)
	sc.Step(`^an expected response configured with the following:$`, w.expectedResponse)
	sc.Step(`^a status (\d+) response is received$`, w.statusReceived)
	sc.Step(`^the response is compared to the expected one$`, w.compareResponse)
	sc.Step(`^the response comparison should be OK$`, w.responseOK)
	sc.Step(`^the response comparison should NOT be OK$`, w.responseNotOK)
	sc.Step(`^the response mismatches will contain a "([^"]*)" mismatch with error "((?:[^"\\]|\\.)*)"$`, w.responseContains)
}

func newRequest() *pact.Request {
	return &pact.Request{Method: "GET", Path: "/", Query: pact.Query{}, Headers: pact.Headers{}}
}

func (w *world) expectedRequest(t *godog.Table) error {
	rows := table(t)
	if len(rows) != 1 {
		return fmt.Errorf("want one row, got %d", len(rows))
	}
	req := newRequest()
	if err := w.applyRequest(req, rows[0]); err != nil {
		return err
	}
	w.matching.expected = req
	return nil
}

func (w *world) requestsReceived(t *godog.Table) error {
	rows := table(t)
	if len(rows) == 0 {
		return errors.New("no requests in the table")
	}
	for _, row := range rows {
		req := newRequest()
		if err := w.applyRequest(req, row); err != nil {
			return err
		}
		w.matching.received = append(w.matching.received, req)
		w.matching.descs = append(w.matching.descs, row["desc"])
	}
	return nil
}

func (w *world) expectedHeader(name, value string) error {
	req := newRequest()
	req.Headers[name] = []string{value}
	w.matching.expected = req
	return nil
}

func (w *world) receivedHeader(name, value string) error {
	req := newRequest()
	req.Headers[name] = []string{value}
	w.matching.received = append(w.matching.received, req)
	w.matching.descs = append(w.matching.descs, "")
	return nil
}

func (w *world) compareRequests() error {
	if w.matching.expected == nil || len(w.matching.received) == 0 {
		return errors.New("want an expected request and at least one received request")
	}
	for _, r := range w.matching.received {
		w.matching.results = append(w.matching.results, match.Request(w.matching.expected, r))
	}
	w.matching.compared = true
	return nil
}

func (w *world) comparisonOK() error {
	if !w.matching.compared {
		return errors.New("nothing was compared")
	}
	for i, ms := range w.matching.results {
		if len(ms) > 0 {
			return fmt.Errorf("request %d (%s) has mismatches:\n%s", i+1, w.matching.descs[i], dumpMismatches(ms))
		}
	}
	return nil
}

// comparisonNotOK requires every received request to have mismatches: each
// row of a negative scenario is a negative case of its own.
func (w *world) comparisonNotOK() error {
	if !w.matching.compared {
		return errors.New("nothing was compared")
	}
	for i, ms := range w.matching.results {
		if len(ms) == 0 {
			return fmt.Errorf("request %d (%s) matched, want mismatches", i+1, w.matching.descs[i])
		}
	}
	return nil
}

func (w *world) comparisonContains(path, msg string) error {
	if !w.matching.compared {
		return errors.New("nothing was compared")
	}
	msg = unquote(msg)
	var all []match.Mismatch
	for _, ms := range w.matching.results {
		all = append(all, ms...)
	}
	for _, m := range all {
		if m.Path == path && messageMatches(msg, m.Message) {
			return nil
		}
	}
	return fmt.Errorf("no mismatch %q -> %q among:\n%s", path, msg, dumpMismatches(all))
}

func (w *world) expectedResponse(t *godog.Table) error {
	rows := table(t)
	if len(rows) != 1 {
		return fmt.Errorf("want one row, got %d", len(rows))
	}
	resp := &pact.Response{Status: 200, Headers: pact.Headers{}}
	if err := w.applyResponse(resp, rows[0]); err != nil {
		return err
	}
	w.matching.expectedResp = resp
	return nil
}

func (w *world) statusReceived(status int) error {
	w.matching.receivedResp = &pact.Response{Status: status, Headers: pact.Headers{}}
	return nil
}

func (w *world) compareResponse() error {
	if w.matching.expectedResp == nil || w.matching.receivedResp == nil {
		return errors.New("want an expected and a received response")
	}
	w.matching.respResult = match.Response(w.matching.expectedResp, w.matching.receivedResp)
	w.matching.respCompared = true
	return nil
}

func (w *world) responseOK() error {
	if !w.matching.respCompared {
		return errors.New("nothing was compared")
	}
	if len(w.matching.respResult) > 0 {
		return fmt.Errorf("response has mismatches:\n%s", dumpMismatches(w.matching.respResult))
	}
	return nil
}

func (w *world) responseNotOK() error {
	if !w.matching.respCompared {
		return errors.New("nothing was compared")
	}
	if len(w.matching.respResult) == 0 {
		return errors.New("response matched, want mismatches")
	}
	return nil
}

func (w *world) responseContains(kind, msg string) error {
	k, ok := mismatchKinds[kind]
	if !ok {
		return fmt.Errorf("mismatch type %q not understood", kind)
	}
	msg = unquote(msg)
	for _, m := range w.matching.respResult {
		if m.Kind == k && messageMatches(msg, m.Message) {
			return nil
		}
	}
	return fmt.Errorf("no %s mismatch %q among:\n%s", kind, msg, dumpMismatches(w.matching.respResult))
}

// messageMatches compares a mismatch message with the one a feature states.
// The comparison is exact, with two allowances for how the features are
// written:
//   - "\s*" stands for optional whitespace (V3/http_matching writes the
//     expected header value as the pattern 'application/json;\s*charset=UTF-8');
//   - a message whose last quote is left open (V4/matching_rules writes
//     "Expected '100' to match '[a-z]+") is compared as a prefix.
func messageMatches(want, got string) bool {
	if want == got {
		return true
	}
	if strings.Contains(want, `\s*`) {
		parts := strings.Split(want, `\s*`)
		for i, p := range parts {
			parts[i] = regexp.QuoteMeta(p)
		}
		if regexp.MustCompile(`^` + strings.Join(parts, `\s*`) + `$`).MatchString(got) {
			return true
		}
	}
	if strings.Count(want, "'")%2 == 1 && strings.HasSuffix(got, "'") {
		return strings.HasPrefix(got, want) && len(got) == len(want)+1
	}
	return false
}
