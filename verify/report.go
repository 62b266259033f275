package verify

import (
	"strings"
	"time"

	"github.com/contracts-dev/contracts/formats/pact/match"
)

// Status is the outcome of one interaction.
type Status string

// Interaction outcomes.
const (
	// StatusPassed: the provider did what the contract says.
	StatusPassed Status = "passed"
	// StatusFailed: it did not, and the interaction is not pending.
	StatusFailed Status = "failed"
	// StatusPending: it did not, but the interaction (or its pact) is
	// pending, so the failure does not fail the verification.
	StatusPending Status = "pending"
	// StatusSkipped: not verified (filtered out, or no transport for its kind).
	StatusSkipped Status = "skipped"
)

// FailureID is the stable identifier of a kind of failure.
type FailureID string

// Failure identifiers. The summaries (Failure.Summary) use the Pact
// verifier's wording so that users and tools recognise them.
const (
	FailureStatus      FailureID = "status-mismatch"
	FailureHeaders     FailureID = "header-mismatch"
	FailureBody        FailureID = "body-mismatch"
	FailureMetadata    FailureID = "metadata-mismatch"
	FailureOther       FailureID = "mismatch"
	FailureStateChange FailureID = "state-change-failed"
	FailureRequest     FailureID = "request-failed"
	FailureInternal    FailureID = "internal-error"
)

// FailureRegexTimeout: a Java-style regex did not finish within its time cap
// (match.KindRegexTimeout), so a value was neither accepted nor shown to
// differ.
const FailureRegexTimeout FailureID = "regex-timeout"

// Summaries of each failure kind, as the Pact verifier words them.
var failureSummaries = map[FailureID]string{
	FailureStatus:       "Response status did not match",
	FailureHeaders:      "Headers had differences",
	FailureBody:         "Body had differences",
	FailureMetadata:     "Metadata had differences",
	FailureRegexTimeout: "A regex did not finish matching within its time cap, so a value was not checked",
	FailureOther:        "Response had differences",
	FailureStateChange:  "State change request failed",
	FailureRequest:      "Request to the provider failed",
	FailureInternal:     "The verifier failed on this interaction",
}

// Failure is one reason an interaction did not pass.
type Failure struct {
	ID FailureID `json:"id"`
	// Summary is the Pact verifier's wording, e.g. "Body had differences".
	Summary string `json:"summary"`
	// Mismatches found by the matching engine, for mismatch failures.
	Mismatches []Mismatch `json:"mismatches,omitempty"`
	// Error is the error text for failures that are not mismatches.
	Error string `json:"error,omitempty"`
}

// Mismatch is one difference found by the matching engine.
type Mismatch struct {
	Kind     string `json:"kind"`
	Path     string `json:"path,omitempty"`
	Expected string `json:"expected,omitempty"`
	Actual   string `json:"actual,omitempty"`
	Message  string `json:"message"`
}

// State is a provider state as the report shows it.
type State struct {
	Name   string         `json:"name"`
	Params map[string]any `json:"params,omitempty"`
}

// InteractionResult is the outcome of verifying one interaction.
type InteractionResult struct {
	Description string `json:"description"`
	// Key is the V4 interaction key, or a stable ID derived from the
	// interaction when the pact has none; it is the interactionId sent to a
	// broker.
	Key  string `json:"key"`
	Type string `json:"type"`
	// Request summarises an HTTP interaction's request: "GET /orders?status=open".
	Request string  `json:"request,omitempty"`
	States  []State `json:"states,omitempty"`
	Status  Status  `json:"status"`
	// Pending is true for a pending interaction, whatever its status.
	Pending  bool      `json:"pending,omitempty"`
	Failures []Failure `json:"failures,omitempty"`
	// Warnings are things worth knowing that do not fail the interaction
	// (no state change URL for a state, a failed teardown, ...).
	Warnings []string `json:"warnings,omitempty"`
	// Comments are the V4 interaction's text comments.
	Comments []string `json:"comments,omitempty"`
	// TestName is the V4 comment naming the test that produced the interaction.
	TestName string `json:"testName,omitempty"`
	// SkipReason says why a skipped interaction was not verified.
	SkipReason string `json:"skipReason,omitempty"`
	// Expected and Actual bodies, kept for failed body comparisons so the
	// text report can show a diff.
	ExpectedBody string `json:"expectedBody,omitempty"`
	ActualBody   string `json:"actualBody,omitempty"`
	// Duration is how long the interaction took, state changes included.
	Duration time.Duration `json:"durationNs"`
	// unreachable is true when the provider (or its state change URL)
	// could not be connected to at all for this interaction.
	unreachable bool
}

