package message

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/generate"
	"github.com/contracts-dev/contracts/formats/pact/match"
	"github.com/contracts-dev/contracts/verify"
)

// Transport keys message transports are registered under.
const (
	KeyAsync = "message"
	KeySync  = "sync-message"
)

// httpTransport fetches messages from the provider's message URL.
type httpTransport struct {
	url    string
	client *http.Client
}

// NewHTTPTransport returns a transport that fetches each message from
// messageURL (the provider's message endpoint, e.g.
// "http://localhost:8080/pact-messages") with the Pact verifier's
// convention, for both asynchronous and synchronous message interactions.
// A nil client means one whose requests time out after
// verify.DefaultRequestTimeout; the request is also bounded by ctx.
//
// A response status other than 2xx fails the interaction (the Pact
// verifier does so for synchronous messages; asynchronous messages are
// treated alike so that an error page is never compared as a payload).
func NewHTTPTransport(messageURL string, client *http.Client) verify.Transport {
	if client == nil {
		client = &http.Client{Timeout: verify.DefaultRequestTimeout}
	}
	return &httpTransport{url: messageURL, client: client}
}

// CarriesStates implements verify.StateCarrier: the provider states go to
// the provider in each message request.
func (t *httpTransport) CarriesStates() bool { return true }

// Verify implements verify.Transport.
func (t *httpTransport) Verify(ctx context.Context, call verify.Call) verify.Outcome {
	in := call.Interaction
	body := wireRequest{Description: in.Description}
	for _, st := range in.ProviderStates {
		body.ProviderStates = append(body.ProviderStates, wireState{Name: st.Name, Params: st.Params})
	}
	var warnings []string
	switch in.Type {
	case pact.AsyncMessage:
		if in.Message == nil {
			return verify.Outcome{Err: errors.New("asynchronous message interaction has no message")}
		}
	case pact.SyncMessage:
		if in.MessageRequest == nil {
			return verify.Outcome{Err: errors.New("synchronous message interaction has no request")}
		}
		raw, err := encodeRequest(in.MessageRequest)
		if err != nil {
			return verify.Outcome{Err: err}
		}
		body.Request = raw
		if len(in.MessageResponses) > 1 {
			warnings = append(warnings, fmt.Sprintf("the message endpoint returns one response message: only the first of %d expected responses is compared", len(in.MessageResponses)))
		}
	default:
		return verify.Outcome{Err: fmt.Errorf("interaction type %q is not a message", in.Type)}
	}
	data, err := json.Marshal(body)
	if err != nil {
		return verify.Outcome{Err: fmt.Errorf("encode message request: %w", err)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(data))
	if err != nil {
		return verify.Outcome{Err: fmt.Errorf("message request to %s: %w", t.url, err)}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := t.client.Do(req)
	if err != nil {
		return verify.Outcome{Err: fmt.Errorf("POST %s: %w", t.url, err), Warnings: warnings}
	}
	defer resp.Body.Close()
	payload, err := io.ReadAll(io.LimitReader(resp.Body, maxWireBody))
	if err != nil {
		return verify.Outcome{Err: fmt.Errorf("POST %s: read message: %w", t.url, err), Warnings: warnings}
	}
	if resp.StatusCode/100 != 2 {
		return verify.Outcome{Err: fmt.Errorf("request to fetch message from provider failed: POST %s returned HTTP %d: %s",
			t.url, resp.StatusCode, snippet(payload)), Warnings: warnings}
	}
	actual, err := actualMessage(resp.Header, payload)
	if err != nil {
		return verify.Outcome{Err: fmt.Errorf("POST %s: %w", t.url, err), Warnings: warnings}
	}
	var out verify.Outcome
	if in.Type == pact.AsyncMessage {
		out = compare(call, in.Message, actual)
	} else {
		var expected *pact.Message
		if len(in.MessageResponses) > 0 {
			expected = in.MessageResponses[0]
		}
		out = compare(call, expected, actual)
	}
	out.Warnings = append(warnings, out.Warnings...)
	return out
}

// actualMessage reads a message response: the body with its Content-Type,
// and the metadata of the Pact-Message-Metadata header.
func actualMessage(h http.Header, payload []byte) (Message, error) {
	m := Message{Contents: payload, ContentType: h.Get("Content-Type")}
	if v := strings.TrimSpace(h.Get(MetadataHeader)); v != "" {
		raw, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			if raw, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(v, "=")); err != nil {
				return Message{}, fmt.Errorf("header %s: not base64: %q", MetadataHeader, snippet([]byte(v)))
			}
		}
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		if err := d.Decode(&m.Metadata); err != nil {
			return Message{}, fmt.Errorf("header %s: want a base64 JSON object, got %q: %w", MetadataHeader, snippet(raw), err)
		}
	}
	return m, nil
}

