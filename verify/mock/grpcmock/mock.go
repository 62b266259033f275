package grpcmock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"sort"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/proto"
	"github.com/contracts-dev/contracts/verify/grpcverify"
	"github.com/contracts-dev/contracts/verify/mock"
)

// PluginVersion is the protobuf plugin version written in
// metadata.plugins[].version: pacts are written in the layout of that
// version, so Pact tools that load the plugin accept them.
const PluginVersion = "0.6.4"

// TB is the part of testing.TB the consumer API uses (a *testing.T
// satisfies it): taking it instead of testing.TB keeps the testing
// package out of programs that link grpcmock.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Mock is a mock gRPC provider for one consumer test: expectations are
// declared with Expect and served on a real gRPC server on 127.0.0.1.
type Mock struct {
	tb        TB
	consumer  string
	provider  string
	files     *proto.Files
	key       string
	set       []byte // serialized FileDescriptorSet
	protoFile string
	pact      *pact.Pact
	srv       *Server
	addr      string
	closeFn   func()
	errs      []error // invalid expectations, guarded by srv.mu
}

var _ mock.PactWriter = (*Mock)(nil)

// MockOption configures a Mock.
type MockOption func(*Mock)

// Between names the consumer and provider of the mock's pact: Pact and
// WritePact use them. Without it WritePact refuses to write.
func Between(consumer, provider string) MockOption {
	return func(m *Mock) { m.consumer, m.provider = consumer, provider }
}

// New compiles protoFiles (resolving imports against importPaths, see
// proto.Load), starts the mock on 127.0.0.1 on a free port, and stops it
// when the test ends. Errors fail the test.
func New(tb TB, protoFiles []string, importPaths []string, opts ...MockOption) *Mock {
	tb.Helper()
	m, err := Open(context.Background(), protoFiles, importPaths, opts...)
	if err != nil {
		tb.Fatalf("grpcmock: %v", err)
	}
	m.tb = tb
	tb.Cleanup(func() { _ = m.Close() })
	return m
}

// Open is New for callers without a testing.TB: the caller must Close the
// mock, and builder errors are reported by Verify instead of failing a test.
func Open(ctx context.Context, protoFiles []string, importPaths []string, opts ...MockOption) (*Mock, error) {
	files, err := proto.Load(ctx, protoFiles, importPaths)
	if err != nil {
		return nil, err
	}
	data, err := proto.DescriptorSet(files)
	if err != nil {
		return nil, err
	}
	src := ""
	if len(protoFiles) > 0 {
		text, err := os.ReadFile(protoFiles[0])
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", protoFiles[0], err)
		}
		src = string(text)
	}
	m := &Mock{
		files:     files,
		key:       proto.DescriptorKey(data),
		set:       data,
		protoFile: src,
		srv:       newServer(nil),
	}
	for _, o := range opts {
		o(m)
	}
	m.pact = &pact.Pact{Spec: pact.V4, Layout: pact.V4}
	if m.pact.Metadata, err = m.metadata(); err != nil {
		return nil, err
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	m.addr = lis.Addr().String()
	m.srv.setURL(m.Target())
	gs := m.srv.GRPCServer()
	go func() { _ = gs.Serve(lis) }()
	m.closeFn = gs.Stop
	return m, nil
}

// Close stops the server.
func (m *Mock) Close() error {
	if m.closeFn != nil {
		m.closeFn()
		m.closeFn = nil
	}
	return nil
}

// Addr is the host:port the mock listens on.
func (m *Mock) Addr() string { return m.addr }

// Target is the mock's address as a grpc:// URL.
func (m *Mock) Target() string { return "grpc://" + m.addr }

// Files are the compiled descriptors of the mock's .proto files.
func (m *Mock) Files() *proto.Files { return m.files }

// Problems lists the calls that went wrong so far and the expectations
// not met yet (see Server.Problems); Verify also reports invalid
// expectations.
func (m *Mock) Problems() []Problem { return m.srv.Problems() }

// Verify checks that every expectation was met and no call was unexpected;
// the error wraps ErrNotOK and lists the problems.
func (m *Mock) Verify() error {
	m.srv.mu.Lock()
	errs := append([]error(nil), m.errs...)
	m.srv.mu.Unlock()
	if len(errs) > 0 {
		lines := make([]string, len(errs))
		for i, err := range errs {
			lines[i] = "  invalid expectation: " + err.Error()
		}
		return fmt.Errorf("%w:\n%s", ErrNotOK, strings.Join(lines, "\n"))
	}
	return m.srv.Verify()
}