// Failed reports whether this interaction fails the verification.
func (r InteractionResult) Failed() bool { return r.Status == StatusFailed }

// HasFailure reports whether the interaction has a failure with id
// (pending failures included).
func (r InteractionResult) HasFailure(id FailureID) bool {
	for _, f := range r.Failures {
		if f.ID == id {
			return true
		}
	}
	return false
}

// PactResult is the outcome of verifying one pact.
type PactResult struct {
	// Source is where the pact came from (file path or URL).
	Source   string      `json:"source"`
	Broker   *BrokerInfo `json:"broker,omitempty"`
	Consumer string      `json:"consumer"`
	Provider string      `json:"provider"`
	// Spec is the pact's specification version, e.g. "V3".
	Spec string `json:"spec,omitempty"`
	// Pending is true when the whole pact is pending (from the broker).
	Pending bool `json:"pending,omitempty"`
	// Filtered is true when filters excluded some interactions: such a
	// partial result should not be published to a broker.
	Filtered     bool                `json:"filtered,omitempty"`
	Interactions []InteractionResult `json:"interactions"`
}

// Success reports whether no interaction of the pact fails the verification.
func (p PactResult) Success() bool {
	for _, r := range p.Interactions {
		if r.Failed() {
			return false
		}
	}
	return true
}

// verified reports whether the provider did what the contract said for
// every verified interaction, pending ones included: this is the success
// flag a broker records.
func (p PactResult) verified() bool {
	for _, r := range p.Interactions {
		if r.Status == StatusFailed || r.Status == StatusPending {
			return false
		}
	}
	return true
}

