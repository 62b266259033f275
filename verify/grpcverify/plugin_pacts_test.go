package grpcverify_test

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/proto"
	"github.com/contracts-dev/contracts/verify"
	"github.com/contracts-dev/contracts/verify/grpcverify"
	"github.com/contracts-dev/contracts/verify/internal/grpctest"
)

// pluginPact is one pact of the protobuf plugin with its .proto file.
type pluginPact struct {
	name  string
	pact  string
	proto string
}

func pluginPacts(tb testing.TB) []pluginPact {
	tb.Helper()
	dir := grpctest.PluginPactsDir(tb)
	return []pluginPact{
		{"area_calculator", filepath.Join(dir, "area_calculator", "protobuf-consumer-area-calculator-provider.json"), filepath.Join(dir, "area_calculator", "area_calculator.proto")},
		{"http_plus_grpc", filepath.Join(dir, "http_plus_grpc", "area-calculator-consumer-area-calculator-provider.json"), filepath.Join(dir, "http_plus_grpc", "area_calculator.proto")},
		{"response_metadata", filepath.Join(dir, "response_metadata", "grpc-consumer-rust-response_metadata.json"), filepath.Join(dir, "response_metadata", "response_metadata.proto")},
	}
}

// mustLoad compiles .proto files.
func mustLoad(tb testing.TB, files []string, importPaths []string) *proto.Files {
	tb.Helper()
	f, err := proto.Load(context.Background(), files, importPaths)
	require.NoError(tb, err)
	return f
}

func mustRead(tb testing.TB, path string) []byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	require.NoError(tb, err)
	return data
}

func TestPluginPactsRoundTrip(t *testing.T) {
	t.Parallel()
	for _, pp := range pluginPacts(t) {
		t.Run(pp.name, func(t *testing.T) {
			t.Parallel()
			data := mustRead(t, pp.pact)
			p, err := pact.Parse(data)
			require.NoError(t, err)
			out, err := pact.Write(p, pact.V4)
			require.NoError(t, err)
			require.JSONEq(t, string(data), string(out))
			for _, in := range p.Interactions {
				if verify.TransportKey(in) != "grpc" {
					continue
				}
				var r grpcverify.Resolver
				m, err := r.Resolve(p, in)
				require.NoError(t, err)
				require.NotEmpty(t, m.Path)
			}
		})
	}
}

// area computes the area of a ShapeMessage value as the example provider does.
func area(shape map[string]any) float64 {
	num := func(m any, k string) float64 {
		f, _ := m.(map[string]any)[k].(json.Number).Float64()
		return f
	}
	for k, v := range shape {
		switch k {
		case "square":
			return num(v, "edge_length") * num(v, "edge_length")
		case "rectangle":
			return num(v, "length") * num(v, "width")
		case "circle":
			return math.Pi * num(v, "radius") * num(v, "radius")
		case "parallelogram":
			return num(v, "base_length") * num(v, "height")
		case "triangle":
			a, b, c := num(v, "edge_a"), num(v, "edge_b"), num(v, "edge_c")
			s := (a + b + c) / 2
			return math.Sqrt(s * (s - a) * (s - b) * (s - c))
		}
	}
	return 0
}

// calculator implementations: right, wrong reply, wrong status.
var calculators = map[string]grpctest.Handler{
	"right": func(req map[string]any, _ metadata.MD) (map[string]any, error) {
		return map[string]any{"value": []any{area(req)}}, nil
	},
	"no-values": func(map[string]any, metadata.MD) (map[string]any, error) {
		return map[string]any{}, nil
	},
	"two-values": func(req map[string]any, _ metadata.MD) (map[string]any, error) {
		return map[string]any{"value": []any{area(req), 1}}, nil
	},
	"other-area": func(map[string]any, metadata.MD) (map[string]any, error) {
		// The contract matches the values by type (number), not equality.
		return map[string]any{"value": []any{13.5}}, nil
	},
	"not-found": func(map[string]any, metadata.MD) (map[string]any, error) {
		return nil, status.Error(codes.NotFound, "no such shape")
	},
}

func mustVerify(tb testing.TB, cfg verify.Config, path string) *verify.Report {
	tb.Helper()
	srcs, err := verify.LoadPath(path)
	require.NoError(tb, err)
	rep, err := verify.Verify(context.Background(), cfg, srcs)
	require.NoError(tb, err)
	return rep
}

