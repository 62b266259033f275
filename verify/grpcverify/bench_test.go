package grpcverify_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/verify"
	"github.com/contracts-dev/contracts/verify/internal/grpctest"
	"github.com/contracts-dev/contracts/verify/mock/grpcmock"
)

const benchCalls = 1000

// benchPact is a pact of benchCalls GetOrder interactions written by the
// consumer API, with the descriptors of testdata/grpc/full.
func benchPact(b *testing.B) (*pact.Pact, []byte, *grpcmock.Mock) {
	b.Helper()
	dir := filepath.Join(grpctest.RepoRoot(b), "testdata", "grpc", "full")
	m := grpcmock.New(b, []string{filepath.Join(dir, "shop.proto")}, []string{dir}, grpcmock.Between("bench-consumer", "bench-provider"))
	for i := range benchCalls {
		id := fmt.Sprintf("o-%d", i)
		m.Expect("shop.v1.Orders/GetOrder").
			UponReceiving("order " + id).
			WithRequest(map[string]any{"id": id}).
			WillRespondWith(map[string]any{
				"id":     grpcmock.Like(id),
				"status": "STATUS_SHIPPED",
				"items":  grpcmock.EachLike(map[string]any{"sku": grpcmock.Regex(`^SKU-\d+$`, "SKU-1"), "quantity": grpcmock.Integer(2)}, 1),
				"labels": map[string]any{"channel": "web"},
			})
	}
	p := m.Pact()
	data, err := pact.Write(p, pact.V4)
	require.NoError(b, err)
	return p, data, m
}

func benchServer(b *testing.B, m *grpcmock.Mock) string {
	b.Helper()
	return grpctest.Serve(b, m.Files(), map[string]grpctest.Handler{
		"/shop.v1.Orders/GetOrder": func(req map[string]any, _ metadata.MD) (map[string]any, error) {
			return map[string]any{
				"id":     req["id"],
				"status": "STATUS_SHIPPED",
				"items":  []any{map[string]any{"sku": "SKU-7", "quantity": 3}},
				"labels": map[string]any{"channel": "web"},
			}, nil
		},
	})
}

// BenchmarkVerifyGRPC1000 verifies 1,000 unary interactions, one at a time,
// against a local grpc-go server.
func BenchmarkVerifyGRPC1000(b *testing.B) {
	_, data, m := benchPact(b)
	addr := benchServer(b, m)
	tr := mustTransport(b, "grpc://"+addr)
	cfg := verify.Config{Transports: map[string]verify.Transport{"grpc": tr}, Concurrency: 1}
	src := []verify.Source{{Name: "bench.json", Data: data}}
	b.ResetTimer()
	for b.Loop() {
		rep, err := verify.Verify(context.Background(), cfg, src)
		if err != nil || !rep.Success() {
			b.Fatalf("verification failed: %v %+v", err, rep.Counts())
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchCalls), "ns/call")
}

// BenchmarkPlainGRPCClient1000 makes the same 1,000 calls with a plain
// grpc-go client (dynamic invoke of the contract's request bytes), one at a
// time, for the overhead of verification per call.
func BenchmarkPlainGRPCClient1000(b *testing.B) {
	p, _, m := benchPact(b)
	addr := benchServer(b, m)
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(b, err)
	defer conn.Close()
	md, err := m.Files().FindMethod("shop.v1.Orders/GetOrder")
	require.NoError(b, err)
	reqs := make([][]byte, len(p.Interactions))
	for i, in := range p.Interactions {
		reqs[i] = in.MessageRequest.Contents.Content
	}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		for _, data := range reqs {
			req, err := m.Files().Unmarshal(md.Input(), data)
			if err != nil {
				b.Fatal(err)
			}
			reply := dynamicpb.NewMessage(md.Output())
			if err := conn.Invoke(ctx, "/shop.v1.Orders/GetOrder", req, reply); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchCalls), "ns/call")
}

// BenchmarkTransportGRPC1000 replays the same 1,000 interactions through
// Transport.Verify directly (pact parsed once, no report), one at a time:
// the transport's own cost per call, without verify.Verify's parsing.
func BenchmarkTransportGRPC1000(b *testing.B) {
	_, data, m := benchPact(b)
	p, err := pact.Parse(data)
	require.NoError(b, err)
	addr := benchServer(b, m)
	tr := mustTransport(b, "grpc://"+addr)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		for _, in := range p.Interactions {
			out := tr.Verify(ctx, verify.Call{Pact: p, Interaction: in})
			if out.Err != nil || len(out.Mismatches) > 0 {
				b.Fatalf("interaction %q: %v %+v", in.Description, out.Err, out.Mismatches)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchCalls), "ns/call")
}
