// Package asyncapi reads AsyncAPI 3 documents: channels and their
// addresses, operations (action, channel, messages, reply) and the
// messages' payload and header schemas, with local $ref chains resolved.
//
//	doc, err := asyncapi.Parse(data, "orders.asyncapi.yaml")
//	op := doc.Operations["publishOrderCreated"]
//	for _, m := range op.Messages { ... m.Payload ... }
package asyncapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Document is an AsyncAPI 3 document.
type Document struct {
	// Version is the asyncapi field, e.g. "3.0.0".
	Version string
	// Raw is the whole document as JSON values (numbers as json.Number),
	// for schema references.
	Raw map[string]any
	// Operations by operation id.
	Operations map[string]*Operation
	// Channels by channel id.
	Channels map[string]*Channel
}

// Channel is a channel with its address.
type Channel struct {
	ID      string
	Address string
}

// Operation is one operation of the document.
type Operation struct {
	ID string
	// Action is "send" or "receive".
	Action  string
	Channel *Channel
	// Messages the operation sends or receives; when the document lists
	// none, every message of its channel.
	Messages []*Message
	// Reply is nil when the operation has no reply.
	Reply *Reply
}

// Reply is an operation's reply.
type Reply struct {
	Channel  *Channel
	Messages []*Message
}

// Message is a message definition.
type Message struct {
	// Path locates it in the document, e.g. "[root].components.messages.OrderCreated".
	Path        string
	Name        string
	ContentType string
	// Payload and Headers are JSON Schemas (nil when absent), with the
	// document's local references left in place: resolve them against Raw.
	Payload any
	Headers any
	// Raw is the message object.
	Raw map[string]any
}

// Error is a problem in a document, located by a JSON pointer.
type Error struct {
	File    string
	Pointer string
	Msg     string
}

func (e *Error) Error() string {
	where := e.File
	if e.Pointer != "" {
		where += "#" + e.Pointer
	}
	return fmt.Sprintf("%s: %s", where, e.Msg)
}

// Parse reads an AsyncAPI 3 document from YAML or JSON; file names the
// document in errors.
func Parse(data []byte, file string) (*Document, error) {
	var y any
	if err := yaml.Unmarshal(data, &y); err != nil {
		return nil, &Error{File: file, Msg: err.Error()}
	}
	js, err := json.Marshal(y)
	if err != nil {
		return nil, &Error{File: file, Msg: err.Error()}
	}
	d := json.NewDecoder(bytes.NewReader(js))
	d.UseNumber()
	var raw map[string]any
	if err := d.Decode(&raw); err != nil || raw == nil {
		return nil, &Error{File: file, Msg: "not an AsyncAPI document: expected a mapping at the top"}
	}
	version, _ := raw["asyncapi"].(string)
	if !strings.HasPrefix(version, "3.") {
		return nil, &Error{File: file, Pointer: "/asyncapi", Msg: fmt.Sprintf("expected an AsyncAPI 3.x version, got %v", raw["asyncapi"])}
	}
	p := &parser{file: file, raw: raw, msgs: map[string]*Message{}}
	doc := &Document{Version: version, Raw: raw, Operations: map[string]*Operation{}, Channels: map[string]*Channel{}}
	channels, err := p.object(raw["channels"], "/channels", true)
	if err != nil {
		return nil, err
	}
	for _, id := range sortedKeys(channels) {
		ptr := "/channels/" + escape(id)
		ch, _, err := p.resolve(channels[id], ptr)
		if err != nil {
			return nil, err
		}
		addr, _ := ch["address"].(string)
		doc.Channels[id] = &Channel{ID: id, Address: addr}
	}
	ops, err := p.object(raw["operations"], "/operations", true)
	if err != nil {
		return nil, err
	}
	for _, id := range sortedKeys(ops) {
		op, err := p.operation(doc, id, ops[id])
		if err != nil {
			return nil, err
		}
		doc.Operations[id] = op
	}
	return doc, nil
}

type parser struct {
	file string
	raw  map[string]any
	msgs map[string]*Message
}

