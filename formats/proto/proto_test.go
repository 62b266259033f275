package proto_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	protov2 "google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/contracts-dev/contracts/formats/proto"
)

// repoRoot is where go.mod lives; tests run in formats/proto.
const repoRoot = "../.."

func testdata(parts ...string) string {
	return filepath.Join(append([]string{repoRoot, "testdata", "proto"}, parts...)...)
}

// mustSharedPacts returns the folder of real plugin pacts, skipping the test
// when the shared material is not next to the repository.
func mustSharedPacts(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join(repoRoot, "..", "shared", "grpc-plugin-pacts")
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("shared folder %s is missing (expected ../shared/grpc-plugin-pacts next to the repository root): %v", dir, err)
	}
	return dir
}

func mustLoadKitchen(tb testing.TB) *proto.Files {
	tb.Helper()
	files, err := proto.Load(context.Background(),
		[]string{testdata("kitchen", "shop", "order.proto")},
		[]string{testdata("kitchen")})
	require.NoError(tb, err)
	return files
}

func paths(fds []protoreflect.FileDescriptor) []string {
	var out []string
	for _, fd := range fds {
		out = append(out, fd.Path())
	}
	return out
}

func TestLoadSourcesWithImports(t *testing.T) {
	t.Parallel()
	files := mustLoadKitchen(t)
	require.Equal(t, []string{"shop/common/money.proto", "shop/order.proto"}, paths(files.Files()))

	order, err := files.FindMessage("shop.Order")
	require.NoError(t, err)
	pos := files.Position(order)
	require.Equal(t, testdata("kitchen", "shop", "order.proto"), pos.File)
	require.Equal(t, 12, pos.Line)

	money, err := files.FindMessage("Money")
	require.NoError(t, err)
	require.Equal(t, protoreflect.FullName("shop.common.Money"), money.FullName())
	require.Equal(t, proto.Position{File: testdata("kitchen", "shop", "common", "money.proto"), Line: 6}, files.Position(money))

	// Well-known types resolve without being on any import path.
	ts, err := files.FindMessage("google.protobuf.Timestamp")
	require.NoError(t, err)
	require.Equal(t, protoreflect.FullName("google.protobuf.Timestamp"), ts.FullName())
}

func TestLoadWithoutImportPathsUsesTheFilesDirectory(t *testing.T) {
	t.Parallel()
	files, err := proto.Load(context.Background(), []string{testdata("kitchen", "shop", "common", "money.proto")}, nil)
	require.NoError(t, err)
	require.Equal(t, []string{"money.proto"}, paths(files.Files()))
	md, err := files.FindMessage(".shop.common.Money")
	require.NoError(t, err)
	require.Equal(t, testdata("kitchen", "shop", "common", "money.proto")+":6", files.Position(md).String())
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		file     string
		wantLine int
		wantText []string
	}{
		{name: "unknown type", file: testdata("invalid", "bad.proto"), wantLine: 7, wantText: []string{"bad.proto:7:", "Missing"}},
		{name: "syntax error", file: testdata("invalid", "syntax.proto"), wantLine: 7, wantText: []string{"syntax.proto:7:", "syntax error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := proto.Load(context.Background(), []string{tt.file}, nil)
			require.Error(t, err)
			for _, want := range tt.wantText {
				require.Contains(t, err.Error(), want)
			}
			var ce *proto.CompileError
			require.True(t, errors.As(err, &ce), "error %v is not a CompileError", err)
			require.Equal(t, tt.file, ce.File)
			require.Equal(t, tt.wantLine, ce.Line)
		})
	}

	t.Run("missing file", func(t *testing.T) {
		t.Parallel()
		_, err := proto.Load(context.Background(), []string{testdata("nope.proto")}, nil)
		require.ErrorContains(t, err, "nope.proto")
	})
	t.Run("same name in two directories", func(t *testing.T) {
		t.Parallel()
		a, b := t.TempDir(), t.TempDir()
		for _, dir := range []string{a, b} {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "api.proto"), []byte(`syntax = "proto3";`), 0o600))
		}
		_, err := proto.Load(context.Background(), []string{filepath.Join(a, "api.proto"), filepath.Join(b, "api.proto")}, nil)
		require.ErrorContains(t, err, `would both compile as "api.proto"`)
		files, err := proto.Load(context.Background(), []string{filepath.Join(a, "api.proto"), filepath.Join(a, ".", "x", "..", "api.proto")}, nil)
		require.NoError(t, err, "the same file twice is fine")
		require.Len(t, files.Files(), 1)
	})
	t.Run("missing import", func(t *testing.T) {
		t.Parallel()
		// order.proto imports shop/common/money.proto, not findable from its own directory.
		_, err := proto.Load(context.Background(), []string{testdata("kitchen", "shop", "order.proto")}, nil)
		require.ErrorContains(t, err, `file "shop/common/money.proto" not found`)
		var ce *proto.CompileError
		require.True(t, errors.As(err, &ce), "error %v is not a CompileError", err)
		require.Equal(t, testdata("kitchen", "shop", "order.proto"), ce.File)
		require.Equal(t, 9, ce.Line)
		require.ErrorIs(t, err, os.ErrNotExist)
	})
}

