package grpcmock_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	protoapi "google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/proto"
	"github.com/contracts-dev/contracts/verify"
	"github.com/contracts-dev/contracts/verify/grpcverify"
	"github.com/contracts-dev/contracts/verify/internal/grpctest"
	"github.com/contracts-dev/contracts/verify/mock"
	"github.com/contracts-dev/contracts/verify/mock/grpcmock"
)

func mustParse(tb testing.TB, path string) *pact.Pact {
	tb.Helper()
	data, err := os.ReadFile(path)
	require.NoError(tb, err)
	p, err := pact.Parse(data)
	require.NoError(tb, err)
	return p
}

// mustServePacts serves the gRPC interactions of pacts with ServeGRPC
// until the test ends, and returns the address.
func mustServePacts(tb testing.TB, pacts ...*pact.Pact) (string, *grpcmock.Server) {
	tb.Helper()
	srv, err := grpcmock.FromPacts(pacts, nil)
	require.NoError(tb, err)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, lis) }()
	tb.Cleanup(func() {
		cancel()
		require.NoError(tb, <-done)
	})
	return lis.Addr().String(), srv
}

func pactFiles(tb testing.TB, p *pact.Pact) *proto.Files {
	tb.Helper()
	descs, err := grpcverify.Descriptors(p)
	require.NoError(tb, err)
	require.Len(tb, descs, 1)
	for _, f := range descs {
		return f
	}
	return nil
}

func TestServePluginPactAreaCalculator(t *testing.T) {
	t.Parallel()
	p := mustParse(t, filepath.Join(grpctest.PluginPactsDir(t), "area_calculator", "protobuf-consumer-area-calculator-provider.json"))
	addr, srv := mustServePacts(t, p)
	files := pactFiles(t, p)
	conn := mustConn(t, addr)
	const method = "/area_calculator.Calculator/calculateOne"

	// The contract matches the rectangle's sides by type: other numbers match.
	got, err := call(t, conn, files, method, map[string]any{"rectangle": map[string]any{"length": 5, "width": 6}}, nil)
	require.NoError(t, err)
	require.Equal(t, []any{json.Number("12")}, got["value"])

	// Another shape does not match: unexpected key, missing key.
	_, err = call(t, conn, files, method, map[string]any{"square": map[string]any{"edge_length": 3}}, nil)
	require.Equal(t, codes.InvalidArgument, status.Code(err))
	require.Contains(t, status.Convert(err).Message(), "calculate rectangle area request")

	// A method without interactions.
	_, err = call(t, conn, files, "/area_calculator.Calculator/calculateMulti", map[string]any{}, nil)
	require.Equal(t, codes.Unimplemented, status.Code(err))

	ps := srv.Problems()
	require.Len(t, ps, 2)
	require.Equal(t, mock.ProblemMismatch, ps[0].Type)
	require.Equal(t, method, ps[0].Method)
	require.NotEmpty(t, ps[0].Mismatches)
	require.Equal(t, mock.ProblemUnexpected, ps[1].Type)
	require.Equal(t, "/area_calculator.Calculator/calculateMulti", ps[1].Method)
	err = srv.Verify()
	require.ErrorIs(t, err, grpcmock.ErrNotOK)
	require.Contains(t, err.Error(), "calculateMulti")
}

func TestServePluginPactResponseMetadata(t *testing.T) {
	t.Parallel()
	p := mustParse(t, filepath.Join(grpctest.PluginPactsDir(t), "response_metadata", "grpc-consumer-rust-response_metadata.json"))
	addr, srv := mustServePacts(t, p)
	files := pactFiles(t, p)
	conn := mustConn(t, addr)

	// Without the request metadata "key" the call does not match.
	_, err := call(t, conn, files, "/pactissue.Test/GetTest", map[string]any{"s": "x"}, nil)
	require.Equal(t, codes.InvalidArgument, status.Code(err))

	_, err = call(t, conn, files, "/pactissue.Test/GetTest", map[string]any{"s": "x"}, metadata.Pairs("key", "any text"))
	require.Equal(t, codes.NotFound, status.Code(err))
	require.Equal(t, "not found", status.Convert(err).Message())

	ps := srv.Problems()
	require.Len(t, ps, 1)
	require.Equal(t, mock.ProblemMismatch, ps[0].Type)
	require.Equal(t, "key", ps[0].Mismatches[0].Path)
}

