// Package grpcmock is the consumer side of gRPC contracts: a mock gRPC
// provider that serves the gRPC interactions of pact files (FromPacts,
// ServeGRPC, for "contracts mock"), and a Go API for consumer tests (New)
// that declares expectations, serves them on a real gRPC server on
// loopback, and writes the pact in the layout of the Pact protobuf plugin.
//
//	m := grpcmock.New(t, []string{"route_guide.proto"}, nil, grpcmock.Between("route-client", "route-guide"))
//	m.Expect("routeguide.RouteGuide/GetFeature").
//		Given("a feature at 1,2", nil).
//		UponReceiving("a request for the feature at 1,2").
//		WithRequest(map[string]any{"latitude": grpcmock.Integer(1), "longitude": grpcmock.Integer(2)}).
//		WillRespondWith(map[string]any{"name": grpcmock.Like("a name")})
//	// ... call m.Addr() with the client under test ...
//	require.NoError(t, m.Verify())
//	paths, err := m.WritePact("./pacts")
//
// Every server is a grpc-go server with an unknown-service handler: any
// method of the loaded descriptors is served with dynamicpb messages, no
// generated code. A request is matched against the interactions of its
// method under the request's matching rules (unexpected fields are
// mismatches); the first interaction it matches answers with its response
// message(s) and metadata, or with the status its response metadata names
// ("grpc-status", "grpc-message"). Response generators (RandomInt, Regex,
// Date, MockServerURL, ...) are applied in consumer mode to each response
// served, at their paths in the message seen as a value with proto field
// names; Options inject their clock and randomness. A request no
// interaction matches gets codes.Unimplemented (unknown method) or
// codes.InvalidArgument (mismatch) and is recorded as a Problem. When
// nothing went wrong, Server.WritePact writes the interactions that were
// called, in the plugin's layout, beside the HTTP mock's pacts or into
// those named by Server.MergeInto.
package grpcmock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/pact/match"
	"github.com/contracts-dev/contracts/formats/proto"
	"github.com/contracts-dev/contracts/verify"
	"github.com/contracts-dev/contracts/verify/grpcverify"
	"github.com/contracts-dev/contracts/verify/mock"
)

// Problem is one thing the mock saw go wrong. Type uses the HTTP mock's
// identifiers (mock.ProblemUnexpected, mock.ProblemMismatch,
// mock.ProblemMissing).
type Problem struct {
	Type mock.ProblemType `json:"type"`
	// Method is the gRPC path, "/package.Service/Method".
	Method string `json:"method"`
	// Description names the interaction concerned (mismatch, missing).
	Description string `json:"description,omitempty"`
	// Mismatches says how a request differed from the interaction.
	Mismatches []match.Mismatch `json:"mismatches,omitempty"`
}

// String describes the problem in one line.
func (p Problem) String() string {
	switch p.Type {
	case mock.ProblemUnexpected:
		return fmt.Sprintf("unexpected gRPC call received: %s", p.Method)
	case mock.ProblemMismatch:
		ms := make([]string, len(p.Mismatches))
		for i, m := range p.Mismatches {
			ms[i] = m.Path + ": " + m.Message
		}
		return fmt.Sprintf("gRPC call %s did not match interaction %q: %s", p.Method, p.Description, strings.Join(ms, "; "))
	case mock.ProblemMissing:
		return fmt.Sprintf("expected but not received: gRPC call %s (interaction %q)", p.Method, p.Description)
	}
	return string(p.Type)
}

// ErrNotOK is wrapped by Verify's and WritePact's error when the mock saw
// problems: it is the HTTP mock's (mock.ErrNotOK), so one errors.Is check
// covers every mock.
var ErrNotOK = mock.ErrNotOK

// entry is one interaction served.
type entry struct {
	pact   *pact.Pact
	in     *pact.Interaction
	method *grpcverify.Method
	uses   mock.Uses
}