func TestFindMethod(t *testing.T) {
	t.Parallel()
	files := mustLoadKitchen(t)
	for _, name := range []string{"Orders/GetOrder", "shop.Orders/GetOrder", ".shop.Orders/GetOrder", "/shop.Orders/GetOrder"} {
		m, err := files.FindMethod(name)
		require.NoError(t, err, name)
		require.Equal(t, protoreflect.FullName("shop.Orders.GetOrder"), m.FullName())
		require.Equal(t, protoreflect.FullName("shop.GetOrderRequest"), m.Input().FullName())
	}
	_, err := files.FindMethod("Orders/Nope")
	require.ErrorIs(t, err, proto.ErrNotFound)
	require.ErrorContains(t, err, "Nope")
	_, err = files.FindMethod("Nope/GetOrder")
	require.ErrorIs(t, err, proto.ErrNotFound)
	_, err = files.FindMethod("GetOrder")
	require.ErrorIs(t, err, proto.ErrNotFound)
	_, err = files.FindMessage("shop.Orders")
	require.ErrorIs(t, err, proto.ErrNotFound)
	// "Line" names both shop.Order.Line and nothing else; "lines" is a field, not a message.
	md, err := files.FindMessage("Line")
	require.NoError(t, err)
	require.Equal(t, protoreflect.FullName("shop.Order.Line"), md.FullName())
}

func TestFindMessageAmbiguous(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.proto"), []byte(`syntax = "proto3"; package a; message Thing {}`), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.proto"), []byte(`syntax = "proto3"; package b; message Thing {}`), 0o600))
	files, err := proto.Load(context.Background(), []string{filepath.Join(dir, "a.proto"), filepath.Join(dir, "b.proto")}, nil)
	require.NoError(t, err)
	_, err = files.FindMessage("Thing")
	require.ErrorIs(t, err, proto.ErrAmbiguous)
	require.ErrorContains(t, err, "a.Thing, b.Thing")
}

const orderJSON = `{
  "id": "o-1",
  "status": "STATUS_PLACED",
  "lines": [
    {"sku": "A", "quantity": 2, "price": {"currency_code": "EUR", "units": 9007199254740993, "nanos": 500000000}},
    {"sku": "B", "quantity": 1}
  ],
  "labels": {"b": "2", "a": "1"},
  "lines_by_number": {"7": {"sku": "C"}, "-1": {"sku": "D"}},
  "ship_to": {"lines": ["1 Main St"], "postcode": "N1"},
  "placed_at": "2024-03-01T10:00:00.250Z",
  "time_to_ship": "3600.5s",
  "attributes": {"vip": true, "tags": ["x", 1], "nested": {"n": null}},
  "coupon": "SAVE10",
  "loyalty_points": 42,
  "weight_kg": 1.25,
  "discount": 0.1,
  "signature": "AAEC/w==",
  "gift": true,
  "balance": -17,
  "checksum": 18446744073709551615,
  "priorities": ["PRIORITY_HIGH", "PRIORITY_LOW"],
  "note": "ring twice"
}`

