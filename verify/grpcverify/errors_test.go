package grpcverify_test

import (
	"context"
	"encoding/json"
	"net"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/verify"
	"github.com/contracts-dev/contracts/verify/grpcverify"
	"github.com/contracts-dev/contracts/verify/internal/grpctest"
	"github.com/contracts-dev/contracts/verify/mock/grpcmock"
)

// TestBrokenInteractionsAreErrors: an interaction the transport cannot
// replay fails with an error naming what is wrong, without calling the
// provider.
func TestBrokenInteractionsAreErrors(t *testing.T) {
	t.Parallel()
	pp := pluginPacts(t)[0]
	data := mustRead(t, pp.pact)
	for _, tc := range []struct {
		name    string
		breakIt func(p *pact.Pact, in *pact.Interaction)
		want    string
		is      error
	}{
		{"no plugin configuration", func(_ *pact.Pact, in *pact.Interaction) { in.PluginConfiguration = nil },
			"pluginConfiguration.protobuf is missing", grpcverify.ErrNotGRPC},
		{"no service", func(_ *pact.Pact, in *pact.Interaction) {
			in.PluginConfiguration["protobuf"] = json.RawMessage(`{"descriptorKey":"a85dff8f82655a9681aad113575dcfbb"}`)
		}, "pluginConfiguration.protobuf.service is missing", grpcverify.ErrNotGRPC},
		{"unknown descriptor key", func(_ *pact.Pact, in *pact.Interaction) {
			in.PluginConfiguration["protobuf"] = json.RawMessage(`{"service":"Calculator/calculateOne","descriptorKey":"0000"}`)
		}, `descriptor key "0000"`, nil},
		{"unknown method", func(_ *pact.Pact, in *pact.Interaction) {
			in.PluginConfiguration["protobuf"] = json.RawMessage(`{"service":"Calculator/area","descriptorKey":"a85dff8f82655a9681aad113575dcfbb"}`)
		}, "service area_calculator.Calculator has no method area", nil},
		{"bad descriptors", func(p *pact.Pact, _ *pact.Interaction) {
			p.Metadata["plugins"] = json.RawMessage(`[{"name":"protobuf","configuration":{"a85dff8f82655a9681aad113575dcfbb":{"protoDescriptors":"!!"}}}]`)
		}, "protoDescriptors", nil},
		{"request of another type", func(_ *pact.Pact, in *pact.Interaction) {
			in.MessageRequest.Contents.ContentType = "application/protobuf; message=AreaResponse"
		}, "names area_calculator.AreaResponse but the method takes area_calculator.ShapeMessage", nil},
		{"undecodable request", func(_ *pact.Pact, in *pact.Interaction) {
			in.MessageRequest.Contents.Content = []byte{0xff, 0xff}
		}, "request contents", nil},
		{"async message", func(_ *pact.Pact, in *pact.Interaction) { in.Type = pact.AsyncMessage },
			"unsupported gRPC interaction", grpcverify.ErrUnsupported},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := pact.Parse(data)
			require.NoError(t, err)
			in := p.Interactions[0]
			tc.breakIt(p, in)
			tr := mustTransport(t, "127.0.0.1:1")
			out := tr.Verify(context.Background(), verify.Call{Pact: p, Interaction: in})
			require.Error(t, out.Err)
			require.Contains(t, out.Err.Error(), tc.want)
			if tc.is != nil {
				require.ErrorIs(t, out.Err, tc.is)
			}
			require.Empty(t, out.Mismatches)
		})
	}
}

func TestClientStreamingIsUnsupported(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(grpctest.RepoRoot(t), "testdata", "grpc", "full")
	m := grpcmock.New(t, []string{filepath.Join(dir, "shop.proto")}, []string{dir}, grpcmock.Between("c", "p"))
	m.Expect("shop.v1.Orders/ImportOrders").UponReceiving("an import").WillRespondWith(map[string]any{"imported": 1})
	p := m.Pact()
	out := mustTransport(t, m.Addr()).Verify(context.Background(), verify.Call{Pact: p, Interaction: p.Interactions[0]})
	require.ErrorIs(t, out.Err, grpcverify.ErrUnsupported)
	require.Contains(t, out.Err.Error(), "streams from the client")
}

// A gRPC provider where nothing listens: no interaction got a response, so
// the verification could not run (the CLI exits 2 and publishes nothing).
func TestUnreachableProviderCannotRun(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	srcs, err := verify.LoadPath(filepath.Join("..", "..", "testdata", "grpc", "full", "order-web-order-service.json"))
	require.NoError(t, err)
	_, err = verify.Verify(context.Background(), verify.Config{Transports: map[string]verify.Transport{"grpc": mustTransport(t, addr)}}, srcs)
	require.ErrorIs(t, err, verify.ErrUnreachable)
	require.Contains(t, err.Error(), addr)
}
