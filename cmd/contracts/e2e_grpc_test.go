package main

// gRPC contracts through our broker, driven through the CLI in-process: a
// consumer test with grpcmock writes a pact in the protobuf plugin's layout,
// `contracts publish` sends it, `contracts verify --broker-url ...
// --transport grpc --publish` verifies a real grpc-go provider on loopback
// and publishes the result, and `contracts can-i-deploy` answers.

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/contracts-dev/contracts/broker/server"
	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/proto"
	"github.com/contracts-dev/contracts/verify/message"
	"github.com/contracts-dev/contracts/verify/mock/grpcmock"
)

// shopProtoDir holds the Orders service of the gRPC fixtures.
var shopProtoDir = filepath.Join("..", "..", "testdata", "grpc", "full")

// mustShopFiles loads the Orders service descriptors.
func mustShopFiles(tb testing.TB) *proto.Files {
	tb.Helper()
	files, err := proto.Load(context.Background(), []string{filepath.Join(shopProtoDir, "shop.proto")}, []string{shopProtoDir})
	require.NoError(tb, err)
	return files
}

// shopRPC answers one GetOrder request: the order as a value (proto field
// names) or a gRPC status error.
type shopRPC func(id string) (map[string]any, error)

// goodShop is the provider as the order-web consumer expects it.
func goodShop(id string) (map[string]any, error) {
	if id == "o-none" {
		return nil, status.Errorf(codes.NotFound, "order %s not found", id)
	}
	return map[string]any{
		"id": id, "status": "STATUS_SHIPPED",
		"items": []any{map[string]any{"sku": "SKU-7", "quantity": 1, "price": map[string]any{"currency": "EUR", "units": 12}}},
		"total": map[string]any{"currency": "EUR", "units": 12},
	}, nil
}

// brokenShop no longer says which items an order has and reports a
// missing order as an internal error.
func brokenShop(id string) (map[string]any, error) {
	if id == "o-none" || id == "o-404" {
		return nil, status.Error(codes.Internal, "database down")
	}
	return map[string]any{"id": id, "status": "STATUS_SHIPPED", "total": map[string]any{"currency": "EUR", "units": 12}}, nil
}