func TestServeReportsMissingInteractions(t *testing.T) {
	t.Parallel()
	dir := grpctest.PluginPactsDir(t)
	p := mustParse(t, filepath.Join(dir, "http_plus_grpc", "area-calculator-consumer-area-calculator-provider.json"))
	_, srv := mustServePacts(t, p)
	ps := srv.Problems()
	require.Len(t, ps, 1, "only the gRPC interaction is served")
	require.Equal(t, mock.ProblemMissing, ps[0].Type)
	require.Equal(t, "calculate rectangle area request", ps[0].Description)
}

func TestFromPactsRefusesUnknownMethods(t *testing.T) {
	t.Parallel()
	p := mustParse(t, filepath.Join(grpctest.PluginPactsDir(t), "area_calculator", "protobuf-consumer-area-calculator-provider.json"))
	p.Interactions[0].PluginConfiguration["protobuf"] = []byte(`{"service":"Calculator/nope","descriptorKey":"a85dff8f82655a9681aad113575dcfbb"}`)
	_, err := grpcmock.FromPacts([]*pact.Pact{p}, nil)
	require.ErrorContains(t, err, "$.interactions[0]")
	require.ErrorContains(t, err, "nope")
	require.ErrorIs(t, err, proto.ErrNotFound)
}

// recordingTB records the errors a test would report, to check that the
// consumer API fails the test on a bad expectation.
type recordingTB struct {
	testing.TB
	errs []string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestExpectationMistakesFailTheTest(t *testing.T) {
	t.Parallel()
	files, imports := fullProtos(t)
	for _, tc := range []struct {
		name string
		do   func(m *grpcmock.Mock)
		want string
	}{
		{"unknown method", func(m *grpcmock.Mock) { m.Expect("shop.v1.Orders/Nope") }, "no method Nope"},
		{"unknown field", func(m *grpcmock.Mock) {
			m.Expect("shop.v1.Orders/GetOrder").WithRequest(map[string]any{"order_id": "x"})
		}, `$: message shop.v1.GetOrderRequest has no field "order_id"`},
		{"wrong type", func(m *grpcmock.Mock) {
			m.Expect("shop.v1.Orders/GetOrder").WillRespondWith(map[string]any{"items": "x"})
		}, "$.items: want a list"},
		{"nested wrong type", func(m *grpcmock.Mock) {
			m.Expect("shop.v1.Orders/GetOrder").WillRespondWith(map[string]any{"items": []any{map[string]any{"price": 3}}})
		}, "$.items[0].price: want an object for message shop.v1.Money"},
		{"stream on unary", func(m *grpcmock.Mock) {
			m.Expect("shop.v1.Orders/GetOrder").WillStream(map[string]any{})
		}, "does not stream"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := &recordingTB{TB: t}
			m := grpcmock.New(rec, files, imports, grpcmock.Between("c", "p"))
			tc.do(m)
			require.Len(t, rec.errs, 1)
			require.Contains(t, rec.errs[0], tc.want)
			err := m.Verify()
			require.ErrorIs(t, err, grpcmock.ErrNotOK)
			_, err = m.WritePact(t.TempDir())
			require.Error(t, err, "no pact with a broken expectation")
		})
	}
}

func TestMockUnusedExpectationBlocksThePact(t *testing.T) {
	t.Parallel()
	files, imports := fullProtos(t)
	m := grpcmock.New(t, files, imports, grpcmock.Between("c", "p"))
	m.Expect("shop.v1.Orders/GetOrder").UponReceiving("never called").WithRequest(map[string]any{"id": "o-9"})
	err := m.Verify()
	require.ErrorIs(t, err, grpcmock.ErrNotOK)
	require.Contains(t, err.Error(), `never called`)
	dir := t.TempDir()
	_, err = m.WritePact(dir)
	require.Error(t, err)
	entries, _ := os.ReadDir(dir)
	require.Empty(t, entries)
}

// TestMockWithoutNamesWritesNothing: a mock created without Between has no
// pair to name its file after, so WritePact refuses, even when every
// expectation was met.
func TestMockWithoutNamesWritesNothing(t *testing.T) {
	t.Parallel()
	files, imports := fullProtos(t)
	m := grpcmock.New(t, files, imports)
	m.Expect("shop.v1.Orders/GetOrder").UponReceiving("a request for o-1").WithRequest(map[string]any{"id": "o-1"})
	_, err := call(t, mustConn(t, m.Addr()), m.Files(), getOrder, map[string]any{"id": "o-1"}, nil)
	require.NoError(t, err)
	require.NoError(t, m.Verify())
	dir := t.TempDir()
	paths, err := m.WritePact(dir)
	require.ErrorContains(t, err, "grpcmock.Between")
	require.Empty(t, paths)
	entries, _ := os.ReadDir(dir)
	require.Empty(t, entries)
}

