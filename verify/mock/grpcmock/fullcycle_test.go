package grpcmock_test

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
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
	"github.com/contracts-dev/contracts/verify/mock/grpcmock"
)

const (
	getOrder   = "/shop.v1.Orders/GetOrder"
	listOrders = "/shop.v1.Orders/ListOrders"
)

func fullProtos(tb testing.TB) ([]string, []string) {
	tb.Helper()
	dir := filepath.Join(repoRoot(tb), "testdata", "grpc", "full")
	return []string{filepath.Join(dir, "shop.proto")}, []string{dir}
}

// repoRoot is the module root.
func repoRoot(tb testing.TB) string {
	tb.Helper()
	return grpctest.RepoRoot(tb)
}

// mustConn dials addr with a plain grpc-go client.
func mustConn(tb testing.TB, addr string) *grpc.ClientConn {
	tb.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = conn.Close() })
	return conn
}

// call invokes a unary method dynamically, the way a consumer would with
// generated stubs, and returns the reply as a value (proto names).
func call(tb testing.TB, conn *grpc.ClientConn, files *proto.Files, method string, req map[string]any, md metadata.MD) (map[string]any, error) {
	tb.Helper()
	m, err := files.FindMethod(method)
	require.NoError(tb, err)
	in, err := files.FromValue(m.Input(), req)
	require.NoError(tb, err)
	out := dynamicpb.NewMessage(m.Output())
	ctx := metadata.NewOutgoingContext(context.Background(), md)
	if err := conn.Invoke(ctx, method, in, out); err != nil {
		return nil, err
	}
	v, err := files.ToValue(out, proto.ValueOptions{})
	require.NoError(tb, err)
	return v.(map[string]any), nil
}

// order is the example order of the contract and of the right provider.
func order(id string) map[string]any {
	return map[string]any{
		"id":     id,
		"status": "STATUS_SHIPPED",
		"items": []any{
			map[string]any{"sku": "SKU-1", "quantity": 2, "price": map[string]any{"currency": "EUR", "units": 10}},
		},
		"labels":     map[string]any{"channel": "web"},
		"created_at": "2024-03-01T10:00:00Z",
		"address":    map[string]any{"street": "1 Main St", "city": "Lyon", "postcode": "69001"},
		"total":      map[string]any{"currency": "EUR", "units": 20},
		"tags":       []any{"gift"},
	}
}

// writeConsumerPact runs the consumer test against the mock and writes
// the pact; it returns the pact's path.
func writeConsumerPact(t *testing.T) string {
	files, imports := fullProtos(t)
	m := grpcmock.New(t, files, imports, grpcmock.Between("order-web", "order-service"))
	m.Expect("shop.v1.Orders/GetOrder").
		Given("order o-1 exists", map[string]any{"id": "o-1"}).
		UponReceiving("a request for order o-1").
		WithRequest(map[string]any{"id": grpcmock.Regex(`^o-\d+$`, "o-1")}).
		WithRequestMetadata(map[string]any{"authorization": grpcmock.Regex(`^Bearer .+$`, "Bearer token")}).
		WillRespondWith(map[string]any{
			"id":     grpcmock.Like("o-1"),
			"status": grpcmock.Equal("STATUS_SHIPPED"),
			"items": grpcmock.EachLike(map[string]any{
				"sku":      grpcmock.Regex(`^SKU-\d+$`, "SKU-1"),
				"quantity": grpcmock.Integer(2),
				"price":    map[string]any{"currency": "EUR", "units": grpcmock.Integer(10)},
			}, 1),
			"labels":    grpcmock.Values(map[string]any{"channel": "web"}),
			"createdAt": grpcmock.Timestamp("yyyy-MM-dd'T'HH:mm:ssXXX", "2024-03-01T10:00:00Z"),
			"address":   grpcmock.Like(map[string]any{"street": "1 Main St", "city": "Lyon", "postcode": "69001"}),
			"total":     map[string]any{"currency": "EUR", "units": grpcmock.Integer(20)},
			"tags":      grpcmock.EachLike("gift", 1),
		})
	m.Expect("shop.v1.Orders/GetOrder").
		Given("no order o-404", nil).
		UponReceiving("a request for a missing order").
		WithRequest(map[string]any{"id": "o-404"}).
		WillFailWith(codes.NotFound, "order o-404 not found")

	conn := mustConn(t, m.Addr())
	auth := metadata.Pairs("authorization", "Bearer abc")
	got, err := call(t, conn, m.Files(), getOrder, map[string]any{"id": "o-1"}, auth)
	require.NoError(t, err)
	require.Equal(t, "o-1", got["id"])
	require.Equal(t, "STATUS_SHIPPED", got["status"])
	require.Equal(t, "2024-03-01T10:00:00Z", got["created_at"])
	require.Equal(t, map[string]any{"channel": "web"}, got["labels"])

	_, err = call(t, conn, m.Files(), getOrder, map[string]any{"id": "o-404"}, nil)
	require.Equal(t, codes.NotFound, status.Code(err))
	require.Equal(t, "order o-404 not found", status.Convert(err).Message())

	require.NoError(t, m.Verify())
	paths, err := m.WritePact(t.TempDir())
	require.NoError(t, err)
	require.Len(t, paths, 1)
	return paths[0]
}

