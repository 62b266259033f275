package message

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/contracts-dev/contracts/formats/pact"
)

// MetadataHeader is the response header carrying the message metadata: a
// JSON object, base64 encoded (standard alphabet, padded), as the Pact
// verifier reads it.
const MetadataHeader = "Pact-Message-Metadata"

// Producer produces the asynchronous message with one description, given
// the interaction's provider states (already set up).
type Producer func(ctx context.Context, states []pact.ProviderState) (Message, error)

// Responder answers the request of a synchronous message interaction with
// its response messages.
type Responder func(ctx context.Context, request Message, states []pact.ProviderState) ([]Message, error)

// StateHandler sets up one provider state, with its parameters.
type StateHandler func(ctx context.Context, params map[string]any) error

// ErrNoHandler is wrapped by the errors for a message description no
// producer or responder is registered for.
var ErrNoHandler = errors.New("no handler registered for the message")

// Provider holds a service's message producers, by message description,
// and its provider state handlers, by state name. It is safe for
// concurrent use. It serves the Pact verifier's message convention as an
// http.Handler, and NewInProcess verifies it without HTTP.
type Provider struct {
	mu         sync.RWMutex
	producers  map[string]Producer
	responders map[string]Responder
	states     map[string]StateHandler
}

// NewProvider returns a Provider with no handlers.
func NewProvider() *Provider {
	return &Provider{producers: map[string]Producer{}, responders: map[string]Responder{}, states: map[string]StateHandler{}}
}

// Handle registers the producer of the asynchronous message described as
// description, replacing any earlier one.
func (p *Provider) Handle(description string, f Producer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.producers[description] = f
}

// HandleGiven registers the producer of the asynchronous message
// described as description for interactions with the provider state named
// state; it takes precedence over the Handle producer of that description.
func (p *Provider) HandleGiven(description, state string, f Producer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.producers[givenKey(description, state)] = f
}

// givenKey keys a producer by description and provider state (a NUL
// cannot occur in either as written in a pact).
func givenKey(description, state string) string { return description + "\x00" + state }

// HandleSync registers the responder of the synchronous message
// interaction described as description, replacing any earlier one.
func (p *Provider) HandleSync(description string, f Responder) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.responders[description] = f
}

// HandleState registers the set-up of the provider state named name.
func (p *Provider) HandleState(name string, f StateHandler) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.states[name] = f
}

// setUp runs the state handlers of states, in order. A state without a
// handler is not an error (it may be set up elsewhere, e.g. by a state
// change URL); its name is returned so callers can warn.
func (p *Provider) setUp(ctx context.Context, states []pact.ProviderState) (unhandled []string, err error) {
	for _, st := range states {
		p.mu.RLock()
		h := p.states[st.Name]
		p.mu.RUnlock()
		if h == nil {
			unhandled = append(unhandled, st.Name)
			continue
		}
		params := st.Params
		if params == nil {
			params = map[string]any{}
		}
		if err := h(ctx, params); err != nil {
			return unhandled, fmt.Errorf("provider state %q: %w", st.Name, err)
		}
	}
	return unhandled, nil
}

// produce returns the asynchronous message described as description.
func (p *Provider) produce(ctx context.Context, description string, states []pact.ProviderState) (Message, error) {
	p.mu.RLock()
	var f Producer
	for _, st := range states {
		if f = p.producers[givenKey(description, st.Name)]; f != nil {
			break
		}
	}
	if f == nil {
		f = p.producers[description]
	}
	p.mu.RUnlock()
	if f == nil {
		return Message{}, fmt.Errorf("%w: asynchronous message %q (registered: %v)", ErrNoHandler, description, p.descriptions())
	}
	m, err := f(ctx, states)
	if err != nil {
		return Message{}, fmt.Errorf("produce message %q: %w", description, err)
	}
	return m, nil
}

// respond returns the responses to the synchronous message described as
// description.
func (p *Provider) respond(ctx context.Context, description string, req Message, states []pact.ProviderState) ([]Message, error) {
	p.mu.RLock()
	f := p.responders[description]
	p.mu.RUnlock()
	if f == nil {
		return nil, fmt.Errorf("%w: synchronous message %q (registered: %v)", ErrNoHandler, description, p.descriptions())
	}
	ms, err := f(ctx, req, states)
	if err != nil {
		return nil, fmt.Errorf("respond to message %q: %w", description, err)
	}
	return ms, nil
}

