package message

import (
	"encoding/json"
	"fmt"

	"github.com/contracts-dev/contracts/formats/pact"
)

// Message is what a producer produces: a payload, its content type and the
// message metadata (topic, key, headers, ...).
type Message struct {
	// Contents are the payload's bytes as they go on the wire.
	Contents []byte
	// ContentType is the payload's content type; when empty it is detected
	// from the contents (JSON, XML, text, else binary).
	ContentType string
	// Metadata are the message's metadata; values are JSON values.
	Metadata map[string]any
}

// JSON returns a message whose payload is v encoded as JSON.
func JSON(v any, metadata map[string]any) (Message, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return Message{}, fmt.Errorf("encode message payload as JSON: %w", err)
	}
	return Message{Contents: data, ContentType: pact.ContentTypeJSON, Metadata: metadata}, nil
}

// contentType is the declared content type, else the detected one.
func (m Message) contentType() string {
	if m.ContentType != "" {
		return m.ContentType
	}
	if len(m.Contents) == 0 {
		return ""
	}
	return pact.DetectContentType(m.Contents)
}

// toPact describes m in the pact model, as an actual message for the
// matching engine.
func (m Message) toPact() *pact.Message {
	return &pact.Message{Contents: pact.NewBody(m.Contents, m.contentType()), Metadata: m.Metadata}
}

// fromPact returns the message a pact message describes (its example
// contents and metadata).
func fromPact(m *pact.Message) Message {
	if m == nil {
		return Message{}
	}
	out := Message{Metadata: m.Metadata}
	if m.Contents.State == pact.BodyPresent || m.Contents.State == pact.BodyEmpty {
		out.Contents = m.Contents.Content
		out.ContentType = m.Contents.ContentType
		if out.ContentType == "" {
			out.ContentType = m.MetadataContentType()
		}
	}
	return out
}