// shop implements Orders; wrong selects a broken variant.
func shop(wrong string) grpctest.Handler {
	return func(req map[string]any, md metadata.MD) (map[string]any, error) {
		id, _ := req["id"].(string)
		if id == "o-404" {
			if wrong == "status" {
				return map[string]any{"id": id}, nil
			}
			return nil, status.Errorf(codes.NotFound, "no order %s", id)
		}
		o := order(id)
		switch wrong {
		case "fields":
			o["status"] = "STATUS_PENDING"
			o["items"] = []any{map[string]any{"sku": "sku one", "quantity": 2, "price": map[string]any{"currency": "EUR", "units": 10}}}
			delete(o, "address")
			o["pickup_point"] = "locker 9"
		case "status":
			return nil, status.Error(codes.Internal, "boom")
		}
		return o, nil
	}
}

var update = flag.Bool("update", false, "rewrite the golden pact under testdata/grpc/full")

func TestFullCycle(t *testing.T) {
	path := writeConsumerPact(t)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assertPluginLayout(t, data)

	// The pact written is the golden one (descriptors, contents and rules
	// are deterministic), so any change of layout shows up as a diff.
	golden := filepath.Join(repoRoot(t), "testdata", "grpc", "full", "order-web-order-service.json")
	if *update {
		require.NoError(t, os.WriteFile(golden, data, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run go test -update to create it")
	require.Equal(t, string(want), string(data))

	files, imports := fullProtos(t)
	descs := grpcmock.New(t, files, imports).Files()
	for _, tc := range []struct {
		wrong string
		pass  bool
		paths []string
	}{
		{wrong: "", pass: true},
		// A missing key is reported at its parent, as the Pact matchers do
		// ("Actual map is missing the following keys: address").
		{wrong: "fields", paths: []string{"$", "$.items[0].sku", "$.status"}},
		{wrong: "status", paths: []string{"grpc-status"}},
	} {
		t.Run("provider "+tc.wrong, func(t *testing.T) {
			addr := grpctest.Serve(t, descs, map[string]grpctest.Handler{getOrder: shop(tc.wrong)})
			tr, err := grpcverify.New("grpc://"+addr, grpcverify.Options{})
			require.NoError(t, err)
			defer tr.Close()
			rep, err := verify.Verify(context.Background(), verify.Config{Transports: map[string]verify.Transport{"grpc": tr}},
				[]verify.Source{{Name: path, Data: data}})
			require.NoError(t, err)
			if tc.pass {
				require.True(t, rep.Success(), "%+v", rep.Pacts[0].Interactions)
				require.Equal(t, 2, rep.Counts().Passed)
				return
			}
			require.False(t, rep.Success())
			var paths []string
			for _, r := range rep.Pacts[0].Interactions {
				for _, f := range r.Failures {
					for _, m := range f.Mismatches {
						paths = append(paths, m.Path)
					}
				}
			}
			for _, p := range tc.paths {
				require.Contains(t, paths, p, "%+v", rep.Pacts[0].Interactions)
			}
		})
	}
}

// assertPluginLayout checks the pact has exactly the protobuf plugin's
// layout.
func assertPluginLayout(t *testing.T, data []byte) {
	t.Helper()
	var doc struct {
		Interactions []struct {
			Type                string `json:"type"`
			Transport           string `json:"transport"`
			Description         string `json:"description"`
			PluginConfiguration struct {
				Protobuf struct {
					Service       string `json:"service"`
					DescriptorKey string `json:"descriptorKey"`
				} `json:"protobuf"`
			} `json:"pluginConfiguration"`
			InteractionMarkup struct {
				Markup     string `json:"markup"`
				MarkupType string `json:"markupType"`
			} `json:"interactionMarkup"`
			Request struct {
				Contents map[string]any `json:"contents"`
				Metadata map[string]any `json:"metadata"`
			} `json:"request"`
			Response []struct {
				Contents map[string]any `json:"contents"`
				Metadata map[string]any `json:"metadata"`
			} `json:"response"`
		} `json:"interactions"`
		Metadata struct {
			PactSpecification struct {
				Version string `json:"version"`
			} `json:"pactSpecification"`
			Plugins []struct {
				Name          string `json:"name"`
				Version       string `json:"version"`
				Configuration map[string]struct {
					ProtoDescriptors string `json:"protoDescriptors"`
					ProtoFile        string `json:"protoFile"`
				} `json:"configuration"`
			} `json:"plugins"`
		} `json:"metadata"`
	}
	require.NoError(t, json.Unmarshal(data, &doc))
	require.Equal(t, "4.0", doc.Metadata.PactSpecification.Version)
	require.Len(t, doc.Metadata.Plugins, 1)
	plugin := doc.Metadata.Plugins[0]
	require.Equal(t, "protobuf", plugin.Name)
	require.Len(t, plugin.Configuration, 1)
	require.Len(t, doc.Interactions, 2)
	for _, in := range doc.Interactions {
		require.Equal(t, "Synchronous/Messages", in.Type)
		require.Equal(t, "grpc", in.Transport)
		require.Equal(t, ".shop.v1.Orders/GetOrder", in.PluginConfiguration.Protobuf.Service)
		key := in.PluginConfiguration.Protobuf.DescriptorKey
		entry, ok := plugin.Configuration[key]
		require.True(t, ok, "descriptor key %s", key)
		set, err := base64.StdEncoding.DecodeString(entry.ProtoDescriptors)
		require.NoError(t, err)
		sum := md5.Sum(set)
		require.Equal(t, hex.EncodeToString(sum[:]), key, "the plugin's key is the MD5 of the descriptor set")
		require.Contains(t, entry.ProtoFile, "service Orders")
		require.Equal(t, "COMMON_MARK", in.InteractionMarkup.MarkupType)
		require.Contains(t, in.InteractionMarkup.Markup, "```protobuf\nmessage GetOrderRequest {\n    string id = 1;\n}\n```\n")
		require.Equal(t, "application/protobuf;message=.shop.v1.GetOrderRequest", in.Request.Contents["contentType"])
		require.Equal(t, "BINARY", in.Request.Contents["contentTypeHint"])
		require.Equal(t, "base64", in.Request.Contents["encoded"])
		require.Equal(t, "application/protobuf;message=.shop.v1.GetOrderRequest", in.Request.Metadata["contentType"])
		require.Len(t, in.Response, 1)
		require.Equal(t, "application/protobuf;message=.shop.v1.Order", in.Response[0].Metadata["contentType"])
	}
	require.Equal(t, "NOT_FOUND", doc.Interactions[1].Response[0].Metadata["grpc-status"])
	require.Equal(t, "order o-404 not found", doc.Interactions[1].Response[0].Metadata["grpc-message"])

	// The pact parses, and the descriptors decode to the same services.
	p, err := pact.Parse(data)
	require.NoError(t, err)
	var r grpcverify.Resolver
	m, err := r.Resolve(p, p.Interactions[0])
	require.NoError(t, err)
	require.Equal(t, getOrder, m.Path)
	out, err := pact.Write(p, pact.V4)
	require.NoError(t, err)
	require.JSONEq(t, string(data), string(out))
}

// TestProviderStateGenerator: a request value taken from the provider
// state set-up reaches the provider with the value the state change
// returned; the mock serves the example.
func TestProviderStateGenerator(t *testing.T) {
	t.Parallel()
	files, imports := fullProtos(t)
	m := grpcmock.New(t, files, imports, grpcmock.Between("c", "p"))
	m.Expect("shop.v1.Orders/GetOrder").
		Given("an order exists", nil).
		UponReceiving("a request for an existing order").
		WithRequest(map[string]any{"id": grpcmock.FromProviderState("${id}", "o-1")}).
		WillRespondWith(map[string]any{"id": grpcmock.Like("o-1")})
	got, err := call(t, mustConn(t, m.Addr()), m.Files(), getOrder, map[string]any{"id": "o-5"}, nil)
	require.NoError(t, err)
	require.Equal(t, "o-1", got["id"])
	paths, err := m.WritePact(t.TempDir())
	require.NoError(t, err)
	require.Len(t, paths, 1)
	path := paths[0]
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(data), `"expression": "${id}"`)

	states := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"o-77"}`))
	}))
	defer states.Close()
	addr := grpctest.Serve(t, m.Files(), map[string]grpctest.Handler{getOrder: func(req map[string]any, _ metadata.MD) (map[string]any, error) {
		if req["id"] != "o-77" {
			return nil, status.Errorf(codes.NotFound, "no order %v", req["id"])
		}
		return map[string]any{"id": "o-77"}, nil
	}})
	tr, err := grpcverify.New(addr, grpcverify.Options{})
	require.NoError(t, err)
	defer tr.Close()
	rep, err := verify.Verify(context.Background(), verify.Config{
		StateChangeURL: states.URL,
		Transports:     map[string]verify.Transport{"grpc": tr},
	}, []verify.Source{{Name: path, Data: data}})
	require.NoError(t, err)
	require.True(t, rep.Success(), "%+v", rep.Pacts[0].Interactions)
}

// TestDescriptorSetOrder: the set lists each file after its imports, in
// import order, as protoc --include_imports does, and reads back.
func TestDescriptorSetOrder(t *testing.T) {
	t.Parallel()
	files, imports := fullProtos(t)
	m := grpcmock.New(t, files, imports)
	data, err := proto.DescriptorSet(m.Files())
	require.NoError(t, err)
	var set descriptorpb.FileDescriptorSet
	require.NoError(t, protoapi.Unmarshal(data, &set))
	var names []string
	for _, f := range set.GetFile() {
		names = append(names, f.GetName())
		require.Nil(t, f.GetSourceCodeInfo())
	}
	require.Equal(t, []string{"google/protobuf/timestamp.proto", "money.proto", "shop.proto"}, names)
	again, err := proto.ParseDescriptorSet(data)
	require.NoError(t, err)
	_, err = again.FindMethod("shop.v1.Orders/ListOrders")
	require.NoError(t, err)
	require.Len(t, proto.DescriptorKey(data), 32)
}

// TestResponseMetadataCycle: response metadata declared by the consumer is
// sent by the mock as headers, and the verifier requires it from the
// provider under its matching rule.
func TestResponseMetadataCycle(t *testing.T) {
	t.Parallel()
	files, imports := fullProtos(t)
	m := grpcmock.New(t, files, imports, grpcmock.Between("c", "p"))
	m.Expect("shop.v1.Orders/GetOrder").
		UponReceiving("an order with its version").
		WithRequest(map[string]any{"id": "o-1"}).
		WillRespondWith(map[string]any{"id": "o-1"}).
		WithResponseMetadata(map[string]any{"X-Version": grpcmock.Regex(`^\d+$`, "7")})
	fd, err := m.Files().FindMethod(getOrder)
	require.NoError(t, err)
	in, err := m.Files().FromValue(fd.Input(), map[string]any{"id": "o-1"})
	require.NoError(t, err)
	var header metadata.MD
	require.NoError(t, mustConn(t, m.Addr()).Invoke(context.Background(), getOrder, in, dynamicpb.NewMessage(fd.Output()), grpc.Header(&header)))
	require.Equal(t, []string{"7"}, header.Get("x-version"))
	paths, err := m.WritePact(t.TempDir())
	require.NoError(t, err)
	require.Len(t, paths, 1)
	path := paths[0]
	data, err := os.ReadFile(path)
	require.NoError(t, err)

	for _, tc := range []struct {
		name    string
		version string
		pass    bool
	}{{"right", "12", true}, {"not a number", "v12", false}, {"missing", "", false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			lis, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			srv := grpc.NewServer(grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
				req := dynamicpb.NewMessage(fd.Input())
				if err := stream.RecvMsg(req); err != nil {
					return err
				}
				if tc.version != "" {
					if err := stream.SetHeader(metadata.Pairs("x-version", tc.version)); err != nil {
						return err
					}
				}
				reply, err := m.Files().FromValue(fd.Output(), map[string]any{"id": "o-1"})
				if err != nil {
					return err
				}
				return stream.SendMsg(reply)
			}))
			go func() { _ = srv.Serve(lis) }()
			defer srv.Stop()
			tr, err := grpcverify.New(lis.Addr().String(), grpcverify.Options{})
			require.NoError(t, err)
			defer tr.Close()
			rep, err := verify.Verify(context.Background(), verify.Config{Transports: map[string]verify.Transport{"grpc": tr}},
				[]verify.Source{{Name: path, Data: data}})
			require.NoError(t, err)
			require.Equal(t, tc.pass, rep.Success(), "%+v", rep.Pacts[0].Interactions)
			if !tc.pass {
				f := rep.Pacts[0].Interactions[0].Failures[0]
				require.Equal(t, verify.FailureMetadata, f.ID)
				require.Equal(t, "x-version", f.Mismatches[0].Path)
			}
		})
	}
}