func (m *Mock) metadata() (map[string]json.RawMessage, error) {
	version, err := json.Marshal(map[string]any{"version": "4.0"})
	if err != nil {
		return nil, fmt.Errorf("pact metadata pactSpecification: %w", err)
	}
	return map[string]json.RawMessage{
		"pactSpecification": version,
		"plugins":           proto.PluginsMetadata(PluginVersion, map[string]proto.PluginDescriptors{m.key: {Set: m.set, ProtoFile: &m.protoFile}}),
	}, nil
}

// Expectation is one interaction being declared. Its methods return it for
// chaining; a mistake (unknown field, value of the wrong type) fails the
// test (New) or is reported by Verify (Open).
type Expectation struct {
	m      *Mock
	e      *entry
	method *grpcverify.Method
	broken bool
	// req and resp are the messages last built, for the markup.
	req, resp *builtMessage
}

// Expect declares an interaction calling method, "package.Service/Method"
// (or any form proto.Files.FindMethod accepts).
func (m *Mock) Expect(method string) *Expectation {
	if m.tb != nil {
		m.tb.Helper()
	}
	x := &Expectation{m: m}
	md, err := m.files.FindMethod(method)
	if err != nil {
		x.fail(err)
		x.broken = true
		return x
	}
	x.method = &grpcverify.Method{
		Files:         m.files,
		Desc:          md,
		Path:          "/" + string(md.Parent().FullName()) + "/" + string(md.Name()),
		DescriptorKey: m.key,
	}
	service := "." + string(md.Parent().FullName()) + "/" + string(md.Name())
	cfg := proto.PluginConfig{DescriptorKey: m.key, Service: service}.JSON()
	in := &pact.Interaction{
		Type:                pact.SyncMessage,
		Transport:           "grpc",
		PluginConfiguration: map[string]json.RawMessage{proto.PluginName: cfg},
		MessageRequest:      &pact.Message{},
	}
	x.e = &entry{pact: m.pact, in: in, method: x.method}
	// The request and response start as empty messages.
	x.setContents(in.MessageRequest, md.Input(), map[string]any{})
	in.MessageResponses = []*pact.Message{{}}
	x.setContents(in.MessageResponses[0], md.Output(), map[string]any{})
	x.markup()
	m.srv.mu.Lock()
	m.srv.entries = append(m.srv.entries, x.e)
	m.pact.Interactions = append(m.pact.Interactions, in)
	m.srv.mu.Unlock()
	return x
}

func (x *Expectation) fail(err error) {
	if x.m.tb != nil {
		x.m.tb.Helper()
		x.m.tb.Errorf("grpcmock: %v", err)
	}
	x.m.srv.mu.Lock()
	x.m.errs = append(x.m.errs, err)
	x.m.srv.mu.Unlock()
}

// edit runs fn on the interaction under the server's lock.
func (x *Expectation) edit(fn func(in *pact.Interaction) error) *Expectation {
	if x.broken {
		return x
	}
	x.m.srv.mu.Lock()
	err := fn(x.e.in)
	x.m.srv.mu.Unlock()
	if err != nil {
		if x.m.tb != nil {
			x.m.tb.Helper()
		}
		x.fail(fmt.Errorf("%s: %w", x.method.Path, err))
	}
	return x
}

// Given adds a provider state with optional parameters.
func (x *Expectation) Given(state string, params map[string]any) *Expectation {
	return x.edit(func(in *pact.Interaction) error {
		in.ProviderStates = append(in.ProviderStates, pact.ProviderState{Name: state, Params: params})
		return nil
	})
}

// UponReceiving sets the interaction's description.
func (x *Expectation) UponReceiving(description string) *Expectation {
	return x.edit(func(in *pact.Interaction) error {
		in.Description = description
		return nil
	})
}

// WithRequest sets the request message: a map keyed by field names (proto
// or JSON names) whose values may be Terms.
func (x *Expectation) WithRequest(v map[string]any) *Expectation {
	return x.edit(func(in *pact.Interaction) error {
		err := x.setContents(in.MessageRequest, x.method.Desc.Input(), v)
		x.markup()
		return err
	})
}

// WithRequestMetadata sets request metadata the call must carry; values
// may be Terms.
func (x *Expectation) WithRequestMetadata(md map[string]any) *Expectation {
	return x.edit(func(in *pact.Interaction) error {
		setMetadata(in.MessageRequest, md)
		return nil
	})
}

// WillRespondWith sets the response message, like WithRequest.
func (x *Expectation) WillRespondWith(v map[string]any) *Expectation {
	return x.edit(func(in *pact.Interaction) error {
		r := in.MessageResponses[0]
		err := x.setContents(r, x.method.Desc.Output(), v)
		x.markup()
		return err
	})
}

