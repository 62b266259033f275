package grpcmock_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/proto"
	"github.com/contracts-dev/contracts/verify/mock/grpcmock"
)

var genNow = time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)

func fixedNow() time.Time { return genNow }

// expectGeneratedOrder declares GetOrder answering with generated values:
// a Regex id, a RandomInt total and item quantity, a Date label and a
// MockServerURL link.
func expectGeneratedOrder(m *grpcmock.Mock) {
	m.Expect("shop.v1.Orders/GetOrder").
		UponReceiving("a request for a generated order").
		WithRequest(map[string]any{"id": grpcmock.Like("o-1")}).
		WillRespondWith(map[string]any{
			"id": grpcmock.Regex(`^o-\d{6}$`, "o-000000").
				WithGenerator(pact.Generator{Type: "Regex", Attrs: map[string]any{"regex": `o-\d{6}`}}),
			"total": map[string]any{"currency": "EUR", "units": grpcmock.RandomInt(1000, 9999)},
			"items": grpcmock.EachLike(map[string]any{"sku": "SKU-1", "quantity": grpcmock.RandomInt(1, 9)}, 2),
			"labels": map[string]any{
				"ship_on": grpcmock.Date("yyyy-MM-dd", "2024-01-01").
					WithGenerator(pact.Generator{Type: "Date", Attrs: map[string]any{"format": "yyyy-MM-dd", "expression": "+ 2 days"}}),
				"link": grpcmock.Like("http://localhost:9999/orders/7").
					WithGenerator(pact.Generator{Type: "MockServerURL", Attrs: map[string]any{"example": "http://localhost:9999/orders/7", "regex": `.*(/orders/\d+)$`}}),
			},
		})
}

// requireGenerated checks a reply of expectGeneratedOrder served by the
// mock at addr: generated values, not the examples.
func requireGenerated(t *testing.T, got map[string]any, addr string) {
	t.Helper()
	id, _ := got["id"].(string)
	require.Regexp(t, regexp.MustCompile(`^o-\d{6}$`), id)
	require.NotEqual(t, "o-000000", id, "the example was served, not a generated value")
	units := mustInt(t, got["total"].(map[string]any)["units"])
	require.True(t, units >= 1000 && units <= 9999, "units %d", units)
	require.NotEqual(t, int64(1000), units, "the example was served, not a generated value")
	items := got["items"].([]any)
	require.Len(t, items, 2)
	for _, it := range items {
		q := mustInt(t, it.(map[string]any)["quantity"])
		require.True(t, q >= 1 && q <= 9, "quantity %d", q)
	}
	labels := got["labels"].(map[string]any)
	require.Equal(t, "2031-05-08", labels["ship_on"])
	require.Equal(t, "grpc://"+addr+"/orders/7", labels["link"])
}

func mustInt(tb testing.TB, v any) int64 {
	tb.Helper()
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string: // int64 fields
		s = x
	default:
		tb.Fatalf("want a number, got %T %v", v, v)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	require.NoError(tb, err)
	return n
}

func TestMockAppliesResponseGenerators(t *testing.T) {
	t.Parallel()
	files, imports := fullProtos(t)
	m := grpcmock.New(t, files, imports, grpcmock.Between("c", "p"))
	m.SetGenerators(fixedNow, rand.New(rand.NewPCG(1, 2)))
	expectGeneratedOrder(m)
	conn := mustConn(t, m.Addr())
	first, err := call(t, conn, m.Files(), getOrder, map[string]any{"id": "o-9"}, nil)
	require.NoError(t, err)
	requireGenerated(t, first, m.Addr())
	second, err := call(t, conn, m.Files(), getOrder, map[string]any{"id": "o-9"}, nil)
	require.NoError(t, err)
	requireGenerated(t, second, m.Addr())
	require.NotEqual(t, first["id"], second["id"], "each call generates anew")
	require.NoError(t, m.Verify())

	// The pact keeps the examples and the generators.
	paths, err := m.WritePact(t.TempDir())
	require.NoError(t, err)
	require.Len(t, paths, 1)
	path := paths[0]
	data := mustReadFile(t, path)
	p, err := pact.Parse(data)
	require.NoError(t, err)
	resp := p.Interactions[0].MessageResponses[0]
	gens := resp.Gen[pact.CategoryBody]
	require.Equal(t, "Regex", gens["$.id"].Type)
	require.Equal(t, "RandomInt", gens["$.total.units"].Type)
	require.Equal(t, "RandomInt", gens["$.items[*].quantity"].Type)
	require.Equal(t, "Date", gens["$.labels.ship_on"].Type)
	v, err := m.Files().BinaryToValue("shop.v1.Order", resp.Contents.Content, proto.ValueOptions{})
	require.NoError(t, err)
	require.Equal(t, "o-000000", v.(map[string]any)["id"])
}

// TestServedPactAppliesResponseGenerators: the same generators applied by
// a server built from the written pact (contracts mock).
func TestServedPactAppliesResponseGenerators(t *testing.T) {
	t.Parallel()
	files, imports := fullProtos(t)
	m := grpcmock.New(t, files, imports, grpcmock.Between("c", "p"))
	expectGeneratedOrder(m)
	_, err := call(t, mustConn(t, m.Addr()), m.Files(), getOrder, map[string]any{"id": "o-1"}, nil)
	require.NoError(t, err)
	paths, err := m.WritePact(t.TempDir())
	require.NoError(t, err)
	require.Len(t, paths, 1)
	path := paths[0]
	p := mustParse(t, path)

	srv, err := grpcmock.NewServer([]*pact.Pact{p}, grpcmock.Options{Now: fixedNow, Rand: rand.New(rand.NewPCG(3, 4))})
	require.NoError(t, err)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, lis) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	got, err := call(t, mustConn(t, lis.Addr().String()), m.Files(), getOrder, map[string]any{"id": "o-1"}, nil)
	require.NoError(t, err)
	requireGenerated(t, got, lis.Addr().String())
	require.NoError(t, srv.Verify())
}

// TestGeneratorOfTheWrongTypeFailsTheCall: a generated value the field
// cannot hold is an Internal error naming the interaction, not a silent
// example.
func TestGeneratorOfTheWrongTypeFailsTheCall(t *testing.T) {
	t.Parallel()
	files, imports := fullProtos(t)
	m := grpcmock.New(t, files, imports)
	m.Expect("shop.v1.Orders/GetOrder").
		UponReceiving("an order with a numeric id").
		WithRequest(map[string]any{"id": grpcmock.Like("o-1")}).
		WillRespondWith(map[string]any{"id": grpcmock.Like("o-1").
			WithGenerator(pact.Generator{Type: "RandomInt", Attrs: map[string]any{"min": 1, "max": 5}})})
	_, err := call(t, mustConn(t, m.Addr()), m.Files(), getOrder, map[string]any{"id": "o-1"}, nil)
	require.Equal(t, codes.Internal, status.Code(err))
	msg := status.Convert(err).Message()
	require.True(t, strings.Contains(msg, `"an order with a numeric id"`) && strings.Contains(msg, "shop.v1.Order"), msg)
}