// Server serves gRPC interactions. It is safe for concurrent use.
type Server struct {
	log      *slog.Logger
	mu       sync.Mutex
	entries  []*entry
	problems mock.Ledger[Problem]
	url      string // grpc://host:port once serving, for MockServerURL generators
	// mergeWith holds the absolute paths of the files WritePact merges
	// into (MergeInto).
	mergeWith map[string]bool

	now   func() time.Time
	genMu sync.Mutex // guards rand
	rand  *mrand.Rand
}

// FromPacts returns a Server for the gRPC interactions of pacts (those
// verify.TransportKey names "grpc"). An interaction whose method cannot be
// found in its pact's descriptors is an error; other interactions are
// ignored. logger may be nil.
func FromPacts(pacts []*pact.Pact, logger *slog.Logger) (*Server, error) {
	return NewServer(pacts, Options{Logger: logger})
}

// NewServer is FromPacts with options: the clock and randomness of the
// response generators, applied in consumer mode to every response served.
func NewServer(pacts []*pact.Pact, opts Options) (*Server, error) {
	s := newServer(opts.Logger)
	if opts.Now != nil {
		s.now = opts.Now
	}
	s.rand = opts.Rand
	var r grpcverify.Resolver
	for _, p := range pacts {
		for i, in := range p.Interactions {
			if verify.TransportKey(in) != "grpc" {
				continue
			}
			m, err := r.Resolve(p, in)
			if err != nil {
				return nil, fmt.Errorf("pact %s-%s: $.interactions[%d]: %w", p.Consumer.Name, p.Provider.Name, i, err)
			}
			s.entries = append(s.entries, &entry{pact: p, in: in, method: m})
		}
	}
	return s, nil
}

func newServer(logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Server{log: logger, now: time.Now}
}

// URL is the server's address as a grpc:// URL once Serve has started (or
// the consumer API's mock is open), else "". MockServerURL generators
// use it.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

func (s *Server) setURL(u string) {
	s.mu.Lock()
	s.url = u
	s.mu.Unlock()
}

// ServeGRPC serves the gRPC interactions of pacts on lis until ctx is done;
// it returns nil then, or the error that stopped serving.
func ServeGRPC(ctx context.Context, lis net.Listener, pacts []*pact.Pact, logger *slog.Logger) error {
	s, err := FromPacts(pacts, logger)
	if err != nil {
		return err
	}
	return s.Serve(ctx, lis)
}

// Serve serves on lis until ctx is done; it returns nil then, or the error
// that stopped serving.
func (s *Server) Serve(ctx context.Context, lis net.Listener) error {
	srv := s.GRPCServer()
	s.setURL("grpc://" + lis.Addr().String())
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			srv.Stop()
		case <-done:
		}
	}()
	err := srv.Serve(lis)
	close(done)
	if ctx.Err() != nil || errors.Is(err, grpc.ErrServerStopped) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("serve gRPC on %s: %w", lis.Addr(), err)
	}
	return nil
}

// GRPCServer returns a new grpc-go server answering every method with s.
func (s *Server) GRPCServer(opts ...grpc.ServerOption) *grpc.Server {
	return grpc.NewServer(append(opts, grpc.UnknownServiceHandler(s.handle))...)
}

// Problems lists unexpected and mismatched calls in the order seen, then
// the interactions never called.
func (s *Server) Problems() []Problem {
	out := s.problems.Seen()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.entries {
		if e.uses.Count() == 0 {
			out = append(out, Problem{Type: mock.ProblemMissing, Method: e.method.Path, Description: e.in.Description})
		}
	}
	return out
}

// Verify returns an error wrapping ErrNotOK that lists the problems, or nil.
func (s *Server) Verify() error {
	return mock.Verdict(s.Problems())
}

func (s *Server) record(p Problem) {
	s.problems.Add(p)
	s.log.Warn("gRPC mock problem", "problem", p.String())
}

