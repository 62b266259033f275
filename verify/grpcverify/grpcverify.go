// Package grpcverify replays gRPC interactions of pact files against a
// running gRPC provider, without generated code or plugin binaries.
//
// It reads the layout the Pact protobuf plugin writes: interactions of type
// "Synchronous/Messages" with transport "grpc", whose
// pluginConfiguration.protobuf names the method ("service") and the
// descriptor set ("descriptorKey") kept base64-encoded in
// metadata.plugins[].configuration[<key>].protoDescriptors. The request
// contents (protobuf binary) are sent with the request metadata; the
// response message, converted to a JSON-like value keyed by proto field
// names, is compared with the expected contents under the response's
// matching rules, so mismatches are reported at paths such as
// "$.rectangle.length". An expected "grpc-status" other than OK in the
// response metadata means the call must fail with that status (and
// "grpc-message", when given, is matched against the status message);
// status mismatches are reported with kind match.KindStatus at path
// "grpc-status".
//
//	t, err := grpcverify.New("grpc://localhost:5555", grpcverify.Options{})
//	defer t.Close()
//	report, err := verify.Verify(ctx, verify.Config{
//		Transports: map[string]verify.Transport{"grpc": t},
//	}, sources)
//
// Unary and server-streaming methods are replayed; client and
// bidirectional streaming interactions fail as unsupported.
package grpcverify

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/generate"
	"github.com/contracts-dev/contracts/formats/pact/match"
	"github.com/contracts-dev/contracts/formats/proto"
	"github.com/contracts-dev/contracts/verify"
)

// Options configure a Transport.
type Options struct {
	// Timeout bounds each call; 0 means verify.DefaultRequestTimeout.
	Timeout time.Duration
	// Metadata is added to every call, replacing request metadata of the
	// same name from the contract (e.g. authorization).
	Metadata metadata.MD
	// DialOptions are passed to grpc.NewClient after the transport
	// credentials (plaintext for grpc:// and host:port targets, TLS for
	// grpcs://), so they may replace them.
	DialOptions []grpc.DialOption
}

// Transport verifies gRPC interactions over one client connection. It
// implements verify.Transport and is safe for concurrent use.
type Transport struct {
	conn     *grpc.ClientConn
	opts     Options
	resolver Resolver
}

var _ verify.Transport = (*Transport)(nil)

// New returns a Transport calling the provider at target: "grpc://host:port"
// or "host:port" (plaintext), or "grpcs://host:port" (TLS). The connection
// is made lazily, on the first call, and shared by all calls.
func New(target string, opts Options) (*Transport, error) {
	addr, creds, err := parseTarget(target)
	if err != nil {
		return nil, err
	}
	dial := append([]grpc.DialOption{grpc.WithTransportCredentials(creds)}, opts.DialOptions...)
	conn, err := grpc.NewClient(addr, dial...)
	if err != nil {
		return nil, fmt.Errorf("grpc target %q: %w", target, err)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = verify.DefaultRequestTimeout
	}
	return &Transport{conn: conn, opts: opts}, nil
}

func parseTarget(target string) (string, credentials.TransportCredentials, error) {
	t := strings.TrimSpace(target)
	creds := insecure.NewCredentials()
	switch {
	case strings.HasPrefix(t, "grpc://"):
		t = strings.TrimPrefix(t, "grpc://")
	case strings.HasPrefix(t, "grpcs://"):
		t = strings.TrimPrefix(t, "grpcs://")
		creds = credentials.NewTLS(&tls.Config{MinVersion: tls.VersionTLS12})
	case strings.Contains(t, "://"):
		return "", nil, fmt.Errorf("grpc target %q: want grpc://host:port, grpcs://host:port or host:port", target)
	}
	t = strings.TrimSuffix(t, "/")
	if t == "" || strings.Contains(t, "/") {
		return "", nil, fmt.Errorf("grpc target %q: want grpc://host:port, grpcs://host:port or host:port", target)
	}
	return t, creds, nil
}

// Close closes the client connection.
func (t *Transport) Close() error { return t.conn.Close() }

