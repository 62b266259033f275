package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/formats/pact"
)

// testResultView is one interaction's outcome in a verification result.
type testResultView struct {
	ID          string
	Description string
	// Anchor links the interaction on the pact's page ("" when the
	// description matches none of its interactions).
	Anchor     string
	Success    bool
	Mismatches []mismatchView
	Exceptions []string
}

type mismatchView struct {
	Attribute   string
	Identifier  string
	Description string
	Expected    string
	Actual      string
}

type verificationData struct {
	Consumer, Provider       string
	ConsumerURL, ProviderURL string
	MatrixURL                string
	PactURL                  string
	SHA                      string
	Number                   int
	ProviderVersion          string
	ProviderVersionURL       string
	Success                  bool
	Status                   string
	BuildURL                 string
	ExecutedAt               time.Time
	VerifiedBy               string
	WIP                      bool
	Failed                   []testResultView
	Passed                   []testResultView
	// NoResults is set when the verifier published no test results.
	NoResults bool
	// Unreadable is set when the test results have a shape this page does
	// not know; Raw then holds them, indented.
	Unreadable bool
	Raw        string
	JSONURL    string
	OtherURLs  []verificationLink
}

type verificationLink struct {
	Number  int
	URL     string
	Status  string
	Current bool
}

// verification shows one verification result: who verified what, and for
// a failure each failed interaction with its mismatches.
func (h *handler) verification(r *http.Request) (*page, error) {
	ctx := r.Context()
	consumer, provider, sha := r.PathValue("consumer"), r.PathValue("provider"), r.PathValue("sha")
	var (
		v   broker.Verification
		err error
	)
	if num := r.PathValue("number"); num == "" {
		v, err = h.store.LatestVerification(ctx, consumer, provider, sha)
	} else {
		n, convErr := strconv.Atoi(num)
		if convErr != nil || n < 1 {
			return nil, broker.Invalid("number", "a verification number is a whole number from 1, got %q", num)
		}
		v, err = h.store.GetVerification(ctx, consumer, provider, sha, n)
	}
	if errors.Is(err, broker.ErrNotFound) {
		return nil, notFound("there is no such verification result of pact version %q between %s and %s", sha, consumer, provider)
	}
	if err != nil {
		return nil, wrapf(err, "verification of %q", sha)
	}
	d := verificationData{
		Consumer: v.Consumer, Provider: v.Provider,
		ConsumerURL: h.pacticipantLink(v.Consumer), ProviderURL: h.pacticipantLink(v.Provider),
		MatrixURL: h.matrixLink(v.Consumer, v.Provider),
		PactURL:   h.link("/pacts/provider", v.Provider, "consumer", v.Consumer, "pact-version", v.PactSHA),
		SHA:       v.PactSHA, Number: v.Number, ProviderVersion: v.ProviderVersion,
		ProviderVersionURL: h.versionLink(v.Provider, v.ProviderVersion),
		Success:            v.Success, Status: verificationStatus(&v), BuildURL: safeURL(v.BuildURL),
		ExecutedAt: v.ExecutionDate, VerifiedBy: verifiedBy(v.VerifiedBy), WIP: v.WIP,
	}
	d.JSONURL = h.verificationLink(v.Consumer, v.Provider, v.PactSHA, v.Number)
	results, ok := parseTestResults(v.TestResults)
	switch {
	case len(bytes.TrimSpace(v.TestResults)) == 0 || string(bytes.TrimSpace(v.TestResults)) == "null":
		d.NoResults = true
	case !ok:
		d.Unreadable = true
		d.Raw = capText(indentJSON(v.TestResults))
	}
	anchors := map[string]string{}
	if p, err := h.store.GetPactBySHA(ctx, v.Consumer, v.Provider, v.PactSHA); err == nil {
		if parsed, err := pact.Parse(p.Content); err == nil {
			for i, in := range parsed.Interactions {
				anchors[in.Description] = d.PactURL + "#interaction-" + strconv.Itoa(i+1)
			}
		}
	}
	for _, tr := range results {
		tr.Anchor = anchors[tr.Description]
		if tr.Success {
			d.Passed = append(d.Passed, tr)
		} else {
			d.Failed = append(d.Failed, tr)
		}
	}
	others, err := h.store.ListVerifications(ctx, v.Consumer, v.Provider, v.PactSHA, broker.Page{Limit: 20})
	if err != nil && !errors.Is(err, broker.ErrNotFound) {
		return nil, wrapf(err, "verifications of %q", v.PactSHA)
	}
	if len(others) > 1 {
		for _, o := range others {
			d.OtherURLs = append(d.OtherURLs, verificationLink{Number: o.Number, URL: h.verificationLink(o.Consumer, o.Provider, o.PactSHA, o.Number),
				Status: verificationStatus(&o), Current: o.Number == v.Number})
		}
	}
	title := fmt.Sprintf("Verification %d of %s → %s by %s", v.Number, v.Consumer, v.Provider, v.ProviderVersion)
	return &page{name: "verification", title: title, nav: "integrations", data: d, json: d.JSONURL}, nil
}

