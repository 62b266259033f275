package breaking

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/contracts-dev/contracts/formats/proto"
)

// The parts of a V4 pact file PactUsage reads. Pact files are read here
// directly, not through formats/pact, so this package depends on the
// protobuf packages only.
type pactFile struct {
	Consumer struct {
		Name string `json:"name"`
	} `json:"consumer"`
	Interactions []pactInteraction `json:"interactions"`
	Messages     []pactInteraction `json:"messages"`
}

type pactInteraction struct {
	Type                string                     `json:"type"`
	Description         string                     `json:"description"`
	PluginConfiguration map[string]json.RawMessage `json:"pluginConfiguration"`
	Request             json.RawMessage            `json:"request"`
	Response            json.RawMessage            `json:"response"`
	// Asynchronous messages carry their contents at the top level.
	pactPart
}

// pactPart is a request, response or message: V4 gRPC and message parts
// hold "contents", HTTP parts "body".
type pactPart struct {
	// Contents and Body are kept raw: before V4 they hold the body itself,
	// any JSON value, not a contents object.
	Contents json.RawMessage `json:"contents"`
	Body     json.RawMessage `json:"body"`
	// MatchingRules is read only for protobuf parts (V3/V4 layout:
	// {"body": {"$.path": ...}}).
	MatchingRules json.RawMessage `json:"matchingRules"`
}

type pactContents struct {
	Content     json.RawMessage `json:"content"`
	ContentType string          `json:"contentType"`
	Encoded     json.RawMessage `json:"encoded"`
}

// contents returns the part's V4 contents object ("contents" or "body"
// with a contentType), or nil when it has none, which includes every
// pre-V4 body.
func (p pactPart) contents() *pactContents {
	for _, raw := range []json.RawMessage{p.Contents, p.Body} {
		if !strings.HasPrefix(strings.TrimSpace(string(raw)), "{") {
			continue
		}
		var c pactContents
		if err := json.Unmarshal(raw, &c); err != nil || c.ContentType == "" {
			continue
		}
		return &c
	}
	return nil
}

// messageParam returns the "message" parameter of the content type, or "".
func (c *pactContents) messageParam() string {
	if c == nil {
		return ""
	}
	return proto.ContentTypeMessage(c.ContentType)
}

func (c *pactContents) isProtobuf() bool {
	return c != nil && strings.Contains(strings.ToLower(c.ContentType), "protobuf")
}

// bytes decodes the part's content: base64 when the pact says it is
// encoded, else the JSON string's text.
func (c *pactContents) bytes() ([]byte, error) {
	if len(c.Content) == 0 || string(c.Content) == "null" {
		return nil, nil
	}
	var s string
	if err := json.Unmarshal(c.Content, &s); err != nil {
		return nil, fmt.Errorf("content is not a string: %s", abbreviate(string(c.Content)))
	}
	var enc any
	_ = json.Unmarshal(c.Encoded, &enc) // absent or malformed means not encoded
	switch e := enc.(type) {
	case string:
		if !strings.EqualFold(e, "base64") {
			return nil, fmt.Errorf("unsupported content encoding %q", e)
		}
	case bool:
		if !e {
			return []byte(s), nil
		}
	default:
		return []byte(s), nil
	}
	data, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("content is not valid base64: %w", err)
	}
	return data, nil
}

func abbreviate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

// PactUsage reads a pact file and returns what each of its protobuf
// interactions uses: the RPC (pluginConfiguration.protobuf.service), the
// fields set in the request and response contents, decoded with the
// descriptors the pact carries, and the fields its body matching rules
// address. schema decodes interactions whose pact carries no descriptors;
// it may be nil. Interactions that are not protobuf are skipped. A pact that
// cannot be read is refused whole, with the interaction and part named.
func PactUsage(pactJSON []byte, schema *proto.Files) ([]InteractionUsage, error) {
	var doc pactFile
	if err := json.Unmarshal(pactJSON, &doc); err != nil {
		return nil, fmt.Errorf("parse pact: %w", err)
	}
	sets, err := proto.PactDescriptors(pactJSON)
	if err != nil {
		return nil, err
	}
	var out []InteractionUsage
	all := append(append([]pactInteraction(nil), doc.Interactions...), doc.Messages...)
	for i, it := range all {
		u, ok, err := interactionUsage(doc.Consumer.Name, it, sets, schema)
		if err != nil {
			return nil, fmt.Errorf("interaction %d %q: %w", i, it.Description, err)
		}
		if ok {
			out = append(out, u)
		}
	}
	return out, nil
}

// AddPact adds the protobuf interactions of a pact file to u (see
// PactUsage). On error u is left unchanged.
func (u *Usage) AddPact(pactJSON []byte, schema *proto.Files) error {
	got, err := PactUsage(pactJSON, schema)
	if err != nil {
		return err
	}
	u.Interactions = append(u.Interactions, got...)
	return nil
}

func interactionUsage(consumer string, it pactInteraction, sets map[string]*proto.Files, schema *proto.Files) (InteractionUsage, bool, error) {
	pc, hasCfg, err := proto.InteractionPluginConfig(it.PluginConfiguration)
	if err != nil {
		return InteractionUsage{}, false, err
	}
	var request pactPart
	if len(it.Request) > 0 {
		if err := json.Unmarshal(it.Request, &request); err != nil {
			return InteractionUsage{}, false, fmt.Errorf("request: %w", err)
		}
	}
	responses, err := responseParts(it.Response)
	if err != nil {
		return InteractionUsage{}, false, err
	}
	isProto := hasCfg || request.contents().isProtobuf() || it.contents().isProtobuf()
	for _, r := range responses {
		isProto = isProto || r.contents().isProtobuf()
	}
	if !isProto {
		return InteractionUsage{}, false, nil
	}
	col, method, err := partsUsage(schemas{cfg: pc, sets: sets, schema: schema}, it, request, responses)
	if err != nil {
		return InteractionUsage{}, false, err
	}
	return col.usage(consumer, it.Description, method), true, nil
}