func decodeJSON(tb testing.TB, s string) any {
	tb.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	require.NoError(tb, dec.Decode(&v))
	return v
}

func TestValueRoundTrip(t *testing.T) {
	t.Parallel()
	files := mustLoadKitchen(t)
	wire, err := files.ValueToBinary("shop.Order", decodeJSON(t, orderJSON))
	require.NoError(t, err)

	v, err := files.BinaryToValue("shop.Order", wire, proto.ValueOptions{})
	require.NoError(t, err)
	obj := v.(map[string]any)
	require.Equal(t, "STATUS_PLACED", obj["status"])
	require.Equal(t, json.Number("9007199254740993"), obj["lines"].([]any)[0].(map[string]any)["price"].(map[string]any)["units"])
	require.Equal(t, json.Number("18446744073709551615"), obj["checksum"])
	require.Equal(t, json.Number("-17"), obj["balance"])
	require.Equal(t, json.Number("0.1"), obj["discount"], "float32 keeps its shortest form")
	require.Equal(t, "2024-03-01T10:00:00.250Z", obj["placed_at"])
	require.Equal(t, "3600.500s", obj["time_to_ship"])
	require.Equal(t, "SAVE10", obj["coupon"], "wrappers become their value")
	require.Equal(t, json.Number("42"), obj["loyalty_points"])
	require.Equal(t, "AAEC/w==", obj["signature"])
	require.Equal(t, map[string]any{"a": "1", "b": "2"}, obj["labels"])
	require.Equal(t, []any{"PRIORITY_HIGH", "PRIORITY_LOW"}, obj["priorities"])
	require.Equal(t, map[string]any{"lines": []any{"1 Main St"}, "postcode": "N1"}, obj["ship_to"])
	require.NotContains(t, obj, "pickup_store", "the unset oneof member is absent")
	require.Equal(t, "ring twice", obj["note"])
	attrs := obj["attributes"].(map[string]any)
	require.Equal(t, true, attrs["vip"])
	require.Equal(t, map[string]any{"n": nil}, attrs["nested"])
	require.Contains(t, obj["lines_by_number"], "-1")

	back, err := files.ValueToBinary("shop.Order", v)
	require.NoError(t, err)
	require.Equal(t, wire, back, "binary -> value -> binary is lossless")

	// JSON names are accepted on the way in and produced on request.
	jv, err := files.BinaryToValue("shop.Order", wire, proto.ValueOptions{JSONNames: true})
	require.NoError(t, err)
	jobj := jv.(map[string]any)
	require.Contains(t, jobj, "linesByNumber")
	require.Contains(t, jobj, "customerNote")
	require.NotContains(t, jobj, "lines_by_number")
	back, err = files.ValueToBinary("shop.Order", jv)
	require.NoError(t, err)
	require.Equal(t, wire, back)
}

func TestValueEmitUnpopulated(t *testing.T) {
	t.Parallel()
	files := mustLoadKitchen(t)
	v, err := files.BinaryToValue("shop.Order", nil, proto.ValueOptions{EmitUnpopulated: true})
	require.NoError(t, err)
	obj := v.(map[string]any)
	require.Equal(t, "", obj["id"])
	require.Equal(t, "STATUS_UNSPECIFIED", obj["status"])
	require.Equal(t, []any{}, obj["lines"])
	require.Equal(t, map[string]any{}, obj["labels"])
	require.Nil(t, obj["placed_at"])
	require.Contains(t, obj, "placed_at")
	require.Equal(t, json.Number("0"), obj["weight_kg"])
	require.Equal(t, false, obj["gift"])
	require.NotContains(t, obj, "ship_to", "oneof members stay out")
	require.NotContains(t, obj, "note", "fields with presence stay out")
}