// handle serves any call.
func (s *Server) handle(_ any, stream grpc.ServerStream) error {
	path, ok := grpc.MethodFromServerStream(stream)
	if !ok {
		return status.Error(codes.Internal, "no method name in the stream")
	}
	s.mu.Lock()
	var cands []*entry
	for _, e := range s.entries {
		if e.method.Path == path {
			cands = append(cands, e)
		}
	}
	s.mu.Unlock()
	if len(cands) == 0 {
		s.record(Problem{Type: mock.ProblemUnexpected, Method: path})
		return status.Errorf(codes.Unimplemented, "no interaction for %s", path)
	}
	m := cands[0].method
	if m.Desc.IsStreamingClient() {
		s.record(Problem{Type: mock.ProblemUnexpected, Method: path})
		return status.Errorf(codes.Unimplemented, "%s streams from the client, which the mock does not serve", path)
	}
	req := dynamicpb.NewMessage(m.Desc.Input())
	if err := stream.RecvMsg(req); err != nil {
		return err
	}
	inMD, _ := metadata.FromIncomingContext(stream.Context())
	actual, err := actualRequest(m, req, inMD)
	if err != nil {
		return status.Error(codes.Internal, err.Error())
	}
	var best *entry
	var bestMs []match.Mismatch
	for _, e := range cands {
		s.mu.Lock()
		ms, err := matchRequest(e, actual)
		s.mu.Unlock()
		if err != nil {
			return status.Error(codes.Internal, err.Error())
		}
		if len(ms) == 0 {
			e.uses.Use()
			s.log.Debug("gRPC call matched", "method", path, "interaction", e.in.Description)
			return s.respond(stream, e)
		}
		if best == nil || len(ms) < len(bestMs) {
			best, bestMs = e, ms
		}
	}
	s.record(Problem{Type: mock.ProblemMismatch, Method: path, Description: best.in.Description, Mismatches: bestMs})
	msgs := make([]string, len(bestMs))
	for i, mm := range bestMs {
		msgs[i] = mm.Path + ": " + mm.Message
	}
	return status.Errorf(codes.InvalidArgument, "request did not match interaction %q: %s", best.in.Description, strings.Join(msgs, "; "))
}

// received is a request as the mock compares it: the message as a value
// with every field present, and the metadata.
type received struct {
	value    any
	metadata map[string]any
}

func actualRequest(m *grpcverify.Method, req *dynamicpb.Message, md metadata.MD) (*received, error) {
	v, err := m.Files.ToValue(req, proto.ValueOptions{EmitUnpopulated: true})
	if err != nil {
		return nil, fmt.Errorf("request: %w", err)
	}
	return &received{value: v, metadata: grpcverify.IncomingMetadata(md)}, nil
}

// matchRequest compares a received request with e's expected request:
// unexpected fields are mismatches. The caller holds s.mu (the consumer API
// may still be building e).
func matchRequest(e *entry, actual *received) ([]match.Mismatch, error) {
	exp := e.in.MessageRequest
	if exp == nil {
		return nil, nil
	}
	var v any = map[string]any{}
	if exp.Contents.State == pact.BodyPresent {
		msg, err := e.method.Files.Unmarshal(e.method.Desc.Input(), exp.Contents.Content)
		if err != nil {
			return nil, fmt.Errorf("interaction %q: request contents: %w", e.in.Description, err)
		}
		if v, err = e.method.Files.ToValue(msg, proto.ValueOptions{EmitUnpopulated: true}); err != nil {
			return nil, fmt.Errorf("interaction %q: request contents: %w", e.in.Description, err)
		}
	}
	rules := exp.Rules
	if content := rules[pact.CategoryContent]; len(content) > 0 {
		merged := make(map[string]pact.RuleList, len(rules[pact.CategoryBody])+len(content))
		for k, r := range content {
			merged[k] = r
		}
		for k, r := range rules[pact.CategoryBody] {
			merged[k] = r
		}
		rules = pact.MatchingRules{pact.CategoryBody: merged}
	}
	ms := match.Value(v, actual.value, "$", rules, pact.CategoryBody, match.Options{AllowUnexpectedKeys: false})
	md := map[string]any{}
	for k, val := range exp.Metadata {
		if !isContentTypeKey(k) {
			md[strings.ToLower(k)] = val
		}
	}
	ms = append(ms, match.Message(&pact.Message{Metadata: md, Rules: lowerMetadataRules(exp.Rules)}, &pact.Message{Metadata: actual.metadata})...)
	return ms, nil
}

