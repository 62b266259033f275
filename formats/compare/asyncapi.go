package compare

import (
	"encoding/json"
	"fmt"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/contracts-dev/contracts/formats/asyncapi"
	"github.com/contracts-dev/contracts/formats/pact"
)

type asyncAPI struct {
	doc     *asyncapi.Document
	schemas *schemas
}

func newAsyncAPI(doc *asyncapi.Document) *asyncAPI {
	return &asyncAPI{doc: doc, schemas: newSchemas(doc.Raw, false, jsonschema.Draft7, func(k string) bool { return k == "payload" || k == "headers" || k == "schema" })}
}

// content is one message of an interaction: its payload and metadata.
type content struct {
	contentType string
	payload     body
	metadata    map[string]any
}

func messageContent(m *pact.Message) content {
	if m == nil {
		return content{}
	}
	return content{contentType: m.Contents.ContentType, payload: newBody(m.Contents, m.Contents.ContentType), metadata: m.Metadata}
}

// operationID reads comments.references.AsyncAPI of an interaction: the
// reference object (nil when absent) and its operationId.
func operationID(in *pact.Interaction) (ref any, id string) {
	var c struct {
		References struct {
			AsyncAPI json.RawMessage `json:"AsyncAPI"`
		} `json:"references"`
	}
	if len(in.Comments) == 0 || json.Unmarshal(in.Comments, &c) != nil || len(c.References.AsyncAPI) == 0 || string(c.References.AsyncAPI) == "null" {
		return nil, ""
	}
	var v any
	_ = json.Unmarshal(c.References.AsyncAPI, &v)
	if m, ok := v.(map[string]any); ok {
		id, _ = m["operationId"].(string)
		return m, id
	}
	return map[string]any{}, ""
}

func missingSpec(in *pact.Interaction, i int, kind string) Result {
	return Result{Type: TypeError, Code: CodeMessageSpecMissing,
		Message:     fmt.Sprintf("No AsyncAPI document was given to check %s message interactions against", kind),
		MockDetails: mock(in, fmt.Sprintf("[root].interactions[%d]", i), in.Description),
		SpecDetails: &SpecDetails{Location: "[root]"}}
}

func missingOpenAPI(in *pact.Interaction, i int) Result {
	return Result{Type: TypeError, Code: CodeRequestSpecMissing,
		Message:     "No OpenAPI document was given to check HTTP interactions against",
		MockDetails: mock(in, fmt.Sprintf("[root].interactions[%d]", i), in.Description),
		SpecDetails: &SpecDetails{Location: "[root]"}}
}

// operation finds the interaction's operation, or the result that says why
// there is none.
func (a *asyncAPI) operation(in *pact.Interaction, i int, kind string) (*asyncapi.Operation, *Result) {
	if a == nil {
		r := missingSpec(in, i, kind)
		return nil, &r
	}
	loc := fmt.Sprintf("[root].interactions[%d].comments.references.AsyncAPI", i)
	ref, id := operationID(in)
	if ref == nil {
		return nil, &Result{Type: TypeError, Code: CodeMessageReferencesMissing,
			Message:     "The interaction names no AsyncAPI operation in comments.references.AsyncAPI",
			MockDetails: mock(in, loc, nil), SpecDetails: &SpecDetails{Location: "[root]"}}
	}
	if id == "" {
		return nil, &Result{Type: TypeError, Code: CodeMessageReferencesMissing,
			Message:     "comments.references.AsyncAPI has no operationId",
			MockDetails: mock(in, loc, ref), SpecDetails: &SpecDetails{Location: "[root]"}}
	}
	op := a.doc.Operations[id]
	if op == nil {
		return nil, &Result{Type: TypeError, Code: CodeMessageOperationUnknown,
			Message:     "The AsyncAPI document has no operation " + id,
			MockDetails: mock(in, loc+".operationId", id), SpecDetails: &SpecDetails{Location: "[root].operations"}}
	}
	return op, nil
}

func (a *asyncAPI) compareAsync(in *pact.Interaction, i int) []Result {
	op, res := a.operation(in, i, "asynchronous")
	if res != nil {
		return []Result{*res}
	}
	loc := fmt.Sprintf("[root].interactions[%d]", i)
	return a.matchAny(in, a.messagesOf(op), messageContent(in.Message), useReceived,
		loc+".contents.content", loc+".metadata", "[root].operations."+op.ID+".messages", mock(in, loc, in.Description))
}