func TestValueErrorsNameTheField(t *testing.T) {
	t.Parallel()
	files := mustLoadKitchen(t)
	tests := []struct {
		name  string
		value string
		want  string
	}{
		{name: "unknown field", value: `{"nope": 1}`, want: "nope"},
		{name: "wrong type", value: `{"gift": "yes"}`, want: "gift"},
		{name: "unknown enum", value: `{"status": "STATUS_LOST"}`, want: "STATUS_LOST"},
		{name: "bad timestamp", value: `{"placed_at": "yesterday"}`, want: "yesterday"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := files.ValueToBinary("shop.Order", decodeJSON(t, tt.value))
			require.ErrorContains(t, err, tt.want)
			require.ErrorContains(t, err, "shop.Order")
		})
	}
	_, err := files.BinaryToValue("shop.Order", []byte{0xff, 0xff}, proto.ValueOptions{})
	require.ErrorContains(t, err, "decode shop.Order")
}

// pactFile is the part of a plugin-written pact these tests look at.
type pactFile struct {
	Interactions []struct {
		Description         string `json:"description"`
		PluginConfiguration struct {
			Protobuf struct {
				DescriptorKey string `json:"descriptorKey"`
				Service       string `json:"service"`
			} `json:"protobuf"`
		} `json:"pluginConfiguration"`
		Request struct {
			Contents *pactContents `json:"contents"`
		} `json:"request"`
		Response json.RawMessage `json:"response"`
	} `json:"interactions"`
}

type pactContents struct {
	Content     string `json:"content"`
	ContentType string `json:"contentType"`
}

func (c pactContents) message() string {
	_, after, _ := strings.Cut(c.ContentType, "message=")
	return after
}

func mustReadPact(tb testing.TB, path string) ([]byte, pactFile) {
	tb.Helper()
	data, err := os.ReadFile(path)
	require.NoError(tb, err)
	var p pactFile
	require.NoError(tb, json.Unmarshal(data, &p))
	return data, p
}

