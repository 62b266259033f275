// Package messagemock is the consumer side of message contracts in Go: a
// consumer test declares the messages it expects (asynchronous events, or
// synchronous request/reply messages), its handler is called with each
// example message to prove it can consume it, and WritePact writes the pact
// (V4 Asynchronous/Messages and Synchronous/Messages interactions, or a V3
// message pact). It needs no Pact FFI library.
//
//	p := messagemock.New("order-notifier", "order-service")
//	err := p.ExpectsToReceive("an order created event").
//		Given("an order exists", map[string]any{"id": "o-1001"}).
//		WithContents(messagemock.JSON(map[string]any{
//			"id":    messagemock.Regex("o-1001", `^o-\d+$`),
//			"total": messagemock.Decimal(42.5),
//		})).
//		WithMetadata(map[string]any{"kafka_topic": "orders"}).
//		ConsumedBy(func(m messagemock.Received) error { return handleOrderCreated(m.Contents) })
//	...
//	paths, err := p.WritePact("pacts")
package messagemock

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/generate"
	"github.com/contracts-dev/contracts/formats/proto"
	"github.com/contracts-dev/contracts/verify/mock"
)

// ErrNotConsumed is wrapped by Verify's and WritePact's error when a declared message
// was not consumed successfully: no pact is written then.
// It wraps mock.ErrNotOK, the error of every mock.
var ErrNotConsumed = fmt.Errorf("%w: a declared message was not consumed successfully", mock.ErrNotOK)

// ConsumerError is returned by ConsumedBy when the consumer's handler
// failed; Err is the handler's error.
type ConsumerError struct {
	Description string
	Err         error
}

// Error implements error.
func (e *ConsumerError) Error() string {
	return fmt.Sprintf("message %q: consumer failed: %v", e.Description, e.Err)
}

// Unwrap returns the handler's error.
func (e *ConsumerError) Unwrap() error { return e.Err }

// Pact collects the message interactions of one consumer and provider.
// It is safe for concurrent use.
type Pact struct {
	consumer, provider string
	spec               pact.Spec
	now                func() time.Time

	mu       sync.Mutex
	consumed []*pact.Interaction
	failed   []string
	// descriptors are the protobuf descriptor sets of consumed messages.
	descriptors map[string][]byte
}

// Option configures a Pact.
type Option func(*Pact)

// WithSpec writes a pact of spec instead of V4: V3 writes a "messages"
// pact, which holds asynchronous messages only.
func WithSpec(spec pact.Spec) Option { return func(p *Pact) { p.spec = spec } }

// WithClock sets the clock of date and time generators.
func WithClock(now func() time.Time) Option { return func(p *Pact) { p.now = now } }

// New returns an empty Pact between consumer and provider.
func New(consumer, provider string, opts ...Option) *Pact {
	p := &Pact{consumer: consumer, provider: provider, spec: pact.V4, now: time.Now}
	for _, o := range opts {
		o(p)
	}
	return p
}

// Received is a message as the consumer receives it: the example with the
// generators applied.
type Received struct {
	Contents    []byte
	ContentType string
	Metadata    map[string]any
}

// JSON decodes the contents into v.
func (r Received) JSON(v any) error {
	if err := json.Unmarshal(r.Contents, v); err != nil {
		return fmt.Errorf("decode message contents as JSON: %w", err)
	}
	return nil
}

// common holds what both kinds of message declarations share.
type common struct {
	p   *Pact
	in  *pact.Interaction
	err error
	// protos are the descriptor sets of protobuf contents, by key.
	protos map[string][]byte
}

func (c *common) given(state string, params map[string]any) {
	c.in.ProviderStates = append(c.in.ProviderStates, pact.ProviderState{Name: state, Params: params})
}

func (c *common) comment(text string) {
	m := map[string]any{}
	if len(c.in.Comments) > 0 {
		_ = json.Unmarshal(c.in.Comments, &m)
	}
	list, _ := m["text"].([]any)
	m["text"] = append(list, text)
	c.in.Comments, _ = json.Marshal(m)
}

func (c *common) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// record keeps a consumed interaction, or notes a failure.
// protobufPluginVersion is the protobuf plugin version written beside message
// descriptor sets.
const protobufPluginVersion = "0.5.0"

func (p *Pact) record(in *pact.Interaction, err error, protos map[string][]byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.failed = append(p.failed, in.Description)
		return
	}
	p.consumed = append(p.consumed, in)
	for k, v := range protos {
		if p.descriptors == nil {
			p.descriptors = map[string][]byte{}
		}
		p.descriptors[k] = v
	}
}

