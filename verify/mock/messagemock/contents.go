package messagemock

import (
	"encoding/json"
	"fmt"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/proto"
)

// Contents is a message payload: its bytes, content type, and the rules
// and generators its matchers carry.
type Contents struct {
	body  pact.Body
	rules map[string]pact.RuleList
	gens  map[string]pact.Generator
	err   error
	// proto is set for protobuf contents.
	proto *protoSchema
}

// protoSchema is the schema of protobuf contents as the Pact protobuf
// plugin records it: a base64 FileDescriptorSet under a descriptor key
// (the MD5 of the set, hex), and the message's full name.
type protoSchema struct {
	key, message string
	descriptors  []byte // serialized FileDescriptorSet
}

// JSON is a JSON payload built from a template: maps, slices and scalars
// (anything encoding/json writes), where any value may be a Matcher.
func JSON(template any) Contents {
	t := newTemplate()
	v := t.walk(template, pact.Path{pact.Root()})
	data, err := json.Marshal(v)
	if err != nil {
		return Contents{err: fmt.Errorf("JSON contents: %w", err)}
	}
	return Contents{body: pact.NewBody(data, pact.ContentTypeJSON), rules: t.rules, gens: t.gens}
}

// XML is an XML payload, compared as XML by the verifier.
func XML(doc string) Contents {
	return Contents{body: pact.NewBody([]byte(doc), pact.ContentTypeXML)}
}

// Text is a plain text payload.
func Text(s string) Contents {
	return Contents{body: pact.NewBody([]byte(s), pact.ContentTypeText)}
}

// Binary is a payload of bytes of contentType (application/octet-stream
// when empty), compared byte for byte unless a content type matcher is
// added.
func Binary(data []byte, contentType string) Contents {
	if contentType == "" {
		contentType = pact.ContentTypeBinary
	}
	return Contents{body: pact.NewBody(data, contentType)}
}

// Protobuf is a protobuf payload: the message named message (see
// proto.Files.FindMessage) built from a template as in JSON (fields by
// their proto names), encoded in the protobuf binary format, with content
// type "application/protobuf; message=.<full name>" as the Pact protobuf
// plugin writes it. The pact holds the bytes base64 encoded, and the
// schema in its metadata; matchers are recorded at the template's paths.
func Protobuf(files *proto.Files, message string, template any) Contents {
	md, err := files.FindMessage(message)
	if err != nil {
		return Contents{err: fmt.Errorf("protobuf contents: %w", err)}
	}
	t := newTemplate()
	v := t.walk(template, pact.Path{pact.Root()})
	// Through JSON, so that numbers and nested values take the decoded-JSON
	// form the converter reads.
	data, err := json.Marshal(v)
	if err != nil {
		return Contents{err: fmt.Errorf("protobuf contents: %w", err)}
	}
	var decoded any
	if err := json.Unmarshal(data, &decoded); err != nil {
		return Contents{err: fmt.Errorf("protobuf contents: %w", err)}
	}
	bin, err := files.ValueToBinary(string(md.FullName()), decoded)
	if err != nil {
		return Contents{err: fmt.Errorf("protobuf contents %s: %w", md.FullName(), err)}
	}
	schema, err := newProtoSchema(files, "."+string(md.FullName()))
	if err != nil {
		return Contents{err: fmt.Errorf("protobuf contents: %w", err)}
	}
	ct := "application/protobuf; message=." + string(md.FullName())
	b := pact.NewBody(bin, ct)
	b.Encoded = "base64"
	return Contents{body: b, rules: t.rules, gens: t.gens, proto: schema}
}

func newProtoSchema(files *proto.Files, message string) (*protoSchema, error) {
	data, err := proto.DescriptorSet(files)
	if err != nil {
		return nil, err
	}
	return &protoSchema{key: proto.DescriptorKey(data), descriptors: data, message: message}, nil
}

// FromBody is a payload given in the pact model (for content the helpers
// above do not build), with no rules.
func FromBody(b pact.Body) Contents { return Contents{body: b} }

// apply sets m's contents, rules and generators from c (and, for
// protobuf contents, the interaction's plugin configuration).
func (c Contents) apply(cm *common, m *pact.Message) error {
	if c.err != nil {
		return c.err
	}
	if c.proto != nil {
		cfg := proto.PluginConfig{DescriptorKey: c.proto.key, Message: c.proto.message}.JSON()
		if cm.in.PluginConfiguration == nil {
			cm.in.PluginConfiguration = map[string]json.RawMessage{}
		}
		cm.in.PluginConfiguration[proto.PluginName] = cfg
		if cm.protos == nil {
			cm.protos = map[string][]byte{}
		}
		cm.protos[c.proto.key] = c.proto.descriptors
	}
	m.Contents = c.body
	for k, rl := range c.rules {
		addRule(&m.Rules, pact.CategoryBody, k, rl)
	}
	for k, g := range c.gens {
		addGen(&m.Gen, pact.CategoryBody, k, g)
	}
	return nil
}

// metadata sets m's metadata from a template whose values may be matchers
// (rules and generators keyed by the metadata name).
func metadata(m *pact.Message, md map[string]any) {
	if len(md) == 0 {
		return
	}
	if m.Metadata == nil {
		m.Metadata = map[string]any{}
	}
	for k, v := range md {
		t := newTemplate()
		m.Metadata[k] = t.walk(v, pact.Path{pact.Field(k)})
		for key, rl := range t.rules {
			addRule(&m.Rules, pact.CategoryMetadata, key, rl)
		}
		for key, g := range t.gens {
			addGen(&m.Gen, pact.CategoryMetadata, key, g)
		}
	}
}

func addRule(rules *pact.MatchingRules, cat, key string, rl pact.RuleList) {
	if *rules == nil {
		*rules = pact.MatchingRules{}
	}
	if (*rules)[cat] == nil {
		(*rules)[cat] = map[string]pact.RuleList{}
	}
	(*rules)[cat][key] = rl
}

func addGen(gens *pact.Generators, cat, key string, g pact.Generator) {
	if *gens == nil {
		*gens = pact.Generators{}
	}
	if (*gens)[cat] == nil {
		(*gens)[cat] = map[string]pact.Generator{}
	}
	(*gens)[cat][key] = g
}

// merge adds rules and generators given in the pact model.
func merge(m *pact.Message, rules pact.MatchingRules, gens pact.Generators) {
	for cat, byKey := range rules {
		for k, rl := range byKey {
			addRule(&m.Rules, cat, k, rl)
		}
	}
	for cat, byKey := range gens {
		for k, g := range byKey {
			addGen(&m.Gen, cat, k, g)
		}
	}
}