func TestPluginPactDescriptors(t *testing.T) {
	t.Parallel()
	dir := mustSharedPacts(t)
	tests := []struct {
		pact         string
		wantRequest  map[string]any
		wantResponse map[string]any
	}{
		{
			pact:         "area_calculator/protobuf-consumer-area-calculator-provider.json",
			wantRequest:  map[string]any{"rectangle": map[string]any{"length": json.Number("3"), "width": json.Number("4")}},
			wantResponse: map[string]any{"value": []any{json.Number("12")}},
		},
		{
			pact:         "http_plus_grpc/area-calculator-consumer-area-calculator-provider.json",
			wantRequest:  map[string]any{"rectangle": map[string]any{"length": json.Number("3"), "width": json.Number("4")}},
			wantResponse: map[string]any{"value": []any{json.Number("12")}},
		},
		{
			pact:         "response_metadata/grpc-consumer-rust-response_metadata.json",
			wantRequest:  map[string]any{}, // s = "" is proto3's default, so it is not set
			wantResponse: map[string]any{"b": true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.pact, func(t *testing.T) {
			t.Parallel()
			data, pact := mustReadPact(t, filepath.Join(dir, tt.pact))
			sets, err := proto.PactDescriptors(data)
			require.NoError(t, err)
			require.Len(t, sets, 1)

			it := pact.Interactions[0]
			files := sets[it.PluginConfiguration.Protobuf.DescriptorKey]
			require.NotNil(t, files, "descriptor key %s", it.PluginConfiguration.Protobuf.DescriptorKey)

			method, err := files.FindMethod(it.PluginConfiguration.Protobuf.Service)
			require.NoError(t, err)
			require.Equal(t, method.Input().FullName(), mustFindMessage(t, files, it.Request.Contents.message()).FullName())

			var responses []pactContents
			var wrapped []struct {
				Contents pactContents `json:"contents"`
			}
			require.NoError(t, json.Unmarshal(it.Response, &wrapped))
			for _, w := range wrapped {
				responses = append(responses, w.Contents)
			}
			require.Len(t, responses, 1)
			require.Equal(t, method.Output().FullName(), mustFindMessage(t, files, responses[0].message()).FullName())

			for _, c := range []struct {
				contents pactContents
				want     map[string]any
			}{{*it.Request.Contents, tt.wantRequest}, {responses[0], tt.wantResponse}} {
				wire, err := base64.StdEncoding.DecodeString(c.contents.Content)
				require.NoError(t, err)
				v, err := files.BinaryToValue(c.contents.message(), wire, proto.ValueOptions{})
				require.NoError(t, err)
				require.Equal(t, any(c.want), v)

				back, err := files.ValueToBinary(c.contents.message(), v)
				require.NoError(t, err)
				md := mustFindMessage(t, files, c.contents.message())
				orig, err := files.Unmarshal(md, wire)
				require.NoError(t, err)
				again, err := files.Unmarshal(md, back)
				require.NoError(t, err)
				require.True(t, protov2.Equal(orig, again), "round trip of %s changed the message", c.contents.Content)
			}
		})
	}
}

func mustFindMessage(tb testing.TB, files *proto.Files, name string) protoreflect.MessageDescriptor {
	tb.Helper()
	md, err := files.FindMessage(name)
	require.NoError(tb, err)
	return md
}

// The descriptors a pact carries describe the same messages and services as
// the .proto sources it was made from.
func TestPluginPactDescriptorsMatchSources(t *testing.T) {
	t.Parallel()
	dir := mustSharedPacts(t)
	tests := []struct{ proto, pact string }{
		{"area_calculator/area_calculator.proto", "area_calculator/protobuf-consumer-area-calculator-provider.json"},
		{"http_plus_grpc/area_calculator.proto", "http_plus_grpc/area-calculator-consumer-area-calculator-provider.json"},
		{"response_metadata/response_metadata.proto", "response_metadata/grpc-consumer-rust-response_metadata.json"},
	}
	for _, tt := range tests {
		t.Run(tt.proto, func(t *testing.T) {
			t.Parallel()
			src, err := proto.Load(context.Background(), []string{filepath.Join(dir, tt.proto)}, nil)
			require.NoError(t, err)
			data, _ := mustReadPact(t, filepath.Join(dir, tt.pact))
			sets, err := proto.PactDescriptors(data)
			require.NoError(t, err)
			var fromPact *proto.Files
			for _, f := range sets {
				fromPact = f
			}
			require.Len(t, src.Files(), 1)
			require.Len(t, fromPact.Files(), 1)
			a := protodesc.ToFileDescriptorProto(src.Files()[0])
			b := protodesc.ToFileDescriptorProto(fromPact.Files()[0])
			require.Equal(t, a.GetPackage(), b.GetPackage())
			require.Equal(t, len(a.GetMessageType()), len(b.GetMessageType()))
			for i := range a.GetMessageType() {
				require.True(t, protov2.Equal(a.GetMessageType()[i], b.GetMessageType()[i]), "message %s differs", a.GetMessageType()[i].GetName())
			}
			require.True(t, protov2.Equal(a.GetService()[0], b.GetService()[0]))
			// Sources keep positions; plugin descriptor sets have none.
			md := src.Files()[0].Messages().Get(0)
			require.NotZero(t, src.Position(md).Line)
			require.Zero(t, fromPact.Position(fromPact.Files()[0].Messages().Get(0)).Line)
		})
	}
}

func TestParseDescriptorSet(t *testing.T) {
	t.Parallel()
	files := mustLoadKitchen(t)
	set := &descriptorpb.FileDescriptorSet{}
	for _, fd := range files.Files() {
		set.File = append(set.File, protodesc.ToFileDescriptorProto(fd))
	}
	data, err := protov2.Marshal(set)
	require.NoError(t, err)

	// The set leaves out the well-known types order.proto imports; they resolve anyway.
	parsed, err := proto.ParseDescriptorSet(data)
	require.NoError(t, err)
	require.Equal(t, []string{"shop/common/money.proto", "shop/order.proto"}, paths(parsed.Files()))
	wire, err := parsed.ValueToBinary("shop.Order", decodeJSON(t, orderJSON))
	require.NoError(t, err)
	want, err := files.ValueToBinary("shop.Order", decodeJSON(t, orderJSON))
	require.NoError(t, err)
	require.Equal(t, want, wire)

	b64, err := proto.DecodeDescriptorSet(base64.StdEncoding.EncodeToString(data))
	require.NoError(t, err)
	require.Len(t, b64.Files(), 2)

	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		_, err := proto.ParseDescriptorSet([]byte{0xff})
		require.ErrorContains(t, err, "parse descriptor set")
		_, err = proto.DecodeDescriptorSet("not base64!")
		require.ErrorContains(t, err, "protoDescriptors")
		onlyOrder := &descriptorpb.FileDescriptorSet{File: set.File[1:]}
		data, err := protov2.Marshal(onlyOrder)
		require.NoError(t, err)
		_, err = proto.ParseDescriptorSet(data)
		require.ErrorContains(t, err, `shop/order.proto imports "shop/common/money.proto"`)
	})
}