// mustUnusedHTTP returns the URL of an HTTP server that fails the test if
// anything calls it: the HTTP side of a provider that has gRPC contracts only.
func mustUnusedHTTP(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected HTTP request %s %s", r.Method, r.URL)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// fullShop honours the golden pact of testdata/grpc/full.
func fullShop(id string) (map[string]any, error) {
	if id == "o-404" {
		return nil, status.Errorf(codes.NotFound, "no order %s", id)
	}
	return map[string]any{
		"id": id, "status": "STATUS_SHIPPED",
		"items":      []any{map[string]any{"sku": "SKU-1", "quantity": 2, "price": map[string]any{"currency": "EUR", "units": 10}}},
		"labels":     map[string]any{"channel": "web"},
		"created_at": "2024-03-01T10:00:00Z",
		"address":    map[string]any{"street": "1 Main St", "city": "Lyon", "postcode": "69001"},
		"total":      map[string]any{"currency": "EUR", "units": 20},
		"tags":       []any{"gift"},
	}, nil
}

// mustServeShop starts a real grpc-go Orders server on loopback, with
// dynamicpb messages (no generated code), and returns its address.
func mustServeShop(tb testing.TB, files *proto.Files, rpc shopRPC) string {
	tb.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	srv := grpc.NewServer(grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
		full, _ := grpc.MethodFromServerStream(stream)
		if full != "/shop.v1.Orders/GetOrder" {
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
		id := req.Get(md.Input().Fields().ByName("id")).String()
		out, err := rpc(id)
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

// mustWriteShopPact runs order-web's consumer test against grpcmock and
// returns the directory holding the pact written.
func mustWriteShopPact(t *testing.T) string {
	t.Helper()
	m := grpcmock.New(t, []string{filepath.Join(shopProtoDir, "shop.proto")}, []string{shopProtoDir}, grpcmock.Between("order-web", "order-service"))
	m.Expect("shop.v1.Orders/GetOrder").
		Given("order o-1 exists", map[string]any{"id": "o-1"}).
		UponReceiving("a request for order o-1").
		WithRequest(map[string]any{"id": grpcmock.Regex(`^o-\d+$`, "o-1")}).
		WillRespondWith(map[string]any{
			"id":     grpcmock.Like("o-1"),
			"status": grpcmock.Equal("STATUS_SHIPPED"),
			"items": grpcmock.EachLike(map[string]any{
				"sku":      grpcmock.Regex(`^SKU-\d+$`, "SKU-1"),
				"quantity": grpcmock.Integer(2),
			}, 1),
		})
	m.Expect("shop.v1.Orders/GetOrder").
		Given("no order o-none", nil).
		UponReceiving("a request for a missing order").
		WithRequest(map[string]any{"id": "o-none"}).
		WillFailWith(codes.NotFound, "order o-none not found")

	// The consumer code under test: a plain grpc-go client.
	conn, err := grpc.NewClient(m.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer conn.Close()
	method, err := m.Files().FindMethod("shop.v1.Orders/GetOrder")
	require.NoError(t, err)
	for _, id := range []string{"o-1", "o-none"} {
		req, err := m.Files().FromValue(method.Input(), map[string]any{"id": id})
		require.NoError(t, err)
		reply := dynamicpb.NewMessage(method.Output())
		err = conn.Invoke(context.Background(), "/shop.v1.Orders/GetOrder", req, reply)
		if id == "o-none" {
			require.Equal(t, codes.NotFound, status.Code(err))
			continue
		}
		require.NoError(t, err)
		require.Equal(t, "o-1", reply.Get(method.Output().Fields().ByName("id")).String())
	}
	require.NoError(t, m.Verify())
	dir := t.TempDir()
	_, err = m.WritePact(dir)
	require.NoError(t, err)
	return dir
}

func TestGRPCContractThroughBroker(t *testing.T) {
	ctx := context.Background()
	pactDir := mustWriteShopPact(t)
	files := mustShopFiles(t)
	b := mustStartE2EBroker(t, server.AuthConfig{WriteToken: "w-tok"})
	cli := b.mustCLI
	canIDeploy := func(t *testing.T, want int, providerVersion string) string {
		t.Helper()
		return cli(t, want, "can-i-deploy", "--pacticipant", "order-web", "--version", "1.0.0",
			"--pacticipant", "order-service", "--version", providerVersion)
	}

	out := cli(t, exitOK, "publish", pactDir, "--consumer-app-version", "1.0.0", "--branch", "main")
	require.Contains(t, out, "order-web version 1.0.0 and provider order-service")
	stored, err := b.Store.GetPact(ctx, "order-web", "order-service", "1.0.0")
	require.NoError(t, err)
	require.Contains(t, string(stored.Content), `"transport": "grpc"`, "the plugin layout survives the broker")

	good := mustServeShop(t, files, goodShop)
	out = cli(t, exitOK, "verify", "--provider", "order-service", "--transport", "grpc", "--provider-base-url", "grpc://"+good,
		"--provider-app-version", "2.0.0", "--provider-version-branch", "main", "--publish")
	require.Contains(t, out, "Verifying a pact between order-web and order-service")
	require.Contains(t, out, "Published verification result (passed) of order-service version 2.0.0 for consumer order-web")
	ver := b.mustLatestVerification(t, "order-web", "1.0.0", "order-service")
	require.True(t, ver.Success)
	require.Equal(t, "2.0.0", ver.ProviderVersion)
	require.Contains(t, string(ver.TestResults), "a request for a missing order")
	require.Contains(t, canIDeploy(t, exitOK, "2.0.0"), "Computer says yes")

	t.Run("a broken provider's failure is published and refused", func(t *testing.T) {
		broken := mustServeShop(t, files, brokenShop)
		// --grpc-url beside an HTTP base URL: the provider has no HTTP
		// interactions here, so only the gRPC address is used.
		out := cli(t, exitNo, "verify", "--provider", "order-service", "--grpc-url", "grpc://"+broken,
			"--provider-base-url", mustUnusedHTTP(t), "--provider-app-version", "2.1.0", "--provider-version-branch", "feat-x", "--publish")
		require.Contains(t, out, "Published verification result (failed) of order-service version 2.1.0 for consumer order-web")
		require.Contains(t, out, "$.items", "the mismatch names the field the provider dropped")
		require.Contains(t, out, "grpc-status", "the wrong status is named")
		ver := b.mustLatestVerification(t, "order-web", "1.0.0", "order-service")
		require.False(t, ver.Success)
		require.Equal(t, "2.1.0", ver.ProviderVersion)

		require.Contains(t, canIDeploy(t, exitNo, "2.1.0"), "Computer says no")
		require.Contains(t, canIDeploy(t, exitOK, "2.0.0"), "Computer says yes")
	})

	t.Run("the Pact verifier's --transports form", func(t *testing.T) {
		_, port, err := net.SplitHostPort(good)
		require.NoError(t, err)
		out := cli(t, exitOK, "verify", "--provider", "order-service", "--provider-base-url", mustUnusedHTTP(t), "--transports", "grpc:"+port)
		require.Contains(t, out, "a request for order o-1")
		require.NotContains(t, out, "Published", "no --publish, nothing published")
	})
}

func TestVerifyGRPCPactFile(t *testing.T) {
	ctx := context.Background()
	files := mustShopFiles(t)
	// The golden pact of grpcmock's full-cycle test (the plugin's layout).
	pactFile := filepath.Join(shopProtoDir, "order-web-order-service.json")
	_, err := os.Stat(pactFile)
	require.NoError(t, err)
	addr := mustServeShop(t, files, fullShop)

	for _, tc := range []struct {
		name string
		args []string
		want int
		out  []string
	}{
		{name: "transport grpc", args: []string{"--transport", "grpc", "--provider-base-url", "grpc://" + addr}, want: exitOK,
			out: []string{"a request for order o-1", "a request for a missing order"}},
		{name: "grpc scheme alone", args: []string{"--provider-base-url", "grpc://" + addr}, want: exitOK},
		{name: "grpc url alone", args: []string{"--grpc-url", "grpc://" + addr}, want: exitOK},
		{name: "broken provider", args: []string{"--grpc-url", "grpc://" + mustServeShop(t, files, brokenShop)}, want: exitNo,
			out: []string{"$.items", "grpc-status"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"verify", pactFile}, tc.args...)
			code, stdout, stderr := runCLI(ctx, nil, args...)
			require.Equal(t, tc.want, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			for _, s := range tc.out {
				require.Contains(t, stdout, s)
			}
			require.False(t, strings.Contains(stdout, "no transport"), stdout)
		})
	}

	t.Run("no provider address", func(t *testing.T) {
		code, _, stderr := runCLI(ctx, nil, "verify", pactFile, "--transport", "grpc")
		require.Equal(t, exitCantTell, code)
		require.Contains(t, stderr, "--provider-base-url is required")
	})
}

// orderServiceMessages produces the messages of testdata/message/orders:
// the same provider, order-service, also publishes order events.
func orderServiceMessages() *message.Provider {
	p := message.NewProvider()
	p.Handle("an order created event", func(context.Context, []pact.ProviderState) (message.Message, error) {
		return message.JSON(map[string]any{"id": "o-2002", "total": 19.99, "items": []any{map[string]any{"sku": "SKU-9", "qty": 1}}},
			map[string]any{"kafka_topic": "orders", "key": "o-2002"})
	})
	p.HandleSync("an order status query", func(context.Context, message.Message, []pact.ProviderState) ([]message.Message, error) {
		m, err := message.JSON(map[string]any{"id": "o-1001", "status": "SHIPPED"}, nil)
		return []message.Message{m}, err
	})
	return p
}

// mustStartOrderServiceBroker starts a broker holding order-service's two
// pacts: order-web's gRPC pact and order-notifier's message pact, both
// published as consumer version 1.0.0 on main.
func mustStartOrderServiceBroker(t *testing.T) *e2eBroker {
	t.Helper()
	b := mustStartE2EBroker(t, server.AuthConfig{WriteToken: "w-tok"})
	for _, file := range []string{
		filepath.Join(shopProtoDir, "order-web-order-service.json"),
		filepath.Join("..", "..", "testdata", "message", "orders", "pact.json"),
	} {
		b.mustCLI(t, exitOK, "publish", file, "--consumer-app-version", "1.0.0", "--branch", "main")
	}
	return b
}

// TestGRPCAndMessagesOfOneProvider: a provider with a gRPC consumer and a
// message consumer is verified in one run, each pact over its transport,
// and both results are published.
func TestGRPCAndMessagesOfOneProvider(t *testing.T) {
	ctx := context.Background()
	b := mustStartOrderServiceBroker(t)
	grpcAddr := mustServeShop(t, mustShopFiles(t), fullShop)
	messages := httptest.NewServer(orderServiceMessages())
	defer messages.Close()

	code, stdout, stderr := runCLI(ctx, b.vars(), "verify", "--provider", "order-service",
		"--provider-base-url", messages.URL, "--grpc-url", "grpc://"+grpcAddr,
		"--provider-app-version", "2.0.0", "--provider-version-branch", "main", "--publish")
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	require.Contains(t, stdout, "Verification passed: 4 interactions, 4 passed, 0 failed, 0 pending, 0 skipped")
	for _, consumer := range []string{"order-web", "order-notifier"} {
		require.Contains(t, stdout, "Published verification result (passed) of order-service version 2.0.0 for consumer "+consumer)
		ver := b.mustLatestVerification(t, consumer, "1.0.0", "order-service")
		require.True(t, ver.Success)
		var tests []struct{ Success bool }
		require.NoError(t, json.Unmarshal(ver.TestResults, &tests))
		require.Len(t, tests, 2, "both interactions of %s's pact were verified", consumer)
	}
}

// TestUnverifiedPactIsNotPublished: verifying the same provider with only
// its message endpoint skips the gRPC interactions (no transport), so the
// gRPC pact's result must not be published: a success would vouch for
// calls never made, and can-i-deploy would say yes on it.
func TestUnverifiedPactIsNotPublished(t *testing.T) {
	ctx := context.Background()
	b := mustStartOrderServiceBroker(t)
	messages := httptest.NewServer(orderServiceMessages())
	defer messages.Close()

	code, stdout, stderr := runCLI(ctx, b.vars(), "verify", "--provider", "order-service",
		"--provider-base-url", messages.URL,
		"--provider-app-version", "2.0.0", "--provider-version-branch", "main", "--publish")
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	require.Contains(t, stdout, "Published verification result (passed) of order-service version 2.0.0 for consumer order-notifier")
	require.NotContains(t, stdout, "for consumer order-web")
	require.Contains(t, stdout, "could not be verified here")
	require.True(t, b.mustLatestVerification(t, "order-notifier", "1.0.0", "order-service").Success)
	b.requireUnverified(t, "order-web", "1.0.0", "order-service")
}