// Verify replays one gRPC interaction.
func (t *Transport) Verify(ctx context.Context, call verify.Call) verify.Outcome {
	in := call.Interaction
	if in.Type != pact.SyncMessage {
		return verify.Outcome{Err: fmt.Errorf("interaction %q: type %s: %w", in.Description, in.Type, ErrUnsupported)}
	}
	m, err := t.resolver.Resolve(call.Pact, in)
	if err != nil {
		return verify.Outcome{Err: err}
	}
	if m.Desc.IsStreamingClient() {
		return verify.Outcome{Err: fmt.Errorf("interaction %q: method %s streams from the client: %w", in.Description, m.Path, ErrUnsupported)}
	}
	if in.MessageRequest == nil {
		return verify.Outcome{Err: fmt.Errorf("interaction %q: request is missing", in.Description)}
	}
	req, err := decodeContents(m.Files, m.Desc.Input(), in.MessageRequest.Contents)
	if err != nil {
		return verify.Outcome{Err: fmt.Errorf("interaction %q: request contents: %w", in.Description, err)}
	}
	reqMD := in.MessageRequest.Metadata
	var warnings []string
	if len(in.MessageRequest.Gen) > 0 {
		var warn error
		req, reqMD, warn, err = t.generate(m, req, in.MessageRequest, call.StateValues)
		if err != nil {
			return verify.Outcome{Err: fmt.Errorf("interaction %q: request generators: %w", in.Description, err)}
		}
		if warn != nil {
			warnings = append(warnings, fmt.Sprintf("request generators: %v", warn))
		}
	}
	md := OutgoingMetadata(reqMD)
	for k, v := range t.opts.Metadata {
		md[k] = v
	}
	cctx, cancel := context.WithTimeout(metadata.NewOutgoingContext(ctx, md), t.opts.Timeout)
	defer cancel()

	var header, trailer metadata.MD
	var replies []*dynamicpb.Message
	if m.Desc.IsStreamingServer() {
		replies, header, trailer, err = t.serverStream(cctx, m, req)
	} else {
		reply := dynamicpb.NewMessage(m.Desc.Output())
		err = t.conn.Invoke(cctx, m.Path, req, reply, grpc.Header(&header), grpc.Trailer(&trailer))
		if err == nil {
			replies = []*dynamicpb.Message{reply}
		}
	}
	st, ok := status.FromError(err)
	if !ok || err != nil && ctx.Err() != nil {
		return verify.Outcome{Err: fmt.Errorf("call %s: %w", m.Path, err)}
	}
	if st.Code() == codes.Unavailable && t.conn.GetState() == connectivity.TransientFailure && !expectsCode(in, st.Code()) {
		// No connection could be made at all (nothing listens, unknown
		// host): a run where no interaction gets further could not run.
		return verify.Outcome{Err: fmt.Errorf("call %s: %w: %w", m.Path, verify.ErrUnreachable, err)}
	}
	if (st.Code() == codes.Unavailable || st.Code() == codes.DeadlineExceeded) && !expectsCode(in, st.Code()) {
		// The provider could not be reached or did not answer in time: the
		// interaction was not exercised.
		return verify.Outcome{Err: fmt.Errorf("call %s: %w", m.Path, err)}
	}
	actualMD := IncomingMetadata(header, trailer)
	actualMD["grpc-status"] = CodeName(st.Code())
	if st.Code() != codes.OK {
		actualMD["grpc-message"] = st.Message()
	}
	out := CompareResponses(m, in.MessageResponses, replies, actualMD)
	out.Warnings = append(warnings, out.Warnings...)
	return out
}

// generate applies the request's generators (provider mode: ProviderState
// values from the state change calls, random values, dates) to the request
// message, as a JSON-like value keyed by proto field names, and to its
// metadata. warn reports generators that could not produce a value (their
// targets keep the contract's values).
func (t *Transport) generate(m *Method, req *dynamicpb.Message, msg *pact.Message, state map[string]any) (_ *dynamicpb.Message, md map[string]any, warn, err error) {
	v, err := m.Files.ToValue(req, proto.ValueOptions{})
	if err != nil {
		return nil, nil, nil, err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, nil, nil, err
	}
	asJSON := &pact.Message{
		Contents: pact.Body{State: pact.BodyPresent, Content: data, ContentType: "application/json"},
		Metadata: msg.Metadata,
		Gen:      msg.Gen,
	}
	out, warn := generate.Message(asJSON, generate.Context{Mode: generate.Provider, ProviderState: state})
	var gv any
	if err := json.Unmarshal(out.Contents.Content, &gv); err != nil {
		return nil, nil, nil, err
	}
	gen, err := m.Files.FromValue(m.Desc.Input(), gv)
	if err != nil {
		return nil, nil, nil, err
	}
	return gen, out.Metadata, warn, nil
}

func expectsCode(in *pact.Interaction, c codes.Code) bool {
	for _, r := range in.MessageResponses {
		if s, ok := r.Metadata["grpc-status"].(string); ok {
			if want, ok := ParseCode(s); ok && want == c {
				return true
			}
		}
	}
	return false
}