func TestPactDescriptorsRejectsBadBase64(t *testing.T) {
	t.Parallel()
	_, err := proto.PactDescriptors([]byte(`{"metadata":{"plugins":[{"name":"protobuf","configuration":{"k1":{"protoDescriptors":"%%%"}}}]}}`))
	require.ErrorContains(t, err, `$.metadata.plugins[0].configuration["k1"].protoDescriptors`)
	sets, err := proto.PactDescriptors([]byte(`{"metadata":{}}`))
	require.NoError(t, err)
	require.Empty(t, sets)
}

func TestContentTypeMessage(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"application/protobuf; message=.area_calculator.ShapeMessage", ".area_calculator.ShapeMessage"},
		{"application/protobuf;message=ShapeMessage", "ShapeMessage"},
		{"application/grpc; charset=utf-8; message=pkg.Msg", "pkg.Msg"},
		{`application/protobuf; message="pkg.Msg"`, "pkg.Msg"},
		{"application/protobuf; message=a/b; x", "a/b"},
		{"application/protobuf", ""},
		{"application/json", ""},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, proto.ContentTypeMessage(tt.in), tt.in)
	}
}

// kindOf returns the kind of message.field in files.
func kindOf(tb testing.TB, files *proto.Files, message, field string) protoreflect.Kind {
	tb.Helper()
	md, err := files.FindMessage(message)
	require.NoError(tb, err)
	fd := md.Fields().ByName(protoreflect.Name(field))
	require.NotNil(tb, fd, "%s has no field %s", message, field)
	return fd.Kind()
}

// Two trees with the same internal paths are each compiled from their own
// files: a root never resolves the other tree's copy of a file.
func TestLoadTwoTreesWithTheSamePaths(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	oldRoot, newRoot := testdata("trees", "old"), testdata("trees", "new")

	t.Run("directories as module roots", func(t *testing.T) {
		t.Parallel()
		old, err := proto.LoadDir(ctx, oldRoot, nil)
		require.NoError(t, err)
		new, err := proto.LoadDir(ctx, newRoot, nil)
		require.NoError(t, err)
		require.Equal(t, []string{"shop/v1/money.proto", "shop/v1/order.proto"}, paths(new.Files()))
		require.Equal(t, protoreflect.Int64Kind, kindOf(t, old, "shop.v1.Money", "units"))
		require.Equal(t, protoreflect.StringKind, kindOf(t, new, "shop.v1.Money", "units"))
		md, err := new.FindMessage("shop.v1.Money")
		require.NoError(t, err)
		require.Equal(t, filepath.Join(newRoot, "shop", "v1", "money.proto")+":6", new.Position(md).String())
	})
	t.Run("both roots as import paths", func(t *testing.T) {
		t.Parallel()
		both := []string{oldRoot, newRoot}
		old, err := proto.Load(ctx, []string{filepath.Join(oldRoot, "shop", "v1", "order.proto")}, both)
		require.NoError(t, err)
		new, err := proto.Load(ctx, []string{filepath.Join(newRoot, "shop", "v1", "order.proto")}, both)
		require.NoError(t, err)
		require.Equal(t, protoreflect.Int64Kind, kindOf(t, old, "shop.v1.Money", "units"))
		require.Equal(t, protoreflect.StringKind, kindOf(t, new, "shop.v1.Money", "units"), "the new file and its imports come from the new root")
		order, err := new.FindMessage("shop.v1.Order")
		require.NoError(t, err)
		require.Equal(t, filepath.Join(newRoot, "shop", "v1", "order.proto"), new.Position(order).File)
	})
	t.Run("not a directory", func(t *testing.T) {
		t.Parallel()
		_, err := proto.LoadDir(ctx, filepath.Join(oldRoot, "shop", "v1", "order.proto"), nil)
		require.ErrorContains(t, err, "order.proto: not a directory")
		_, err = proto.LoadDir(ctx, t.TempDir(), nil)
		require.ErrorContains(t, err, "no .proto files")
	})
}