// compare matches an actual message with the expected one.
func compare(call verify.Call, expected *pact.Message, actual Message) verify.Outcome {
	if expected == nil {
		return verify.Outcome{}
	}
	if out, ok := compareProtobuf(call, expected, actual); ok {
		return out
	}
	a := actual.toPact()
	return verify.Outcome{
		Mismatches:   match.Message(expected, a),
		ExpectedBody: expected.Contents.Content,
		ActualBody:   a.Contents.Content,
	}
}

func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// inProcess calls a Provider's Go handlers.
type inProcess struct{ p *Provider }

// NewInProcess returns a transport that verifies message interactions by
// calling p's handlers directly: it sets up the interaction's provider
// states with p's state handlers, then compares what the producer (or the
// responder, given the request with its generators applied) returns with
// the contract. Use it under the keys KeyAsync and KeySync.
func NewInProcess(p *Provider) verify.Transport { return &inProcess{p: p} }

// CarriesStates implements verify.StateCarrier: the producer's own state
// handlers set the states up.
func (t *inProcess) CarriesStates() bool { return true }

// Verify implements verify.Transport.
func (t *inProcess) Verify(ctx context.Context, call verify.Call) verify.Outcome {
	in := call.Interaction
	unhandled, err := t.p.setUp(ctx, in.ProviderStates)
	var warnings []string
	for _, name := range unhandled {
		warnings = append(warnings, fmt.Sprintf("no state handler registered for provider state %q", name))
	}
	if err != nil {
		return verify.Outcome{Err: err, Warnings: warnings}
	}
	var out verify.Outcome
	switch in.Type {
	case pact.AsyncMessage:
		if in.Message == nil {
			return verify.Outcome{Err: errors.New("asynchronous message interaction has no message"), Warnings: warnings}
		}
		m, err := t.p.produce(ctx, in.Description, in.ProviderStates)
		if err != nil {
			return verify.Outcome{Err: err, Warnings: warnings}
		}
		out = compare(call, in.Message, m)
	case pact.SyncMessage:
		if in.MessageRequest == nil {
			return verify.Outcome{Err: errors.New("synchronous message interaction has no request"), Warnings: warnings}
		}
		req, err := generate.Message(in.MessageRequest, generate.Context{
			Mode: generate.Provider, ProviderState: call.StateValues, Now: time.Now,
		})
		if err != nil {
			warnings = append(warnings, "request generators: "+strings.Join(strings.Fields(err.Error()), " "))
		}
		ms, err := t.p.respond(ctx, in.Description, fromPact(req), in.ProviderStates)
		if err != nil {
			return verify.Outcome{Err: err, Warnings: warnings}
		}
		out = compareResponses(call, in.MessageResponses, ms)
	default:
		return verify.Outcome{Err: fmt.Errorf("interaction type %q is not a message", in.Type), Warnings: warnings}
	}
	out.Warnings = append(warnings, out.Warnings...)
	return out
}

// compareResponses matches each expected response with the actual one at
// the same position; a missing response is a mismatch, extra ones are
// allowed.
func compareResponses(call verify.Call, expected []*pact.Message, actual []Message) verify.Outcome {
	var out verify.Outcome
	for i, e := range expected {
		if i >= len(actual) {
			out.Mismatches = append(out.Mismatches, match.Mismatch{
				Kind:     match.KindBody,
				Path:     "$",
				Expected: fmt.Sprintf("%d response messages", len(expected)),
				Actual:   fmt.Sprintf("%d response messages", len(actual)),
				Message:  fmt.Sprintf("Expected %d response messages but received %d", len(expected), len(actual)),
			})
			break
		}
		o := compare(call, e, actual[i])
		out.Mismatches = append(out.Mismatches, o.Mismatches...)
		if i == 0 || len(o.Mismatches) > 0 && out.ExpectedBody == nil {
			out.ExpectedBody, out.ActualBody = o.ExpectedBody, o.ActualBody
		}
	}
	return out
}

// VerifyPacts verifies the message interactions of pacts against p's
// handlers in process (HTTP interactions are an error: there is no HTTP
// provider). See verify.Verify for the report and the error.
func VerifyPacts(ctx context.Context, p *Provider, pacts ...verify.Source) (*verify.Report, error) {
	t := NewInProcess(p)
	return verify.Verify(ctx, verify.Config{
		Transports:  map[string]verify.Transport{KeyAsync: t, KeySync: t},
		Concurrency: 1,
	}, pacts)
}