func (p *Pact) reify(m *pact.Message) (Received, error) {
	out, err := generate.Message(m, generate.Context{Mode: generate.Consumer, Now: p.now})
	if err != nil {
		return Received{}, fmt.Errorf("generators: %w", err)
	}
	r := Received{Metadata: out.Metadata, ContentType: out.Contents.ContentType}
	if out.Contents.State == pact.BodyPresent {
		r.Contents = out.Contents.Content
	}
	if r.ContentType == "" {
		r.ContentType = out.Contents.EffectiveContentType()
	}
	return r, nil
}

// Model returns the pact of the messages consumed so far.
func (p *Pact) Model() *pact.Pact {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := &pact.Pact{
		Consumer: pact.Pacticipant{Name: p.consumer},
		Provider: pact.Pacticipant{Name: p.provider},
		Spec:     p.spec,
		Messages: p.spec <= pact.V3,
	}
	for _, in := range p.consumed {
		c := in.Clone()
		// V3 message contents have no type of their own: the metadata
		// carries it, as the Pact implementations write it.
		if m := c.Message; p.spec <= pact.V3 && m != nil && m.Contents.State == pact.BodyPresent &&
			m.MetadataContentType() == "" && m.Contents.ContentType != "" {
			if m.Metadata == nil {
				m.Metadata = map[string]any{}
			}
			m.Metadata["contentType"] = m.Contents.ContentType
		}
		out.Interactions = append(out.Interactions, c)
	}
	if len(p.descriptors) > 0 {
		// The protobuf schemas go where the Pact protobuf plugin puts them,
		// so that verifiers can decode the contents.
		sets := map[string]proto.PluginDescriptors{}
		for k, v := range p.descriptors {
			sets[k] = proto.PluginDescriptors{Set: v}
		}
		plugins := proto.PluginsMetadata(protobufPluginVersion, sets)
		out.Metadata = map[string]json.RawMessage{"plugins": plugins}
	}
	return out
}

var _ mock.PactWriter = (*Pact)(nil)

// Verify returns nil when every message declared and consumed so far was
// consumed successfully, else an error wrapping ErrNotConsumed (and so
// mock.ErrNotOK) that names the messages that were not.
func (p *Pact) Verify() error {
	p.mu.Lock()
	failed := append([]string(nil), p.failed...)
	p.mu.Unlock()
	if len(failed) > 0 {
		return fmt.Errorf("%w: %q", ErrNotConsumed, failed)
	}
	return nil
}

// WritePact writes the pact of the consumed messages to
// dir/<consumer>-<provider>.json and returns its path, the only one.
// Interactions already in that file are kept unless this Pact has one
// with the same description and provider states. Nothing is written when
// Verify does not pass (a declared message was not consumed successfully,
// ErrNotConsumed) or when no message was consumed.
func (p *Pact) WritePact(dir string) ([]string, error) {
	if err := p.Verify(); err != nil {
		return nil, fmt.Errorf("write pact: %w", err)
	}
	p.mu.Lock()
	n := len(p.consumed)
	p.mu.Unlock()
	if n == 0 {
		return nil, errors.New("write pact: no message was consumed")
	}
	model := p.Model()
	path := mock.PactPath(dir, p.consumer, p.provider)
	if old, err := os.ReadFile(path); err == nil {
		prev, err := pact.Parse(old)
		if err != nil {
			return nil, fmt.Errorf("write pact: existing %s: %w", path, err)
		}
		var kept []*pact.Interaction
		for _, in := range prev.Interactions {
			if !hasInteraction(model.Interactions, in) {
				kept = append(kept, in)
			}
		}
		model.Interactions = append(kept, model.Interactions...)
		if _, ok := model.Metadata["plugins"]; !ok && prev.Metadata["plugins"] != nil {
			if model.Metadata == nil {
				model.Metadata = map[string]json.RawMessage{}
			}
			model.Metadata["plugins"] = prev.Metadata["plugins"]
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("write pact: %w", err)
	}
	data, err := pact.Write(model, p.spec)
	if err != nil {
		return nil, err
	}
	path, err = mock.WritePactFile(dir, p.consumer, p.provider, data)
	if err != nil {
		return nil, err
	}
	return []string{path}, nil
}

func hasInteraction(list []*pact.Interaction, in *pact.Interaction) bool {
	for _, x := range list {
		if x.Description != in.Description || len(x.ProviderStates) != len(in.ProviderStates) {
			continue
		}
		same := true
		for i := range x.ProviderStates {
			if x.ProviderStates[i].Name != in.ProviderStates[i].Name {
				same = false
			}
		}
		if same {
			return true
		}
	}
	return false
}