func (t *Transport) serverStream(ctx context.Context, m *Method, req *dynamicpb.Message) ([]*dynamicpb.Message, metadata.MD, metadata.MD, error) {
	cs, err := t.conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true}, m.Path)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := cs.SendMsg(req); err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, nil, err
	}
	if err := cs.CloseSend(); err != nil {
		return nil, nil, nil, err
	}
	var out []*dynamicpb.Message
	for {
		reply := dynamicpb.NewMessage(m.Desc.Output())
		err := cs.RecvMsg(reply)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			header, _ := cs.Header()
			return out, header, cs.Trailer(), err
		}
		out = append(out, reply)
	}
	header, _ := cs.Header()
	return out, header, cs.Trailer(), nil
}

// decodeContents decodes protobuf contents as a message of type md (or of
// the type its content type names, when that is the same message).
func decodeContents(files *proto.Files, md protoreflect.MessageDescriptor, b pact.Body) (*dynamicpb.Message, error) {
	if name := proto.ContentTypeMessage(b.ContentType); name != "" {
		named, err := files.FindMessage(name)
		if err != nil {
			return nil, fmt.Errorf("content type %q: %w", b.ContentType, err)
		}
		if named.FullName() != md.FullName() {
			return nil, fmt.Errorf("content type %q names %s but the method takes %s", b.ContentType, named.FullName(), md.FullName())
		}
	}
	return files.Unmarshal(md, b.Content)
}

// contentTypeKeys are the metadata keys that carry the contents' type in
// pact files; they describe the payload, not gRPC metadata.
func isContentTypeKey(k string) bool {
	switch strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(k, "-", ""), "_", "")) {
	case "contenttype":
		return true
	}
	return false
}

// OutgoingMetadata turns the request metadata of a pact message into gRPC
// metadata: content-type keys are left out (they describe the contents),
// keys are lower-cased, strings are sent as they are, other values as their
// JSON text, and values of "-bin" keys are base64-decoded when they are
// base64.
func OutgoingMetadata(md map[string]any) metadata.MD {
	out := metadata.MD{}
	for k, v := range md {
		if isContentTypeKey(k) {
			continue
		}
		key := strings.ToLower(k)
		var vals []any
		if list, ok := v.([]any); ok {
			vals = list
		} else {
			vals = []any{v}
		}
		for _, v := range vals {
			s, ok := v.(string)
			if !ok {
				data, _ := json.Marshal(v)
				s = string(data)
			}
			if strings.HasSuffix(key, "-bin") {
				if data, err := base64.StdEncoding.DecodeString(s); err == nil {
					s = string(data)
				}
			}
			out[key] = append(out[key], s)
		}
	}
	return out
}

// IncomingMetadata merges response headers and trailers into pact message
// metadata: one value stays a string, several are joined with ", ", values
// of "-bin" keys are base64-encoded.
func IncomingMetadata(mds ...metadata.MD) map[string]any {
	joined := metadata.Join(mds...)
	out := make(map[string]any, len(joined))
	for k, vs := range joined {
		if strings.HasSuffix(k, "-bin") {
			enc := make([]string, len(vs))
			for i, v := range vs {
				enc[i] = base64.StdEncoding.EncodeToString([]byte(v))
			}
			vs = enc
		}
		out[k] = strings.Join(vs, ", ")
	}
	return out
}

