package grpcverify_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/contracts-dev/contracts/formats/proto"
)

// handler implements one unary method of a test provider: it gets the
// request as a JSON-like value (proto field names) with the incoming
// metadata, and returns the reply as a JSON-like value or a gRPC error.
type handler func(req map[string]any, md metadata.MD) (map[string]any, error)

// mustServe starts a real grpc-go server on loopback serving the methods
// of files named in handlers ("/pkg.Service/Method") with dynamicpb
// messages, and returns its address.
func mustServe(tb testing.TB, files *proto.Files, handlers map[string]handler) string {
	tb.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	srv := grpc.NewServer(grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
		full, ok := grpc.MethodFromServerStream(stream)
		if !ok {
			return status.Error(codes.Internal, "no method")
		}
		h := handlers[full]
		if h == nil {
			return status.Errorf(codes.Unimplemented, "method %s not implemented", full)
		}
		md, err := files.FindMethod(full)
		if err != nil {
			return status.Errorf(codes.Unimplemented, "method %s: %v", full, err)
		}
		req := dynamicpb.NewMessage(md.Input())
		if err := stream.RecvMsg(req); err != nil {
			return err
		}
		v, err := files.ToValue(req, proto.ValueOptions{})
		if err != nil {
			return status.Error(codes.Internal, err.Error())
		}
		in, _ := metadata.FromIncomingContext(stream.Context())
		out, err := h(v.(map[string]any), in)
		if err != nil {
			return err
		}
		reply, err := files.FromValue(md.Output(), out)
		if err != nil {
			return status.Error(codes.Internal, err.Error())
		}
		return stream.SendMsg(reply)
	}))
	go func() { _ = srv.Serve(lis) }()
	tb.Cleanup(srv.Stop)
	return lis.Addr().String()
}

// mustStreamServe is mustServe for one server-streaming method whose
// handler returns every reply.
func mustStreamServe(tb testing.TB, files *proto.Files, method string, h func(req map[string]any) ([]map[string]any, error)) string {
	tb.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	srv := grpc.NewServer(grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
		full, _ := grpc.MethodFromServerStream(stream)
		if full != method {
			return status.Errorf(codes.Unimplemented, "method %s not implemented", full)
		}
		md, err := files.FindMethod(full)
		if err != nil {
			return status.Error(codes.Internal, err.Error())
		}
		req := dynamicpb.NewMessage(md.Input())
		if err := stream.RecvMsg(req); err != nil {
			return err
		}
		v, _ := files.ToValue(req, proto.ValueOptions{})
		outs, err := h(v.(map[string]any))
		if err != nil {
			return err
		}
		for _, o := range outs {
			reply, err := files.FromValue(md.Output(), o)
			if err != nil {
				return status.Error(codes.Internal, err.Error())
			}
			if err := stream.SendMsg(reply); err != nil {
				return err
			}
		}
		return nil
	}))
	go func() { _ = srv.Serve(lis) }()
	tb.Cleanup(srv.Stop)
	return lis.Addr().String()
}

// repoRoot is the module root (the folder holding go.mod).
func repoRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	require.NoError(tb, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(tb, parent, dir, "module root not found")
		dir = parent
	}
}

// sharedDir returns a folder under <repo root>/../shared, or skips the
// test naming it.
func sharedDir(tb testing.TB, rel string) string {
	tb.Helper()
	dir := filepath.Join(repoRoot(tb), "..", "shared", rel)
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("shared fixtures folder %s is absent", dir)
	}
	return dir
}

// mustLoad compiles .proto files.
func mustLoad(tb testing.TB, files []string, importPaths []string) *proto.Files {
	tb.Helper()
	f, err := proto.Load(context.Background(), files, importPaths)
	require.NoError(tb, err)
	return f
}

var _ protoreflect.Message = (*dynamicpb.Message)(nil)
