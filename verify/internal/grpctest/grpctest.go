// Package grpctest starts real grpc-go servers on loopback for the tests of
// the verify packages. The methods are served with dynamicpb messages built
// from a proto.Files, so a test provider needs no generated code:
//
//	addr := grpctest.Serve(t, files, map[string]grpctest.Handler{
//		"/shop.v1.Orders/GetOrder": func(req map[string]any, _ metadata.MD) (map[string]any, error) {
//			return map[string]any{"id": req["id"]}, nil
//		},
//	})
package grpctest

import (
	"net"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/contracts-dev/contracts/formats/proto"
)

// Handler implements one unary method of a test provider: it gets the
// request as a JSON-like value (proto field names) with the incoming
// metadata, and returns the reply as a JSON-like value or a gRPC error.
type Handler func(req map[string]any, md metadata.MD) (map[string]any, error)

// StreamHandler implements one server-streaming method of a test provider:
// it returns every reply, sent in order, or a gRPC error.
type StreamHandler func(req map[string]any, md metadata.MD) ([]map[string]any, error)

// Serve starts a real grpc-go server on 127.0.0.1:0 serving the unary
// methods of files named in handlers ("/pkg.Service/Method"), and returns
// its address. The server stops when the test ends.
func Serve(tb testing.TB, files *proto.Files, handlers map[string]Handler) string {
	tb.Helper()
	streams := make(map[string]StreamHandler, len(handlers))
	for method, h := range handlers {
		streams[method] = func(req map[string]any, md metadata.MD) ([]map[string]any, error) {
			out, err := h(req, md)
			if err != nil {
				return nil, err
			}
			return []map[string]any{out}, nil
		}
	}
	return serve(tb, files, streams)
}

// ServeStream is Serve for one server-streaming method.
func ServeStream(tb testing.TB, files *proto.Files, method string, h StreamHandler) string {
	tb.Helper()
	return serve(tb, files, map[string]StreamHandler{method: h})
}

func serve(tb testing.TB, files *proto.Files, handlers map[string]StreamHandler) string {
	tb.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	srv := grpc.NewServer(grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
		full, _ := grpc.MethodFromServerStream(stream)
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
		outs, err := h(v.(map[string]any), in)
		if err != nil {
			return err
		}
		for _, out := range outs {
			reply, err := files.FromValue(md.Output(), out)
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