func mustTransport(tb testing.TB, target string) *grpcverify.Transport {
	tb.Helper()
	tr, err := grpcverify.New(target, grpcverify.Options{})
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = tr.Close() })
	return tr
}

// results lists every interaction result of rep.
func results(rep *verify.Report) []verify.InteractionResult {
	var out []verify.InteractionResult
	for _, p := range rep.Pacts {
		out = append(out, p.Interactions...)
	}
	return out
}

func mismatchesOf(r verify.InteractionResult) []verify.Mismatch {
	var out []verify.Mismatch
	for _, f := range r.Failures {
		out = append(out, f.Mismatches...)
	}
	return out
}

func TestVerifyAreaCalculator(t *testing.T) {
	t.Parallel()
	pp := pluginPacts(t)[0]
	files := mustLoad(t, []string{pp.proto}, nil)
	for _, tc := range []struct {
		impl     string
		wantPass bool
		kind     string
		path     string
	}{
		{impl: "right", wantPass: true},
		{impl: "no-values", kind: "body-mismatch", path: "$.value"},
		{impl: "two-values", kind: "body-mismatch", path: "$.value"},
		{impl: "other-area", wantPass: true},
		{impl: "not-found", kind: "status-mismatch", path: "grpc-status"},
	} {
		t.Run(tc.impl, func(t *testing.T) {
			t.Parallel()
			addr := grpctest.Serve(t, files, map[string]grpctest.Handler{"/area_calculator.Calculator/calculateOne": calculators[tc.impl]})
			for _, target := range []string{"grpc://" + addr, addr} {
				rep := mustVerify(t, verify.Config{Transports: map[string]verify.Transport{"grpc": mustTransport(t, target)}}, pp.pact)
				rs := results(rep)
				require.Len(t, rs, 1)
				if tc.wantPass {
					require.Equal(t, verify.StatusPassed, rs[0].Status, "%+v", rs[0].Failures)
					require.True(t, rep.Success())
					continue
				}
				require.Equal(t, verify.StatusFailed, rs[0].Status)
				ms := mismatchesOf(rs[0])
				require.NotEmpty(t, ms, "%+v", rs[0].Failures)
				require.Equal(t, tc.kind, ms[0].Kind, "%+v", ms)
				require.Equal(t, tc.path, ms[0].Path, "%+v", ms)
			}
		})
	}
}

func TestVerifyResponseMetadata(t *testing.T) {
	t.Parallel()
	pp := pluginPacts(t)[2]
	files := mustLoad(t, []string{pp.proto}, nil)
	notFound := func(req map[string]any, md metadata.MD) (map[string]any, error) {
		if got := md.Get("key"); len(got) != 1 || got[0] != "value" {
			return nil, status.Errorf(codes.InvalidArgument, "metadata key: %v", got)
		}
		return nil, status.Error(codes.NotFound, "not found")
	}
	for _, tc := range []struct {
		name     string
		h        grpctest.Handler
		wantPass bool
		path     string
	}{
		{name: "right", h: notFound, wantPass: true},
		{name: "other message", h: func(map[string]any, metadata.MD) (map[string]any, error) {
			return nil, status.Error(codes.NotFound, "gone") // grpc-message matches by type
		}, wantPass: true},
		{name: "succeeds", h: func(map[string]any, metadata.MD) (map[string]any, error) {
			return map[string]any{"b": true}, nil
		}, path: "grpc-status"},
		{name: "other status", h: func(map[string]any, metadata.MD) (map[string]any, error) {
			return nil, status.Error(codes.PermissionDenied, "not found")
		}, path: "grpc-status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			addr := grpctest.Serve(t, files, map[string]grpctest.Handler{"/pactissue.Test/GetTest": tc.h})
			rep := mustVerify(t, verify.Config{Transports: map[string]verify.Transport{"grpc": mustTransport(t, addr)}}, pp.pact)
			rs := results(rep)
			require.Len(t, rs, 1)
			if tc.wantPass {
				require.Equal(t, verify.StatusPassed, rs[0].Status, "%+v", rs[0].Failures)
				return
			}
			require.Equal(t, verify.StatusFailed, rs[0].Status)
			ms := mismatchesOf(rs[0])
			require.NotEmpty(t, ms, "%+v", rs[0].Failures)
			require.Equal(t, "status-mismatch", ms[0].Kind)
			require.Equal(t, tc.path, ms[0].Path)
		})
	}
}