// schemas finds the descriptors of an interaction's parts: by the
// descriptor key its plugin configuration names, else the pact's only set,
// else the schema given by the caller.
type schemas struct {
	cfg    proto.PluginConfig
	sets   map[string]*proto.Files
	schema *proto.Files
}

func (s schemas) files(key string) (*proto.Files, error) {
	if key == "" {
		key = s.cfg.DescriptorKey
	}
	if f, ok := s.sets[key]; ok {
		return f, nil
	}
	if key == "" && len(s.sets) == 1 {
		for _, f := range s.sets {
			return f, nil
		}
	}
	if s.schema != nil {
		return s.schema, nil
	}
	return nil, fmt.Errorf("no protobuf descriptors for descriptor key %q in the pact's metadata.plugins", key)
}

// message finds the message of a part: the one pm names, else fallback;
// nil when neither names one.
func (s schemas) message(what string, pm *proto.PluginMessage, fallback string) (protoreflect.MessageDescriptor, *proto.Files, error) {
	key, name := "", fallback
	if pm != nil {
		key = pm.DescriptorKey
		if pm.Message != "" {
			name = pm.Message
		}
	}
	if name == "" {
		return nil, nil, nil
	}
	f, err := s.files(key)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	md, err := f.FindMessage(name)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	return md, f, nil
}

// partsUsage collects the fields the parts of a protobuf interaction use:
// the top-level contents of an asynchronous message, the request and each
// response, decoded with the RPC's messages (pluginConfiguration.protobuf
// .service) or the message each part names.
func partsUsage(sc schemas, it pactInteraction, request pactPart, responses []pactPart) (col *collector, method string, err error) {
	col = newCollector()
	var reqMsg, respMsg protoreflect.MessageDescriptor
	var reqFiles, respFiles *proto.Files
	if sc.cfg.Service != "" {
		f, err := sc.files("")
		if err != nil {
			return nil, "", err
		}
		md, err := f.FindMethod(sc.cfg.Service)
		if err != nil {
			return nil, "", fmt.Errorf("pluginConfiguration.protobuf.service: %w", err)
		}
		method = string(md.Parent().FullName()) + "/" + string(md.Name())
		reqMsg, respMsg, reqFiles, respFiles = md.Input(), md.Output(), f, f
	}

	// Asynchronous messages: one part at the top level.
	if it.contents() != nil {
		name := sc.cfg.Message
		if name == "" {
			name = it.contents().messageParam()
		}
		md, f, err := sc.message("message", nil, name)
		if err != nil {
			return nil, "", err
		}
		if err := col.part("contents", it.pactPart, md, f); err != nil {
			return nil, "", err
		}
	}

	if reqMsg == nil {
		if reqMsg, reqFiles, err = sc.message("request", sc.cfg.Request, request.contents().messageParam()); err != nil {
			return nil, "", err
		}
	}
	if err := col.part("request", request, reqMsg, reqFiles); err != nil {
		return nil, "", err
	}
	for i, r := range responses {
		md, f := respMsg, respFiles
		if md == nil {
			if md, f, err = sc.message("response", sc.cfg.Response, r.contents().messageParam()); err != nil {
				return nil, "", err
			}
		}
		what := "response"
		if len(responses) > 1 {
			what = fmt.Sprintf("response[%d]", i)
		}
		if err := col.part(what, r, md, f); err != nil {
			return nil, "", err
		}
	}
	return col, method, nil
}

// responseParts reads "response": an object (HTTP) or an array of
// responses (synchronous messages).
func responseParts(raw json.RawMessage) ([]pactPart, error) {
	trimmed := strings.TrimSpace(string(raw))
	if trimmed == "" || trimmed == "null" {
		return nil, nil
	}
	if strings.HasPrefix(trimmed, "[") {
		var parts []pactPart
		if err := json.Unmarshal(raw, &parts); err != nil {
			return nil, fmt.Errorf("response: %w", err)
		}
		return parts, nil
	}
	var part pactPart
	if err := json.Unmarshal(raw, &part); err != nil {
		return nil, fmt.Errorf("response: %w", err)
	}
	return []pactPart{part}, nil
}

// part records what one request, response or message uses of md.
func (c *collector) part(what string, p pactPart, md protoreflect.MessageDescriptor, files *proto.Files) error {
	if md == nil {
		return nil
	}
	c.messageType(md)
	if ct := p.contents(); ct != nil && ct.isProtobuf() {
		data, err := ct.bytes()
		if err != nil {
			return fmt.Errorf("%s contents: %w", what, err)
		}
		m, err := files.Unmarshal(md, data)
		if err != nil {
			return fmt.Errorf("%s contents: %w", what, err)
		}
		c.message(m)
	}
	if len(p.MatchingRules) > 0 && string(p.MatchingRules) != "null" {
		var rules struct {
			Body map[string]json.RawMessage `json:"body"`
		}
		if err := json.Unmarshal(p.MatchingRules, &rules); err != nil {
			return fmt.Errorf("%s matchingRules: %w", what, err)
		}
		for path := range rules.Body {
			c.path(md, path)
		}
	}
	return nil
}