// WillStream sets the messages a server-streaming method sends, in order,
// each like WithRequest's value. Response metadata and matching rules of
// metadata belong to the first message.
func (x *Expectation) WillStream(values ...map[string]any) *Expectation {
	return x.edit(func(in *pact.Interaction) error {
		if !x.method.Desc.IsStreamingServer() {
			return fmt.Errorf("WillStream: the method does not stream from the server")
		}
		if len(values) == 0 {
			return fmt.Errorf("WillStream: no messages")
		}
		first := in.MessageResponses[0]
		out := make([]*pact.Message, len(values))
		for i, v := range values {
			msg := &pact.Message{}
			if i == 0 {
				msg = first
			}
			if err := x.setContents(msg, x.method.Desc.Output(), v); err != nil {
				return fmt.Errorf("message %d: %w", i, err)
			}
			out[i] = msg
		}
		in.MessageResponses = out
		x.markup()
		return nil
	})
}

// WithResponseMetadata sets response metadata (sent as headers, or as
// trailers with a failure); values may be Terms.
func (x *Expectation) WithResponseMetadata(md map[string]any) *Expectation {
	return x.edit(func(in *pact.Interaction) error {
		setMetadata(in.MessageResponses[0], md)
		return nil
	})
}

// WillFailWith makes the call fail with code and message, written as the
// protobuf plugin does in the response metadata ("grpc-status" with the
// code's name, matched by equality, and "grpc-message", matched by type).
func (x *Expectation) WillFailWith(code codes.Code, message string) *Expectation {
	return x.edit(func(in *pact.Interaction) error {
		r := in.MessageResponses[0]
		if r.Metadata == nil {
			r.Metadata = map[string]any{}
		}
		r.Metadata["grpc-status"] = grpcverify.CodeName(code)
		r.Metadata["grpc-message"] = message
		if r.Rules == nil {
			r.Rules = pact.MatchingRules{}
		}
		if r.Rules[pact.CategoryMetadata] == nil {
			r.Rules[pact.CategoryMetadata] = map[string]pact.RuleList{}
		}
		r.Rules[pact.CategoryMetadata]["grpc-status"] = pact.RuleList{Combine: "AND", Matchers: []pact.Matcher{{Type: "equality"}}}
		r.Rules[pact.CategoryMetadata]["grpc-message"] = pact.RuleList{Combine: "AND", Matchers: []pact.Matcher{{Type: "type"}}}
		return nil
	})
}

// setContents builds msg's contents from v (a value with Terms) as a
// message of type md, with its body rules.
func (x *Expectation) setContents(msg *pact.Message, md protoreflect.MessageDescriptor, v map[string]any) error {
	b := &builder{rules: map[string]pact.RuleList{}}
	example, err := b.message(md, v, "$")
	if err != nil {
		return err
	}
	dm, err := x.m.files.FromValue(md, example)
	if err != nil {
		return err
	}
	data, err := encodeGiven(dm, asMap(example))
	if err != nil {
		return err
	}
	ct := "application/protobuf;message=." + string(md.FullName())
	msg.Contents = pact.Body{State: pact.BodyPresent, Content: data, ContentType: ct, ContentTypeHint: "BINARY", Encoded: "base64"}
	if msg.Metadata == nil {
		msg.Metadata = map[string]any{}
	}
	msg.Metadata["contentType"] = ct
	if msg.Rules == nil {
		msg.Rules = pact.MatchingRules{}
	}
	delete(msg.Rules, pact.CategoryBody)
	if len(b.rules) > 0 {
		msg.Rules[pact.CategoryBody] = b.rules
	}
	if msg.Gen != nil {
		delete(msg.Gen, pact.CategoryBody)
	}
	if len(b.gens) > 0 {
		if msg.Gen == nil {
			msg.Gen = pact.Generators{}
		}
		msg.Gen[pact.CategoryBody] = b.gens
	}
	msg.Extra = nil
	msg.Orig = nil
	x.built(msg, dm, asMap(example))
	return nil
}