// TestVerifyHTTPPlusGRPC verifies the HTTP and the gRPC interaction of one
// pact against their own ports.
func TestVerifyHTTPPlusGRPC(t *testing.T) {
	t.Parallel()
	pp := pluginPacts(t)[1]
	files := mustLoad(t, []string{pp.proto}, nil)
	httpProvider := func(wrong bool) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost || r.URL.Path != "/Calculator/calculateOne" {
				http.NotFound(w, r)
				return
			}
			body, _ := io.ReadAll(r.Body)
			shape, err := files.BinaryToValue(".area_calculator.ShapeMessage", body, proto.ValueOptions{})
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			reply := map[string]any{"value": []any{area(shape.(map[string]any))}}
			if wrong {
				reply = map[string]any{}
			}
			out, err := files.ValueToBinary(".area_calculator.AreaResponse", reply)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/protobuf; message=.area_calculator.AreaResponse")
			_, _ = w.Write(out)
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	for _, tc := range []struct {
		name            string
		httpWrong       bool
		grpcImpl        string
		wantHTTP, wantG verify.Status
	}{
		{"both right", false, "right", verify.StatusPassed, verify.StatusPassed},
		{"grpc wrong", false, "no-values", verify.StatusPassed, verify.StatusFailed},
		{"http wrong", true, "right", verify.StatusFailed, verify.StatusPassed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			web := httpProvider(tc.httpWrong)
			addr := grpctest.Serve(t, files, map[string]grpctest.Handler{"/area_calculator.Calculator/calculateOne": calculators[tc.grpcImpl]})
			rep := mustVerify(t, verify.Config{
				ProviderBaseURL: web.URL,
				Transports:      map[string]verify.Transport{"grpc": mustTransport(t, "grpc://"+addr)},
			}, pp.pact)
			rs := results(rep)
			require.Len(t, rs, 2)
			byType := map[string]verify.InteractionResult{}
			for _, r := range rs {
				byType[r.Type] = r
			}
			require.Equal(t, tc.wantHTTP, byType[string(pact.HTTP)].Status, "%+v", byType[string(pact.HTTP)].Failures)
			require.Equal(t, tc.wantG, byType[string(pact.SyncMessage)].Status, "%+v", byType[string(pact.SyncMessage)].Failures)
		})
	}
}

func TestUnreachableProviderIsAnError(t *testing.T) {
	t.Parallel()
	pp := pluginPacts(t)[0]
	// A port nothing listens on: bind one, then close it.
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := lis.Addr().String()
	require.NoError(t, lis.Close())
	tr := mustTransport(t, "grpc://"+addr)
	// No interaction got a response: the verification could not run.
	srcs, err := verify.LoadPath(pp.pact)
	require.NoError(t, err)
	_, err = verify.Verify(context.Background(), verify.Config{Transports: map[string]verify.Transport{"grpc": tr}}, srcs)
	require.ErrorIs(t, err, verify.ErrUnreachable)
	require.Contains(t, err.Error(), "Calculator/calculateOne")
}

func TestNewRejectsBadTargets(t *testing.T) {
	t.Parallel()
	for _, target := range []string{"http://localhost:80", "", "grpc://", "grpc://host:1/path"} {
		_, err := grpcverify.New(target, grpcverify.Options{})
		require.Error(t, err, target)
		require.True(t, strings.Contains(err.Error(), "grpc target"), err.Error())
	}
}

func TestOptionsMetadataIsSent(t *testing.T) {
	t.Parallel()
	pp := pluginPacts(t)[0]
	files := mustLoad(t, []string{pp.proto}, nil)
	addr := grpctest.Serve(t, files, map[string]grpctest.Handler{"/area_calculator.Calculator/calculateOne": func(req map[string]any, md metadata.MD) (map[string]any, error) {
		if got := md.Get("authorization"); len(got) != 1 || got[0] != "Bearer t" {
			return nil, status.Error(codes.Unauthenticated, "no token")
		}
		return map[string]any{"value": []any{area(req)}}, nil
	}})
	for _, tc := range []struct {
		md   metadata.MD
		pass bool
	}{{metadata.Pairs("authorization", "Bearer t"), true}, {nil, false}} {
		tr, err := grpcverify.New(addr, grpcverify.Options{Metadata: tc.md})
		require.NoError(t, err)
		rep := mustVerify(t, verify.Config{Transports: map[string]verify.Transport{"grpc": tr}}, pp.pact)
		require.NoError(t, tr.Close())
		require.Equal(t, tc.pass, rep.Success())
	}
}