func (p *parser) fail(ptr, format string, args ...any) error {
	return &Error{File: p.file, Pointer: ptr, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) object(v any, ptr string, optional bool) (map[string]any, error) {
	if v == nil && optional {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, p.fail(ptr, "expected an object, got %s", kindOf(v))
	}
	return m, nil
}

// resolve follows a chain of local $refs from v (found at ptr); it returns
// the object and the pointer of the last reference's target.
func (p *parser) resolve(v any, ptr string) (map[string]any, string, error) {
	seen := map[string]bool{}
	for {
		m, err := p.object(v, ptr, false)
		if err != nil {
			return nil, "", err
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return m, ptr, nil
		}
		if !strings.HasPrefix(ref, "#/") {
			return nil, "", p.fail(ptr+"/$ref", "only references inside the document are supported, got %q", ref)
		}
		if seen[ref] {
			return nil, "", p.fail(ptr+"/$ref", "reference cycle through %q", ref)
		}
		seen[ref] = true
		target, ok := Lookup(p.raw, ref)
		if !ok {
			return nil, "", p.fail(ptr+"/$ref", "reference %q does not resolve", ref)
		}
		v, ptr = target, strings.TrimPrefix(ref, "#")
	}
}

func (p *parser) operation(doc *Document, id string, v any) (*Operation, error) {
	ptr := "/operations/" + escape(id)
	m, ptr, err := p.resolve(v, ptr)
	if err != nil {
		return nil, err
	}
	op := &Operation{ID: id}
	op.Action, _ = m["action"].(string)
	if op.Action != "send" && op.Action != "receive" {
		return nil, p.fail(ptr+"/action", `expected "send" or "receive", got %v`, m["action"])
	}
	chRef, ok := m["channel"]
	if !ok {
		return nil, p.fail(ptr+"/channel", "missing")
	}
	op.Channel, err = p.channel(doc, chRef, ptr+"/channel")
	if err != nil {
		return nil, err
	}
	if list, ok := m["messages"]; ok {
		op.Messages, err = p.messageList(list, ptr+"/messages", id)
		if err != nil {
			return nil, err
		}
	}
	if rv, ok := m["reply"]; ok {
		rm, rptr, err := p.resolve(rv, ptr+"/reply")
		if err != nil {
			return nil, err
		}
		op.Reply = &Reply{}
		if c, ok := rm["channel"]; ok {
			if op.Reply.Channel, err = p.channel(doc, c, rptr+"/channel"); err != nil {
				return nil, err
			}
		}
		if list, ok := rm["messages"]; ok {
			if op.Reply.Messages, err = p.messageList(list, rptr+"/messages", id); err != nil {
				return nil, err
			}
		}
	}
	return op, nil
}

func (p *parser) channel(doc *Document, v any, ptr string) (*Channel, error) {
	m, target, err := p.resolve(v, ptr)
	if err != nil {
		return nil, err
	}
	if id, ok := strings.CutPrefix(target, "/channels/"); ok && !strings.Contains(id, "/") {
		if ch := doc.Channels[unescape(id)]; ch != nil {
			return ch, nil
		}
	}
	addr, _ := m["address"].(string)
	return &Channel{Address: addr}, nil
}

func (p *parser) messageList(v any, ptr, opID string) ([]*Message, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, p.fail(ptr, "expected a list of messages, got %s", kindOf(v))
	}
	var out []*Message
	for i, e := range list {
		eptr := ptr + "/" + strconv.Itoa(i)
		m, target, err := p.resolve(e, eptr)
		if err != nil {
			return nil, err
		}
		if cached, ok := p.msgs[target]; ok {
			out = append(out, cached)
			continue
		}
		msg := &Message{Raw: m, Payload: m["payload"], Headers: m["headers"]}
		msg.Path = "[root]" + strings.ReplaceAll(unescape(target), "/", ".")
		msg.Name, _ = m["name"].(string)
		msg.ContentType, _ = m["contentType"].(string)
		if msg.ContentType == "" {
			msg.ContentType, _ = p.raw["defaultContentType"].(string)
		}
		if pl, ok := msg.Payload.(map[string]any); ok {
			// A multi-format schema object: {schemaFormat, schema}.
			if s, ok := pl["schema"]; ok {
				if _, hasFormat := pl["schemaFormat"]; hasFormat {
					msg.Payload = s
				}
			}
		}
		p.msgs[target] = msg
		out = append(out, msg)
	}
	return out, nil
}

// Lookup resolves a local reference ("#/components/schemas/X") in doc.
func Lookup(doc any, ref string) (any, bool) {
	cur := doc
	p := strings.TrimPrefix(strings.TrimPrefix(ref, "#"), "/")
	if p == "" {
		return doc, true
	}
	for _, tok := range strings.Split(p, "/") {
		tok = unescape(tok)
		switch t := cur.(type) {
		case map[string]any:
			v, ok := t[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(t) {
				return nil, false
			}
			cur = t[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

func escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func unescape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "nothing"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}