// setMetadata adds metadata (names lower-cased, as gRPC sends them) and
// its rules to msg.
func setMetadata(msg *pact.Message, md map[string]any) {
	b := &builder{rules: map[string]pact.RuleList{}}
	lower := make(map[string]any, len(md))
	for k, v := range md {
		lower[strings.ToLower(k)] = v
	}
	values := b.metadataValues(lower)
	if msg.Metadata == nil {
		msg.Metadata = map[string]any{}
	}
	for k, v := range values {
		msg.Metadata[k] = v
	}
	if len(b.rules) == 0 {
		return
	}
	if msg.Rules == nil {
		msg.Rules = pact.MatchingRules{}
	}
	if msg.Rules[pact.CategoryMetadata] == nil {
		msg.Rules[pact.CategoryMetadata] = map[string]pact.RuleList{}
	}
	for k, r := range b.rules {
		msg.Rules[pact.CategoryMetadata][k] = r
	}
	if len(b.gens) == 0 {
		return
	}
	if msg.Gen == nil {
		msg.Gen = pact.Generators{}
	}
	if msg.Gen[pact.CategoryMetadata] == nil {
		msg.Gen[pact.CategoryMetadata] = map[string]pact.Generator{}
	}
	for k, g := range b.gens {
		msg.Gen[pact.CategoryMetadata][k] = g
	}
}

// built remembers the message last built for the request or response, for
// the interaction markup.
func (x *Expectation) built(msg *pact.Message, dm *dynamicpb.Message, given map[string]any) {
	if x.e == nil {
		return
	}
	b := &builtMessage{md: dm.Descriptor(), given: given}
	switch {
	case msg == x.e.in.MessageRequest:
		x.req = b
	case len(x.e.in.MessageResponses) == 0 || msg == x.e.in.MessageResponses[0]:
		x.resp = b
	}
}

// builtMessage is a message type with the fields an expectation gives.
type builtMessage struct {
	md    protoreflect.MessageDescriptor
	given map[string]any
}

// markup writes the interaction markup the way the plugin does: one
// protobuf block per message listing the fields given, by number.
func (x *Expectation) markup() {
	var sb strings.Builder
	for _, b := range []*builtMessage{x.req, x.resp} {
		if b != nil {
			sb.WriteString(messageMarkup(b))
		}
	}
	data, _ := json.Marshal(map[string]string{"markup": sb.String(), "markupType": "COMMON_MARK"})
	x.e.in.InteractionMarkup = data
}

func messageMarkup(b *builtMessage) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "```protobuf\nmessage %s {\n", b.md.Name())
	fields := b.md.Fields()
	ordered := make([]protoreflect.FieldDescriptor, 0, fields.Len())
	for i := 0; i < fields.Len(); i++ {
		if _, ok := b.given[string(fields.Get(i).Name())]; ok {
			ordered = append(ordered, fields.Get(i))
		}
	}
	sort.Slice(ordered, func(i, j int) bool { return ordered[i].Number() < ordered[j].Number() })
	for _, fd := range ordered {
		switch {
		case fd.IsMap():
			fmt.Fprintf(&sb, "    map<%s, %s> %s = %d;\n", typeName(fd.MapKey()), typeName(fd.MapValue()), fd.Name(), fd.Number())
		case fd.IsList():
			fmt.Fprintf(&sb, "    repeated %s %s = %d;\n", typeName(fd), fd.Name(), fd.Number())
		default:
			fmt.Fprintf(&sb, "    %s %s = %d;\n", typeName(fd), fd.Name(), fd.Number())
		}
	}
	sb.WriteString("}\n```\n")
	return sb.String()
}

// asMap is v as an object, or nil.
func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func typeName(fd protoreflect.FieldDescriptor) string {
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return "message ." + string(fd.Message().FullName())
	case protoreflect.EnumKind:
		return "enum ." + string(fd.Enum().FullName())
	}
	return fd.Kind().String()
}

// Pact returns the pact of every expectation declared, in the protobuf
// plugin's layout, between the consumer and provider named by Between.
func (m *Mock) Pact() *pact.Pact {
	m.srv.mu.Lock()
	defer m.srv.mu.Unlock()
	p := *m.pact
	p.Consumer = pact.Pacticipant{Name: m.consumer}
	p.Provider = pact.Pacticipant{Name: m.provider}
	p.Interactions = append([]*pact.Interaction(nil), m.pact.Interactions...)
	return &p
}

// WritePact writes the pact of every expectation to
// dir/<consumer>-<provider>.json (mock.PactPath, names given by Between),
// but only when Verify finds nothing wrong; it returns the path written.
func (m *Mock) WritePact(dir string) ([]string, error) {
	if m.consumer == "" || m.provider == "" {
		return nil, errors.New("write pact: the mock has no consumer and provider names: create it with grpcmock.Between(consumer, provider)")
	}
	if err := m.Verify(); err != nil {
		return nil, fmt.Errorf("write pact: %w", err)
	}
	data, err := pact.Write(m.Pact(), pact.V4)
	if err != nil {
		return nil, fmt.Errorf("write pact: %w", err)
	}
	path, err := mock.WritePactFile(dir, m.consumer, m.provider, data)
	if err != nil {
		return nil, err
	}
	return []string{path}, nil
}