// TestStreamingCycle declares a server-streaming interaction, calls it,
// writes the pact and verifies providers sending the right and the wrong
// number of messages.
func TestStreamingCycle(t *testing.T) {
	t.Parallel()
	files, imports := fullProtos(t)
	m := grpcmock.New(t, files, imports, grpcmock.Between("c", "p"))
	m.Expect("shop.v1.Orders/ListOrders").
		UponReceiving("the orders of c-1").
		WithRequest(map[string]any{"customer_id": "c-1", "limit": grpcmock.Integer(2)}).
		WillStream(
			map[string]any{"id": grpcmock.Like("o-1"), "status": "STATUS_PENDING"},
			map[string]any{"id": grpcmock.Like("o-2"), "status": "STATUS_SHIPPED"},
		)
	replies := stream(t, mustConn(t, m.Addr()), m.Files(), map[string]any{"customer_id": "c-1", "limit": 5})
	require.Len(t, replies, 2)
	require.Equal(t, "o-2", replies[1]["id"])
	require.NoError(t, m.Verify())
	paths, err := m.WritePact(t.TempDir())
	require.NoError(t, err)
	require.Len(t, paths, 1)
	path := paths[0]
	data, err := os.ReadFile(path)
	require.NoError(t, err)

	for _, tc := range []struct {
		name     string
		sends    []map[string]any
		pass     bool
		wantPath string
	}{
		{"right", []map[string]any{{"id": "a", "status": "STATUS_PENDING"}, {"id": "b", "status": "STATUS_SHIPPED"}}, true, ""},
		{"one message", []map[string]any{{"id": "a", "status": "STATUS_PENDING"}}, false, "$"},
		{"wrong status", []map[string]any{{"id": "a", "status": "STATUS_PENDING"}, {"id": "b", "status": "STATUS_PENDING"}}, false, "$.status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			addr := grpctest.ServeStream(t, m.Files(), listOrders, func(map[string]any, metadata.MD) ([]map[string]any, error) {
				return tc.sends, nil
			})
			tr, err := grpcverify.New(addr, grpcverify.Options{})
			require.NoError(t, err)
			defer tr.Close()
			rep, err := verify.Verify(context.Background(), verify.Config{Transports: map[string]verify.Transport{"grpc": tr}},
				[]verify.Source{{Name: path, Data: data}})
			require.NoError(t, err)
			require.Equal(t, tc.pass, rep.Success(), "%+v", rep.Pacts[0].Interactions)
			if !tc.pass {
				fs := rep.Pacts[0].Interactions[0].Failures
				require.Equal(t, verify.FailureBody, fs[0].ID)
				require.Equal(t, tc.wantPath, fs[0].Mismatches[0].Path)
			}
		})
	}
}

// stream calls ListOrders and collects the replies.
func stream(tb testing.TB, conn *grpc.ClientConn, files *proto.Files, req map[string]any) []map[string]any {
	tb.Helper()
	md, err := files.FindMethod(listOrders)
	require.NoError(tb, err)
	in, err := files.FromValue(md.Input(), req)
	require.NoError(tb, err)
	cs, err := conn.NewStream(context.Background(), &grpc.StreamDesc{ServerStreams: true}, listOrders)
	require.NoError(tb, err)
	require.NoError(tb, cs.SendMsg(in))
	require.NoError(tb, cs.CloseSend())
	var out []map[string]any
	for {
		reply := dynamicpb.NewMessage(md.Output())
		err := cs.RecvMsg(reply)
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(tb, err)
		v, err := files.ToValue(reply, proto.ValueOptions{})
		require.NoError(tb, err)
		out = append(out, v.(map[string]any))
	}
}

func TestMockRefusesClientStreaming(t *testing.T) {
	t.Parallel()
	files, imports := fullProtos(t)
	m := grpcmock.New(t, files, imports)
	m.Expect("shop.v1.Orders/ImportOrders").UponReceiving("an import").WillRespondWith(map[string]any{"imported": 1})
	conn := mustConn(t, m.Addr())
	cs, err := conn.NewStream(context.Background(), &grpc.StreamDesc{ClientStreams: true}, "/shop.v1.Orders/ImportOrders")
	require.NoError(t, err)
	require.NoError(t, cs.CloseSend())
	summary, err := m.Files().FindMessage("shop.v1.ImportSummary")
	require.NoError(t, err)
	err = cs.RecvMsg(dynamicpb.NewMessage(summary))
	require.Equal(t, codes.Unimplemented, status.Code(err))
	ps := m.Problems()
	require.Equal(t, mock.ProblemUnexpected, ps[0].Type)
}