func (p *Provider) descriptions() []string {
	p.mu.RLock()
	defer p.mu.RUnlock()
	var out []string
	for d := range p.producers {
		if desc, state, ok := strings.Cut(d, "\x00"); ok {
			d = fmt.Sprintf("%s (given %s)", desc, state)
		}
		out = append(out, d)
	}
	for d := range p.responders {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// wireRequest is the body the Pact verifier POSTs to the message URL.
type wireRequest struct {
	Description    string      `json:"description"`
	ProviderStates []wireState `json:"providerStates,omitempty"`
	// Request is the V4 request contents of a synchronous message.
	Request json.RawMessage `json:"request,omitempty"`
}

type wireState struct {
	Name   string         `json:"name"`
	Params map[string]any `json:"params,omitempty"`
}

// maxWireBody bounds the message request and response bodies read.
const maxWireBody = 32 << 20

// ServeHTTP answers a message request of the Pact verifier: it sets up the
// request's provider states with the state handlers, calls the producer
// (or, when the request carries "request" contents, the responder) of the
// description, and writes the message: payload as body with its
// Content-Type, metadata in the Pact-Message-Metadata header. Unknown
// descriptions get 404, malformed requests 400, failing handlers 500.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "message requests are POSTed", http.StatusMethodNotAllowed)
		return
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxWireBody))
	if err != nil {
		http.Error(w, "read message request: "+err.Error(), http.StatusBadRequest)
		return
	}
	var req wireRequest
	if err := json.Unmarshal(data, &req); err != nil {
		http.Error(w, "message request: want a JSON object with a description: "+err.Error(), http.StatusBadRequest)
		return
	}
	if req.Description == "" {
		http.Error(w, "message request: description is empty", http.StatusBadRequest)
		return
	}
	states := make([]pact.ProviderState, 0, len(req.ProviderStates))
	for _, st := range req.ProviderStates {
		states = append(states, pact.ProviderState{Name: st.Name, Params: st.Params})
	}
	ctx := r.Context()
	if _, err := p.setUp(ctx, states); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var m Message
	if len(req.Request) > 0 && string(req.Request) != "null" {
		in, err := decodeRequest(req.Request)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ms, err := p.respond(ctx, req.Description, fromPact(in), states)
		if err != nil {
			http.Error(w, err.Error(), statusOf(err))
			return
		}
		if len(ms) == 0 {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		// The convention has room for one response message.
		m = ms[0]
	} else {
		m, err = p.produce(ctx, req.Description, states)
		if err != nil {
			http.Error(w, err.Error(), statusOf(err))
			return
		}
	}
	if err := writeMessage(w, m); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

func statusOf(err error) int {
	if errors.Is(err, ErrNoHandler) {
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

// writeMessage writes m as a message response.
func writeMessage(w http.ResponseWriter, m Message) error {
	if len(m.Metadata) > 0 {
		meta, err := json.Marshal(m.Metadata)
		if err != nil {
			return fmt.Errorf("encode message metadata: %w", err)
		}
		w.Header().Set(MetadataHeader, base64.StdEncoding.EncodeToString(meta))
	}
	if ct := m.contentType(); ct != "" {
		w.Header().Set("Content-Type", ct)
	} else {
		// No payload: keep net/http from sniffing one.
		w.Header()["Content-Type"] = nil
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(m.Contents)
	return nil
}

// encodeRequest returns the V4 JSON form of a synchronous message's
// request (contents, metadata, rules, generators), as the Pact verifier
// sends it: written by the pact writer inside a one-interaction pact.
func encodeRequest(m *pact.Message) (json.RawMessage, error) {
	p := &pact.Pact{
		Consumer: pact.Pacticipant{Name: "consumer"},
		Provider: pact.Pacticipant{Name: "provider"},
		Spec:     pact.V4,
		Interactions: []*pact.Interaction{{
			Type: pact.SyncMessage, Description: "request", MessageRequest: m,
		}},
	}
	data, err := pact.Write(p, pact.V4)
	if err != nil {
		return nil, fmt.Errorf("encode message request: %w", err)
	}
	var doc struct {
		Interactions []struct {
			Request json.RawMessage `json:"request"`
		} `json:"interactions"`
	}
	if err := json.Unmarshal(data, &doc); err != nil || len(doc.Interactions) != 1 {
		return nil, fmt.Errorf("encode message request: unexpected pact layout")
	}
	return doc.Interactions[0].Request, nil
}

// decodeRequest reads the V4 request contents of a message request with
// the pact parser.
func decodeRequest(raw json.RawMessage) (*pact.Message, error) {
	doc := map[string]any{
		"consumer": map[string]any{"name": "consumer"},
		"provider": map[string]any{"name": "provider"},
		"interactions": []any{map[string]any{
			"type": string(pact.SyncMessage), "description": "request", "request": raw,
		}},
		"metadata": map[string]any{"pactSpecification": map[string]any{"version": "4.0"}},
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("message request: %w", err)
	}
	p, err := pact.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("message request contents: %w", err)
	}
	return p.Interactions[0].MessageRequest, nil
}