func (h *handler) verificationLink(consumer, provider, sha string, n int) string {
	return h.link("/pacts/provider", provider, "consumer", consumer, "pact-version", sha, "verification-results", strconv.Itoa(n))
}

// verifiedBy names the verifier ("contracts 0.1.0") from the verifiedBy
// JSON, or "".
func verifiedBy(raw json.RawMessage) string {
	var vb struct {
		Implementation string `json:"implementation"`
		Version        string `json:"version"`
	}
	if json.Unmarshal(raw, &vb) != nil {
		return ""
	}
	return strings.TrimSpace(vb.Implementation + " " + vb.Version)
}

// parseTestResults reads the testResults verifiers publish. It knows two
// shapes: an array of {interactionId, interactionDescription, success,
// mismatches[{attribute, identifier, description, expected, actual}],
// exceptions[{message}]} (this project's verifier and the Rust verifier;
// other mismatch field names such as type, path and mismatch are read
// too), and the Ruby verifier's {tests: [{testDescription,
// interactionDescription, status, exception{message}}], summary}. ok is
// false for anything else.
func parseTestResults(raw json.RawMessage) (_ []testResultView, ok bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, true
	}
	var items []map[string]json.RawMessage
	if raw[0] == '{' {
		var wrapper struct {
			Tests []map[string]json.RawMessage `json:"tests"`
		}
		if err := json.Unmarshal(raw, &wrapper); err != nil || wrapper.Tests == nil {
			return nil, false
		}
		items = wrapper.Tests
	} else if err := json.Unmarshal(raw, &items); err != nil {
		return nil, false
	}
	var out []testResultView
	for _, it := range items {
		tr := testResultView{
			ID:          text(it["interactionId"]),
			Description: firstText(it, "interactionDescription", "description", "testDescription", "testFullDescription"),
		}
		if tr.Description == "" {
			tr.Description = tr.ID
		}
		var success *bool
		_ = json.Unmarshal(it["success"], &success)
		switch {
		case success != nil:
			tr.Success = *success
		default:
			tr.Success = strings.EqualFold(text(it["status"]), "passed")
		}
		var mismatches []map[string]json.RawMessage
		if json.Unmarshal(it["mismatches"], &mismatches) == nil {
			for _, m := range mismatches {
				tr.Mismatches = append(tr.Mismatches, mismatchView{
					Attribute:   firstText(m, "attribute", "type"),
					Identifier:  firstText(m, "identifier", "path", "key"),
					Description: firstText(m, "description", "mismatch"),
					Expected:    text(m["expected"]),
					Actual:      text(m["actual"]),
				})
			}
		}
		var exceptions []json.RawMessage
		if json.Unmarshal(it["exceptions"], &exceptions) == nil {
			for _, e := range exceptions {
				tr.Exceptions = append(tr.Exceptions, exceptionText(e))
			}
		}
		if e, found := it["exception"]; found && string(e) != "null" {
			tr.Exceptions = append(tr.Exceptions, exceptionText(e))
		}
		if !tr.Success && len(tr.Mismatches) == 0 && len(tr.Exceptions) == 0 {
			if msg := text(it["message"]); msg != "" {
				tr.Exceptions = append(tr.Exceptions, msg)
			}
		}
		out = append(out, tr)
	}
	return out, true
}

func exceptionText(e json.RawMessage) string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(e, &obj) == nil {
		if m := firstText(obj, "message", "description"); m != "" {
			return m
		}
	}
	return text(e)
}

func firstText(m map[string]json.RawMessage, keys ...string) string {
	for _, k := range keys {
		if s := text(m[k]); s != "" {
			return s
		}
	}
	return ""
}

// text shows a JSON value: a string as it is, anything else as compact
// JSON, capped.
func text(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return capText(s)
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) == nil {
		return capText(buf.String())
	}
	return capText(string(raw))
}
