package messagemock

import (
	"errors"
	"fmt"

	"github.com/contracts-dev/contracts/formats/pact"
)

// AsyncMessage declares an asynchronous message the consumer expects to
// receive. Methods return the declaration for chaining; the first error
// (a bad template, ...) is reported by ConsumedBy.
type AsyncMessage struct{ common }

// ExpectsToReceive starts the declaration of an asynchronous message.
func (p *Pact) ExpectsToReceive(description string) *AsyncMessage {
	return &AsyncMessage{common{p: p, in: &pact.Interaction{
		Type: pact.AsyncMessage, Description: description, Message: &pact.Message{},
	}}}
}

// Given adds a provider state, with optional parameters.
func (m *AsyncMessage) Given(state string, params map[string]any) *AsyncMessage {
	m.given(state, params)
	return m
}

// Key sets the V4 interaction key.
func (m *AsyncMessage) Key(key string) *AsyncMessage { m.in.Key = key; return m }

// Pending marks the V4 interaction pending.
func (m *AsyncMessage) Pending() *AsyncMessage { m.in.Pending = true; return m }

// Comment adds a V4 text comment.
func (m *AsyncMessage) Comment(text string) *AsyncMessage { m.comment(text); return m }

// WithContents sets the payload.
func (m *AsyncMessage) WithContents(c Contents) *AsyncMessage {
	if err := c.apply(&m.common, m.in.Message); err != nil {
		m.fail(err)
	}
	return m
}

// WithMetadata adds metadata (e.g. "kafka_topic", "key", headers); values
// may be matchers.
func (m *AsyncMessage) WithMetadata(md map[string]any) *AsyncMessage {
	metadata(m.in.Message, md)
	return m
}

// WithRules adds matching rules and generators given in the pact model
// (categories "body", "metadata").
func (m *AsyncMessage) WithRules(rules pact.MatchingRules, gens pact.Generators) *AsyncMessage {
	merge(m.in.Message, rules, gens)
	return m
}

// ConsumedBy calls handler with the message (generators applied) and, when
// it returns nil, records the interaction for WritePact. A handler error
// is returned as a *ConsumerError, and the Pact will refuse to write.
func (m *AsyncMessage) ConsumedBy(handler func(Received) error) error {
	if m.err != nil {
		err := fmt.Errorf("message %q: %w", m.in.Description, m.err)
		m.p.record(m.in, err, nil)
		return err
	}
	r, err := m.p.reify(m.in.Message)
	if err != nil {
		err = fmt.Errorf("message %q: %w", m.in.Description, err)
		m.p.record(m.in, err, nil)
		return err
	}
	if err := handler(r); err != nil {
		cerr := &ConsumerError{Description: m.in.Description, Err: err}
		m.p.record(m.in, cerr, nil)
		return cerr
	}
	m.p.record(m.in, nil, m.protos)
	return nil
}

// SyncMessage declares a synchronous request/reply message: the request
// the consumer sends and the response(s) it expects.
type SyncMessage struct{ common }

// ExpectsRequest starts the declaration of a synchronous message.
func (p *Pact) ExpectsRequest(description string) *SyncMessage {
	return &SyncMessage{common{p: p, in: &pact.Interaction{
		Type: pact.SyncMessage, Description: description, MessageRequest: &pact.Message{},
	}}}
}

// Given adds a provider state, with optional parameters.
func (m *SyncMessage) Given(state string, params map[string]any) *SyncMessage {
	m.given(state, params)
	return m
}

// Key sets the V4 interaction key.
func (m *SyncMessage) Key(key string) *SyncMessage { m.in.Key = key; return m }

// Pending marks the V4 interaction pending.
func (m *SyncMessage) Pending() *SyncMessage { m.in.Pending = true; return m }

// Comment adds a V4 text comment.
func (m *SyncMessage) Comment(text string) *SyncMessage { m.comment(text); return m }

// WithRequest sets the request payload and metadata (values may be
// matchers; metadata may be nil).
func (m *SyncMessage) WithRequest(c Contents, md map[string]any) *SyncMessage {
	if err := c.apply(&m.common, m.in.MessageRequest); err != nil {
		m.fail(err)
	}
	metadata(m.in.MessageRequest, md)
	return m
}

// WithRequestMetadata adds request metadata without contents.
func (m *SyncMessage) WithRequestMetadata(md map[string]any) *SyncMessage {
	metadata(m.in.MessageRequest, md)
	return m
}

// WithRequestRules adds rules and generators given in the pact model to
// the request.
func (m *SyncMessage) WithRequestRules(rules pact.MatchingRules, gens pact.Generators) *SyncMessage {
	merge(m.in.MessageRequest, rules, gens)
	return m
}

// WillRespondWith adds a response message (call it again for more).
func (m *SyncMessage) WillRespondWith(c Contents, md map[string]any) *SyncMessage {
	r := &pact.Message{}
	if err := c.apply(&m.common, r); err != nil {
		m.fail(err)
	}
	metadata(r, md)
	m.in.MessageResponses = append(m.in.MessageResponses, r)
	return m
}

// WithResponseRules adds rules and generators given in the pact model to
// the last response.
func (m *SyncMessage) WithResponseRules(rules pact.MatchingRules, gens pact.Generators) *SyncMessage {
	if n := len(m.in.MessageResponses); n > 0 {
		merge(m.in.MessageResponses[n-1], rules, gens)
	} else {
		m.fail(errors.New("WithResponseRules before any WillRespondWith"))
	}
	return m
}

// ConsumedBy calls handler with the request and the responses (generators
// applied) and, when it returns nil, records the interaction. A handler
// error is returned as a *ConsumerError, and the Pact will refuse to write.
func (m *SyncMessage) ConsumedBy(handler func(request Received, responses []Received) error) error {
	fail := func(err error) error {
		err = fmt.Errorf("message %q: %w", m.in.Description, err)
		m.p.record(m.in, err, nil)
		return err
	}
	if m.err != nil {
		return fail(m.err)
	}
	if m.p.spec < pact.V4 {
		return fail(fmt.Errorf("synchronous messages need a V4 pact, not %s", m.p.spec))
	}
	req, err := m.p.reify(m.in.MessageRequest)
	if err != nil {
		return fail(fmt.Errorf("request: %w", err))
	}
	var resps []Received
	for i, r := range m.in.MessageResponses {
		got, err := m.p.reify(r)
		if err != nil {
			return fail(fmt.Errorf("response %d: %w", i+1, err))
		}
		resps = append(resps, got)
	}
	if err := handler(req, resps); err != nil {
		cerr := &ConsumerError{Description: m.in.Description, Err: err}
		m.p.record(m.in, cerr, nil)
		return cerr
	}
	m.p.record(m.in, nil, m.protos)
	return nil
}