// Editions files import the language feature sets, which import
// descriptor.proto themselves.
func TestLoadLanguageFeatureImports(t *testing.T) {
	t.Parallel()
	files, err := proto.Load(context.Background(), []string{testdata("features", "editions.proto")}, nil)
	require.NoError(t, err)
	require.Equal(t, []string{"editions.proto"}, paths(files.Files()))
	md, err := files.FindMessage("features.v1.Item")
	require.NoError(t, err)
	require.Equal(t, 2, md.Fields().Len())
}

func TestSideImportPaths(t *testing.T) {
	t.Parallel()
	old, new := testdata("trees", "old"), testdata("trees", "new")
	oldFile, newFile := filepath.Join(old, "shop", "v1", "order.proto"), filepath.Join(new, "shop", "v1", "order.proto")
	third := testdata("kitchen")
	require.Equal(t, []string{old, third}, proto.SideImportPaths([]string{old, new, third}, []string{oldFile}, []string{newFile}))
	require.Equal(t, []string{new, third}, proto.SideImportPaths([]string{old, new, third}, []string{newFile}, []string{oldFile}))
	// A directory holding both sides serves both.
	trees := testdata("trees")
	require.Equal(t, []string{trees}, proto.SideImportPaths([]string{trees}, []string{oldFile}, []string{newFile}))
	require.Equal(t, []string{trees}, proto.SideImportPaths([]string{trees}, []string{new}, []string{old}))
	require.Empty(t, proto.SideImportPaths([]string{new}, []string{old}, []string{new}))
}

func TestLoadWithoutSourceInfo(t *testing.T) {
	t.Parallel()
	files, err := proto.LoadDir(context.Background(), testdata("trees", "old"), nil, proto.WithoutSourceInfo())
	require.NoError(t, err)
	md, err := files.FindMessage("shop.v1.Money")
	require.NoError(t, err)
	require.Equal(t, proto.Position{File: filepath.Join(testdata("trees", "old"), "shop", "v1", "money.proto")}, files.Position(md))
}

func TestMergePluginsMetadata(t *testing.T) {
	t.Parallel()
	const calc = `[{"name":"protobuf","version":"0.4.0","configuration":{"k1":{"protoDescriptors":"AAA"}}}]`
	for _, tc := range []struct {
		name, into, from, want string
		changed                bool
	}{
		{"a plugin into lacks is appended", calc, `[{"name":"avro","configuration":{"a":1}}]`,
			`[{"name":"protobuf","version":"0.4.0","configuration":{"k1":{"protoDescriptors":"AAA"}}},{"name":"avro","configuration":{"a":1}}]`, true},
		{"descriptor keys into lacks are added, its own kept", calc, `[{"name":"protobuf","configuration":{"k1":{"protoDescriptors":"BBB"},"k2":{"protoDescriptors":"CCC"}}}]`,
			`[{"name":"protobuf","version":"0.4.0","configuration":{"k1":{"protoDescriptors":"AAA"},"k2":{"protoDescriptors":"CCC"}}}]`, true},
		{"nothing new", calc, `[{"name":"protobuf","configuration":{"k1":{"protoDescriptors":"BBB"}}}]`, calc, false},
		{"not a list", calc, `{"name":"protobuf"}`, calc, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, changed := proto.MergePluginsMetadata(json.RawMessage(tc.into), json.RawMessage(tc.from))
			require.Equal(t, tc.changed, changed)
			require.JSONEq(t, tc.want, string(got))
		})
	}
}