// CompareResponses compares what a call returned (replies, and metadata
// including "grpc-status" and, for errors, "grpc-message") with the
// expected responses of a gRPC interaction.
func CompareResponses(m *Method, expected []*pact.Message, replies []*dynamicpb.Message, actualMD map[string]any) verify.Outcome {
	var out verify.Outcome
	want := codes.OK
	var first *pact.Message
	if len(expected) > 0 {
		first = expected[0]
	} else {
		first = &pact.Message{}
	}
	if s, ok := first.Metadata["grpc-status"]; ok {
		c, ok := ParseCode(fmt.Sprint(s))
		if !ok {
			out.Err = fmt.Errorf("response metadata grpc-status %q: not a gRPC status", fmt.Sprint(s))
			return out
		}
		want = c
	}
	got, _ := ParseCode(fmt.Sprint(actualMD["grpc-status"]))
	if got != codes.OK || want != codes.OK {
		if want == codes.OK {
			out.Mismatches = append(out.Mismatches, match.Mismatch{
				Kind: match.KindStatus, Path: "grpc-status", Expected: CodeName(want), Actual: CodeName(got),
				Message: fmt.Sprintf("Expected gRPC status OK but the call failed with %s: %s", CodeName(got), actualMD["grpc-message"]),
			})
			return out
		}
		if got == codes.OK {
			out.Mismatches = append(out.Mismatches, match.Mismatch{
				Kind: match.KindStatus, Path: "grpc-status", Expected: CodeName(want), Actual: "OK",
				Message: fmt.Sprintf("Expected gRPC status %s but the call succeeded", CodeName(want)),
			})
			return out
		}
		// An expected failure: only the status and metadata are compared
		// (a failed call has no response message).
		if s, ok := first.Metadata["grpc-status"].(string); ok && isDigits(s) {
			actualMD["grpc-status"] = fmt.Sprint(int(got))
		}
		exp := &pact.Message{Metadata: grpcMetadata(first.Metadata), Rules: first.Rules}
		out.Mismatches = append(out.Mismatches, statusKinds(match.Message(exp, &pact.Message{Metadata: actualMD}))...)
		return out
	}
	if len(replies) != len(expected) && len(expected) > 0 {
		out.Mismatches = append(out.Mismatches, match.Mismatch{
			Kind: match.KindBody, Path: "$", Expected: fmt.Sprint(len(expected)), Actual: fmt.Sprint(len(replies)),
			Message: fmt.Sprintf("Expected %d response messages but received %d", len(expected), len(replies)),
		})
	}
	for i, exp := range expected {
		if i >= len(replies) {
			break
		}
		expJSON, actJSON, ms, err := compareMessage(m, exp, replies[i], actualMD)
		if err != nil {
			out.Err = fmt.Errorf("response %d: %w", i, err)
			return out
		}
		if len(expected) > 1 {
			for j := range ms {
				ms[j].Message = fmt.Sprintf("response %d: %s", i, ms[j].Message)
			}
		}
		out.Mismatches = append(out.Mismatches, ms...)
		if i == 0 || len(out.ExpectedBody) == 0 && len(ms) > 0 {
			out.ExpectedBody, out.ActualBody = expJSON, actJSON
		}
	}
	return out
}

func isDigits(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// statusKinds reports mismatches of the grpc-status metadata as status
// mismatches.
func statusKinds(ms []match.Mismatch) []match.Mismatch {
	for i := range ms {
		if ms[i].Path == "grpc-status" {
			ms[i].Kind = match.KindStatus
		}
	}
	return ms
}

// grpcMetadata is md without the content-type keys.
func grpcMetadata(md map[string]any) map[string]any {
	out := make(map[string]any, len(md))
	for k, v := range md {
		if !isContentTypeKey(k) {
			out[k] = v
		}
	}
	return out
}

// compareMessage compares one reply with one expected response message.
func compareMessage(m *Method, exp *pact.Message, reply *dynamicpb.Message, actualMD map[string]any) (expJSON, actJSON []byte, ms []match.Mismatch, err error) {
	var expValue any = map[string]any{}
	if exp.Contents.State == pact.BodyPresent {
		em, err := decodeContents(m.Files, m.Desc.Output(), exp.Contents)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("expected contents: %w", err)
		}
		if expValue, err = m.Files.ToValue(em, proto.ValueOptions{}); err != nil {
			return nil, nil, nil, fmt.Errorf("expected contents: %w", err)
		}
	}
	// Unset fields of the reply appear with their default values, so a
	// field the provider left at its default is compared as a value, not
	// reported as missing.
	actValue, err := m.Files.ToValue(reply, proto.ValueOptions{EmitUnpopulated: true})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("response message: %w", err)
	}
	// The values are compared as they are (no JSON round trip); contents
	// rules may be filed under "body" or "content".
	rules := exp.Rules
	if content := rules[pact.CategoryContent]; len(content) > 0 {
		merged := make(map[string]pact.RuleList, len(rules[pact.CategoryBody])+len(content))
		for k, v := range content {
			merged[k] = v
		}
		for k, v := range rules[pact.CategoryBody] {
			merged[k] = v
		}
		rules = pact.MatchingRules{pact.CategoryBody: merged}
	}
	ms = match.Value(expValue, actValue, "$", rules, pact.CategoryBody, match.Options{AllowUnexpectedKeys: true})
	expMD := grpcMetadata(exp.Metadata)
	delete(expMD, "grpc-message") // a successful call has no status message
	ms = append(ms, statusKinds(match.Message(&pact.Message{Metadata: expMD, Rules: exp.Rules}, &pact.Message{Metadata: actualMD}))...)
	sort.SliceStable(ms, func(i, j int) bool { return ms[i].Kind == match.KindStatus && ms[j].Kind != match.KindStatus })
	if len(ms) > 0 {
		// The bodies, for the report's diff.
		if expJSON, err = json.Marshal(expValue); err != nil {
			return nil, nil, nil, fmt.Errorf("expected contents: %w", err)
		}
		if actJSON, err = json.Marshal(actValue); err != nil {
			return nil, nil, nil, fmt.Errorf("response message: %w", err)
		}
	}
	return expJSON, actJSON, ms, nil
}