// lowerMetadataRules returns rules with metadata rule names lower-cased,
// as gRPC metadata keys are.
func lowerMetadataRules(rules pact.MatchingRules) pact.MatchingRules {
	md := rules[pact.CategoryMetadata]
	if len(md) == 0 {
		return rules
	}
	out := make(pact.MatchingRules, len(rules))
	for c, r := range rules {
		out[c] = r
	}
	lower := make(map[string]pact.RuleList, len(md))
	for k, r := range md {
		lower[strings.ToLower(k)] = r
	}
	out[pact.CategoryMetadata] = lower
	return out
}

func isContentTypeKey(k string) bool {
	return strings.EqualFold(strings.NewReplacer("-", "", "_", "").Replace(k), "contenttype")
}

// respond sends e's response: its status when the response metadata names
// a failure, else its message(s), with the other metadata as headers.
func (s *Server) respond(stream grpc.ServerStream, e *entry) error {
	s.mu.Lock()
	resps := make([]*pact.Message, len(e.in.MessageResponses))
	for i, r := range e.in.MessageResponses {
		resps[i] = r.Clone() // the consumer API may edit the interaction meanwhile
	}
	s.mu.Unlock()
	for i, r := range resps {
		g, err := s.generated(r, e.method, e.in.Description)
		if err != nil {
			s.log.Error("gRPC mock: generate response", "method", e.method.Path, "interaction", e.in.Description, "error", err)
			return status.Errorf(codes.Internal, "generate response: %v", err)
		}
		resps[i] = g
	}
	header := metadata.MD{}
	code, msg := codes.OK, ""
	if len(resps) > 0 {
		for k, v := range resps[0].Metadata {
			lk := strings.ToLower(k)
			switch {
			case isContentTypeKey(k):
			case lk == "grpc-status":
				c, ok := grpcverify.ParseCode(fmt.Sprint(v))
				if !ok {
					return status.Errorf(codes.Internal, "interaction %q: response metadata grpc-status %q is not a gRPC status", e.in.Description, fmt.Sprint(v))
				}
				code = c
			case lk == "grpc-message":
				msg = fmt.Sprint(v)
			default:
				for hk, hv := range grpcverify.OutgoingMetadata(map[string]any{lk: v}) {
					header[hk] = append(header[hk], hv...)
				}
			}
		}
	}
	if len(header) > 0 {
		if code != codes.OK {
			stream.SetTrailer(header)
		} else if err := stream.SetHeader(header); err != nil {
			return err
		}
	}
	if code != codes.OK {
		return status.Error(code, msg)
	}
	if len(resps) == 0 && !e.method.Desc.IsStreamingServer() {
		return stream.SendMsg(dynamicpb.NewMessage(e.method.Desc.Output()))
	}
	for i, r := range resps {
		if !e.method.Desc.IsStreamingServer() && i > 0 {
			break
		}
		reply := dynamicpb.NewMessage(e.method.Desc.Output())
		if r.Contents.State == pact.BodyPresent {
			var err error
			if reply, err = e.method.Files.Unmarshal(e.method.Desc.Output(), r.Contents.Content); err != nil {
				return status.Errorf(codes.Internal, "interaction %q: response contents: %v", e.in.Description, err)
			}
		}
		if err := stream.SendMsg(reply); err != nil {
			return err
		}
	}
	return nil
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