// Report is the outcome of a verification run.
type Report struct {
	// Provider is the provider name, from the first pact.
	Provider string `json:"provider"`
	// Started is when the run started (Config.Now).
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"durationNs"`
	Pacts    []PactResult  `json:"pacts"`
}

// Success reports whether nothing failed the verification (pending
// failures and skipped interactions do not).
func (r *Report) Success() bool {
	for _, p := range r.Pacts {
		if !p.Success() {
			return false
		}
	}
	return true
}

// Counts are the number of interactions by status.
type Counts struct {
	Passed, Failed, Pending, Skipped int
}

// Total is the number of interactions counted.
func (c Counts) Total() int { return c.Passed + c.Failed + c.Pending + c.Skipped }

// Counts tallies the interactions of every pact by status.
func (r *Report) Counts() Counts {
	var c Counts
	for _, p := range r.Pacts {
		for _, i := range p.Interactions {
			switch i.Status {
			case StatusPassed:
				c.Passed++
			case StatusFailed:
				c.Failed++
			case StatusPending:
				c.Pending++
			case StatusSkipped:
				c.Skipped++
			}
		}
	}
	return c
}

// Verifier names the implementation in published verification results.
const Verifier = "contracts"

// VerifierVersion is the version reported in published verification
// results; cmd may overwrite it at link time.
var VerifierVersion = "0.1.0"

// VerificationResult is the body of a Pact Broker verification result
// (POST to a pact's pb:publish-verification-results link).
type VerificationResult struct {
	Success                    bool         `json:"success"`
	ProviderApplicationVersion string       `json:"providerApplicationVersion"`
	BuildURL                   string       `json:"buildUrl,omitempty"`
	TestResults                []TestResult `json:"testResults"`
	VerifiedBy                 VerifiedBy   `json:"verifiedBy"`
}

// VerifiedBy names the tool that verified.
type VerifiedBy struct {
	Implementation string `json:"implementation"`
	Version        string `json:"version"`
}

// TestResult is one interaction's entry in a verification result.
type TestResult struct {
	InteractionID          string            `json:"interactionId"`
	InteractionDescription string            `json:"interactionDescription,omitempty"`
	Success                bool              `json:"success"`
	Mismatches             []BrokerMismatch  `json:"mismatches,omitempty"`
	Exceptions             []BrokerException `json:"exceptions,omitempty"`
}

// BrokerMismatch is a mismatch as the broker's verification results show it.
type BrokerMismatch struct {
	Attribute   string `json:"attribute"`
	Identifier  string `json:"identifier,omitempty"`
	Description string `json:"description"`
	Expected    string `json:"expected,omitempty"`
	Actual      string `json:"actual,omitempty"`
}

// BrokerException is a non-mismatch failure in a verification result.
type BrokerException struct {
	Message string `json:"message"`
}

// VerificationResult turns the pact's outcome into the JSON a Pact Broker
// accepts as a verification result. Skipped interactions are left out;
// pending failures count as failures (the broker decides what pending means).
func (p PactResult) VerificationResult(providerVersion string) VerificationResult {
	out := VerificationResult{
		Success:                    p.verified(),
		ProviderApplicationVersion: providerVersion,
		TestResults:                []TestResult{},
		VerifiedBy:                 VerifiedBy{Implementation: Verifier, Version: VerifierVersion},
	}
	for _, r := range p.Interactions {
		if r.Status == StatusSkipped {
			continue
		}
		tr := TestResult{InteractionID: r.Key, InteractionDescription: r.Description, Success: r.Status == StatusPassed}
		for _, f := range r.Failures {
			if len(f.Mismatches) == 0 {
				msg := f.Summary
				if f.Error != "" {
					msg += ": " + f.Error
				}
				tr.Exceptions = append(tr.Exceptions, BrokerException{Message: msg})
				continue
			}
			for _, m := range f.Mismatches {
				tr.Mismatches = append(tr.Mismatches, BrokerMismatch{
					Attribute:   brokerAttribute(f.ID),
					Identifier:  m.Path,
					Description: m.Message,
					Expected:    m.Expected,
					Actual:      m.Actual,
				})
			}
		}
		out.TestResults = append(out.TestResults, tr)
	}
	return out
}

func brokerAttribute(id FailureID) string {
	switch id {
	case FailureStatus:
		return "status"
	case FailureHeaders:
		return "header"
	case FailureBody:
		return "body"
	case FailureMetadata:
		return "metadata"
	}
	return string(id)
}

// failuresFrom groups mismatches from the matching engine into failures, in
// the verifier's order: status, headers, body, metadata, regex timeouts,
// anything else.
func failuresFrom(ms []match.Mismatch) []Failure {
	if len(ms) == 0 {
		return nil
	}
	order := []FailureID{FailureStatus, FailureHeaders, FailureBody, FailureMetadata, FailureRegexTimeout, FailureOther}
	groups := map[FailureID][]Mismatch{}
	for _, m := range ms {
		id := failureIDOf(m.Kind)
		groups[id] = append(groups[id], Mismatch{
			Kind: string(m.Kind), Path: m.Path, Expected: m.Expected, Actual: m.Actual, Message: m.Message,
		})
	}
	var out []Failure
	for _, id := range order {
		if g := groups[id]; len(g) > 0 {
			out = append(out, Failure{ID: id, Summary: failureSummaries[id], Mismatches: g})
		}
	}
	return out
}

func failureIDOf(k match.Kind) FailureID {
	s := string(k)
	switch {
	case k == match.KindRegexTimeout:
		return FailureRegexTimeout
	case k == match.KindStatus || strings.HasPrefix(s, "status"):
		return FailureStatus
	case k == match.KindHeader || strings.HasPrefix(s, "header"):
		return FailureHeaders
	case k == match.KindBody || k == match.KindBodyType || strings.HasPrefix(s, "body"):
		return FailureBody
	case k == match.KindMetadata || strings.HasPrefix(s, "metadata"):
		return FailureMetadata
	}
	return FailureOther
}

func failure(id FailureID, err string) Failure {
	return Failure{ID: id, Summary: failureSummaries[id], Error: err}
}