// TestDescriptorKeyAsThePlugin compiles the proto file each plugin pact
// embeds and checks that DescriptorSet gives the very bytes protoc gave the
// plugin, hence the same descriptor key. (The area_calculator pact's file
// sets option php_generic_services, which descriptor.proto no longer has,
// so it does not compile here; its descriptors still decode and verify.)
func TestDescriptorKeyAsThePlugin(t *testing.T) {
	t.Parallel()
	dir := grpctest.PluginPactsDir(t)
	for _, rel := range []string{
		"http_plus_grpc/area-calculator-consumer-area-calculator-provider.json",
		"response_metadata/grpc-consumer-rust-response_metadata.json",
	} {
		t.Run(filepath.Dir(rel), func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(filepath.Join(dir, rel))
			require.NoError(t, err)
			var doc struct {
				Metadata struct {
					Plugins []struct {
						Configuration map[string]struct {
							ProtoDescriptors string `json:"protoDescriptors"`
							ProtoFile        string `json:"protoFile"`
						} `json:"configuration"`
					} `json:"plugins"`
				} `json:"metadata"`
			}
			require.NoError(t, json.Unmarshal(raw, &doc))
			for key, entry := range doc.Metadata.Plugins[0].Configuration {
				theirs, err := base64.StdEncoding.DecodeString(entry.ProtoDescriptors)
				require.NoError(t, err)
				var set descriptorpb.FileDescriptorSet
				require.NoError(t, protoapi.Unmarshal(theirs, &set))
				name := set.GetFile()[len(set.GetFile())-1].GetName()
				src := filepath.Join(t.TempDir(), name)
				require.NoError(t, os.WriteFile(src, []byte(entry.ProtoFile), 0o644))
				m := grpcmock.New(t, []string{src}, []string{filepath.Dir(src)})
				ours, err := proto.DescriptorSet(m.Files())
				require.NoError(t, err)
				require.Equal(t, theirs, ours)
				require.Equal(t, key, proto.DescriptorKey(ours))
			}
		})
	}
}

// TestWritesThePluginsPact declares the interaction of the plugin's
// response_metadata pact with the consumer API and compares the pact
// written with the plugin's. The plugin also echoes its consumer DSL input
// (pluginConfiguration.protobuf.expectations) and the Rust library's
// versions (metadata.pactRust), and lists itself once per version loaded;
// those are left out of the comparison.
func TestWritesThePluginsPact(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(grpctest.PluginPactsDir(t), "response_metadata")
	m := grpcmock.New(t, []string{filepath.Join(dir, "response_metadata.proto")}, []string{dir}, grpcmock.Between("grpc-consumer-rust", "response_metadata"))
	m.Expect(".pactissue.Test/GetTest").UponReceiving("response metadata request").
		WithRequest(map[string]any{"s": grpcmock.Like("")}).
		WithRequestMetadata(map[string]any{"key": grpcmock.Like("value")}).
		WillRespondWith(map[string]any{"b": grpcmock.Boolean(true)}).
		WillFailWith(codes.NotFound, "not found")
	_, err := call(t, mustConn(t, m.Addr()), m.Files(), "/pactissue.Test/GetTest", map[string]any{"s": "hi"}, metadata.Pairs("key", "v"))
	require.Equal(t, codes.NotFound, status.Code(err))
	paths, err := m.WritePact(t.TempDir())
	require.NoError(t, err)
	require.Len(t, paths, 1)
	path := paths[0]

	var ours, theirs map[string]any
	require.NoError(t, json.Unmarshal(mustReadFile(t, path), &ours))
	require.NoError(t, json.Unmarshal(mustReadFile(t, filepath.Join(dir, "grpc-consumer-rust-response_metadata.json")), &theirs))
	md := theirs["metadata"].(map[string]any)
	delete(md, "pactRust")
	plugins := md["plugins"].([]any)
	md["plugins"] = plugins[:1]
	plugins[0].(map[string]any)["version"] = grpcmock.PluginVersion
	in := theirs["interactions"].([]any)[0].(map[string]any)
	delete(in["pluginConfiguration"].(map[string]any)["protobuf"].(map[string]any), "expectations")
	want, err := json.Marshal(theirs)
	require.NoError(t, err)
	got, err := json.Marshal(ours)
	require.NoError(t, err)
	require.JSONEq(t, string(want), string(got))
}

func mustReadFile(tb testing.TB, path string) []byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	require.NoError(tb, err)
	return data
}