func (a *asyncAPI) compareSync(in *pact.Interaction, i int) []Result {
	op, res := a.operation(in, i, "synchronous")
	if res != nil {
		return []Result{*res}
	}
	loc := fmt.Sprintf("[root].interactions[%d]", i)
	noMatch := mock(in, loc+".comments.references.AsyncAPI.operationId", op.ID)
	out := a.matchAny(in, a.messagesOf(op), messageContent(in.MessageRequest), useSent,
		loc+".request.contents.content", loc+".request.metadata", "[root].operations."+op.ID+".messages", noMatch)
	if len(out) == 0 || out[len(out)-1].Code != CodeMessageMatched {
		return out
	}
	switch {
	case op.Reply == nil:
		return append(out, Result{Type: TypeError, Code: CodeMessageReplyMissing,
			Message:     fmt.Sprintf("Operation %s has no reply in the AsyncAPI document", op.ID),
			MockDetails: mock(in, loc+".comments.references.AsyncAPI", op.ID), SpecDetails: &SpecDetails{Location: "[root].operations." + op.ID}})
	case len(op.Reply.Messages) == 0:
		return append(out, Result{Type: TypeError, Code: CodeMessageReplyMissing,
			Message:     fmt.Sprintf("The reply of operation %s lists no messages", op.ID),
			MockDetails: mock(in, loc+".comments.references.AsyncAPI", op.ID), SpecDetails: &SpecDetails{Location: "[root].operations." + op.ID + ".reply.messages"}})
	case len(in.MessageResponses) == 0:
		return append(out, Result{Type: TypeWarning, Code: CodeMessageResponseMissing,
			Message:     "The synchronous interaction has no response to check against the reply",
			MockDetails: mock(in, loc+".response", []any{}), SpecDetails: &SpecDetails{Location: "[root].operations." + op.ID + ".reply.messages"}})
	}
	for j, r := range in.MessageResponses {
		rl := fmt.Sprintf("%s.response[%d]", loc, j)
		out = append(out, a.matchAny(in, op.Reply.Messages, messageContent(r), useReceived,
			rl+".contents.content", rl+".metadata", "[root].operations."+op.ID+".reply.messages", noMatch)...)
	}
	return out
}

// messagesOf is what an operation sends or receives: the messages it
// lists, else every message of its channel.
func (a *asyncAPI) messagesOf(op *asyncapi.Operation) []*asyncapi.Message {
	return op.Messages
}

// matchAny checks c against each candidate message in turn: the first one
// with no error matches (its warnings and a message.matched info are
// returned); when none does, one message.no.match error carries the errors
// of every candidate as causes.
func (a *asyncAPI) matchAny(in *pact.Interaction, candidates []*asyncapi.Message, c content, u use, payloadLoc, metaLoc, specLoc string, noMatch *MockDetails) []Result {
	var causes []Result
	for _, m := range candidates {
		results := append(a.payload(in, m, c, u, payloadLoc), a.headers(in, m, c, u, metaLoc)...)
		var errs, rest []Result
		for _, r := range results {
			if r.Type == TypeError {
				errs = append(errs, r)
			} else {
				rest = append(rest, r)
			}
		}
		if len(errs) == 0 {
			return append(rest, Result{Type: TypeInfo, Code: CodeMessageMatched,
				Message:     "Matched message " + m.Path,
				SpecDetails: &SpecDetails{Location: m.Path}})
		}
		causes = append(causes, errs...)
	}
	return []Result{{Type: TypeError, Code: CodeMessageNoMatch,
		Message:     "No message of the operation matches the interaction",
		MockDetails: noMatch, SpecDetails: &SpecDetails{Location: specLoc}, Causes: causes}}
}

func (a *asyncAPI) payload(in *pact.Interaction, m *asyncapi.Message, c content, u use, loc string) []Result {
	if c.contentType == "" {
		return nil
	}
	switch bodyStatus(c.contentType, c.payload.present) {
	case bodySkip:
		return nil
	case bodyWarn:
		return []Result{{Type: TypeWarning, Code: CodeMessagePayloadUnvalidatable,
			Message:     fmt.Sprintf("Message payload of media type %s cannot be checked against a schema", c.contentType),
			MockDetails: mock(in, loc, c.payload.value), SpecDetails: &SpecDetails{Location: m.Path}}}
	}
	if m.Payload == nil {
		if c.payload.present {
			return []Result{{Type: TypeWarning, Code: CodeMessagePayloadUnknown,
				Message:     "The AsyncAPI message defines no payload schema",
				MockDetails: mock(in, loc, c.payload.value), SpecDetails: &SpecDetails{Location: m.Path}}}
		}
		return nil
	}
	var v any
	if c.payload.present {
		v = c.payload.value
	}
	id := m.Path + ".payload"
	sch, err := a.schemas.compile(id, m.Payload, u)
	var out []Result
	for _, e := range violationsOf(sch, err, v) {
		out = append(out, Result{Type: TypeError, Code: CodeMessagePayloadIncompatible,
			Message:     "Message payload does not match the schema in the spec: " + e.message,
			MockDetails: mock(in, loc+instancePath(e.instance), valueAt(v, e.instance)),
			SpecDetails: &SpecDetails{Location: id + "." + e.keyword}})
	}
	return out
}

func (a *asyncAPI) headers(in *pact.Interaction, m *asyncapi.Message, c content, u use, loc string) []Result {
	if m.Headers == nil || c.metadata == nil {
		return nil
	}
	v := jsonValue(c.metadata)
	id := m.Path + ".headers"
	sch, err := a.schemas.compile(id, m.Headers, u)
	var out []Result
	for _, e := range violationsOf(sch, err, v) {
		out = append(out, Result{Type: TypeError, Code: CodeMessageHeadersIncompatible,
			Message:     "Message metadata does not match the headers schema in the spec: " + e.message,
			MockDetails: mock(in, loc+instancePath(e.instance), valueAt(v, e.instance)),
			SpecDetails: &SpecDetails{Location: id + "." + e.keyword}})
	}
	return out
}

func violationsOf(sch *jsonschema.Schema, err error, v any) []violation {
	if err != nil {
		return []violation{{message: err.Error()}}
	}
	return validate(sch, v)
}

// jsonValue converts a Go value decoded without UseNumber into the form
// the validator reads (numbers as json.Number).
func jsonValue(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	out, err := decodeJSON(b)
	if err != nil {
		return v
	}
	return out
}
