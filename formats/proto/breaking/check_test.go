package breaking_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	protov2 "google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/contracts-dev/contracts/formats/proto"
	"github.com/contracts-dev/contracts/formats/proto/breaking"
)

const repoRoot = "../../.."

func caseDir(name string) string {
	return filepath.Join(repoRoot, "testdata", "proto", "breaking", name)
}

func mustLoad(tb testing.TB, file string) *proto.Files {
	tb.Helper()
	files, err := proto.Load(context.Background(), []string{file}, nil)
	require.NoError(tb, err)
	return files
}

func mustCheckCase(tb testing.TB, name string) []breaking.Finding {
	tb.Helper()
	old := mustLoad(tb, filepath.Join(caseDir(name), "old.proto"))
	new := mustLoad(tb, filepath.Join(caseDir(name), "new.proto"))
	return breaking.Check(old, new)
}

func mustSelect(tb testing.TB, names ...string) breaking.RuleSet {
	tb.Helper()
	set, err := breaking.Select(names)
	require.NoError(tb, err)
	return set
}

// want is the part of a finding a case pins down.
type want struct {
	rule    string
	element string
	line    int
}

func summarize(fs []breaking.Finding) []want {
	out := []want{}
	for _, f := range fs {
		out = append(out, want{f.RuleID, f.Element, f.Line})
	}
	return out
}

// The single-file cases of testdata/proto/breaking under FILE (buf's
// default) and WIRE_JSON: deletions count in FILE only, wire- and
// JSON-compatible changes in neither's WIRE_JSON.
func TestCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		dir  string
		cat  breaking.Category
		want []want
	}{
		{"enum-deleted", breaking.CategoryFile, []want{{breaking.RuleEnumDeleted, "shop.v1.Color", 1}}},
		{"enum-deleted", breaking.CategoryWireJSON, nil},
		{"enum-value-deleted", breaking.CategoryFile, []want{{breaking.RuleEnumValueDeleted, "shop.v1.Status.STATUS_CLOSED", 22}}},
		{"enum-value-deleted", breaking.CategoryWireJSON, []want{{breaking.RuleEnumValueDeletedNameNotReserved, "shop.v1.Status.STATUS_CLOSED", 22}, {breaking.RuleEnumValueDeletedNumberNotReserved, "shop.v1.Status.STATUS_CLOSED", 22}}},
		{"enum-value-name-changed", breaking.CategoryFile, []want{{breaking.RuleEnumValueNameChanged, "shop.v1.Status.STATUS_CLOSED", 25}}},
		{"enum-value-name-changed", breaking.CategoryWireJSON, []want{{breaking.RuleEnumValueNameChanged, "shop.v1.Status.STATUS_CLOSED", 25}}},
		{"field-cardinality-changed", breaking.CategoryFile, []want{{breaking.RuleFieldCardinalityChanged, "shop.v1.Order.tags", 8}}},
		{"field-cardinality-changed", breaking.CategoryWireJSON, []want{{breaking.RuleFieldWireJSONCardinality, "shop.v1.Order.tags", 8}}},
		{"field-deleted", breaking.CategoryFile, []want{{breaking.RuleFieldDeleted, "shop.v1.Order.note", 5}}},
		{"field-deleted", breaking.CategoryWireJSON, []want{{breaking.RuleFieldDeletedNameNotReserved, "shop.v1.Order.note", 5}, {breaking.RuleFieldDeletedNumberNotReserved, "shop.v1.Order.note", 5}}},
		{"field-deleted-number-reserved", breaking.CategoryFile, []want{{breaking.RuleFieldDeleted, "shop.v1.Order.note", 5}}},
		{"field-deleted-number-reserved", breaking.CategoryWireJSON, []want{{breaking.RuleFieldDeletedNameNotReserved, "shop.v1.Order.note", 5}}},
		{"field-json-name-changed", breaking.CategoryFile, []want{{breaking.RuleFieldJSONNameChanged, "shop.v1.Order.note", 13}}},
		{"field-json-name-changed", breaking.CategoryWireJSON, []want{{breaking.RuleFieldJSONNameChanged, "shop.v1.Order.note", 13}}},
		{"field-name-changed", breaking.CategoryFile, []want{{breaking.RuleFieldJSONNameChanged, "shop.v1.Order.note", 13}, {breaking.RuleFieldNameChanged, "shop.v1.Order.note", 13}}},
		{"field-name-changed", breaking.CategoryWireJSON, []want{{breaking.RuleFieldJSONNameChanged, "shop.v1.Order.note", 13}, {breaking.RuleFieldNameChanged, "shop.v1.Order.note", 13}}},
		{"field-oneof-changed", breaking.CategoryFile, []want{{breaking.RuleFieldCardinalityChanged, "shop.v1.Order.note", 12}, {breaking.RuleFieldOneofChanged, "shop.v1.Order.note", 12}}},
		{"field-oneof-changed", breaking.CategoryWireJSON, []want{{breaking.RuleFieldOneofChanged, "shop.v1.Order.note", 12}}},
		{"field-type-changed", breaking.CategoryFile, []want{{breaking.RuleFieldTypeChanged, "shop.v1.Order.quantity", 7}}},
		{"field-type-changed", breaking.CategoryWireJSON, []want{{breaking.RuleFieldWireJSONTypeChanged, "shop.v1.Order.quantity", 7}}},
		{"field-type-changed-map", breaking.CategoryFile, []want{{breaking.RuleFieldTypeChanged, "shop.v1.Order.CountsEntry.value", 16}}},
		{"field-type-changed-map", breaking.CategoryWireJSON, []want{{breaking.RuleFieldWireJSONTypeChanged, "shop.v1.Order.CountsEntry.value", 16}}},
		{"field-type-changed-message", breaking.CategoryFile, []want{{breaking.RuleFieldTypeChanged, "shop.v1.Order.item", 15}}},
		{"field-type-changed-message", breaking.CategoryWireJSON, []want{{breaking.RuleFieldWireJSONTypeChanged, "shop.v1.Order.item", 15}}},
		{"message-deleted", breaking.CategoryFile, []want{{breaking.RuleEnumDeleted, "shop.v1.Extra.Kind", 1}, {breaking.RuleMessageDeleted, "shop.v1.Extra", 1}, {breaking.RuleMessageDeleted, "shop.v1.Extra.Inner", 1}}},
		{"message-deleted", breaking.CategoryWireJSON, nil},
		{"ok-comment-changed", breaking.CategoryFile, nil},
		{"ok-comment-changed", breaking.CategoryWireJSON, nil},
		{"ok-declarations-reordered", breaking.CategoryFile, nil},
		{"ok-declarations-reordered", breaking.CategoryWireJSON, nil},
		{"ok-enum-value-alias", breaking.CategoryFile, nil},
		{"ok-enum-value-alias", breaking.CategoryWireJSON, nil},
		{"ok-enum-value-reserved", breaking.CategoryFile, []want{{breaking.RuleEnumValueDeleted, "shop.v1.Status.STATUS_CLOSED", 22}}},
		{"ok-enum-value-reserved", breaking.CategoryWireJSON, nil},
		{"ok-field-added", breaking.CategoryFile, nil},
		{"ok-field-added", breaking.CategoryWireJSON, nil},
		{"ok-field-reserved", breaking.CategoryFile, []want{{breaking.RuleFieldDeleted, "shop.v1.Order.note", 5}}},
		{"ok-field-reserved", breaking.CategoryWireJSON, nil},
		{"ok-proto3-optional", breaking.CategoryFile, []want{{breaking.RuleFieldCardinalityChanged, "shop.v1.Order.note", 13}}},
		{"ok-proto3-optional", breaking.CategoryWireJSON, nil},
		{"oneof-deleted", breaking.CategoryFile, []want{{breaking.RuleOneofDeleted, "shop.v1.Order.payment", 5}, {breaking.RuleFieldCardinalityChanged, "shop.v1.Order.card", 9}, {breaking.RuleFieldOneofChanged, "shop.v1.Order.card", 9}, {breaking.RuleFieldCardinalityChanged, "shop.v1.Order.voucher", 10}, {breaking.RuleFieldOneofChanged, "shop.v1.Order.voucher", 10}}},
		{"oneof-deleted", breaking.CategoryWireJSON, []want{{breaking.RuleFieldOneofChanged, "shop.v1.Order.card", 9}, {breaking.RuleFieldOneofChanged, "shop.v1.Order.voucher", 10}}},
		{"package-changed", breaking.CategoryFile, []want{{breaking.RulePackageChanged, "shop.v1", 3}}},
		{"package-changed", breaking.CategoryWireJSON, []want{{breaking.RulePackageChanged, "shop.v1", 3}}},
		{"package-changed-with-field-deleted", breaking.CategoryFile, []want{{breaking.RulePackageChanged, "shop.v1", 3}}},
		{"package-changed-with-field-deleted", breaking.CategoryWireJSON, []want{{breaking.RulePackageChanged, "shop.v1", 3}}},
		{"rpc-client-streaming-changed", breaking.CategoryFile, []want{{breaking.RuleRPCClientStreamingChanged, "shop.v1.Orders.GetOrder", 29}}},
		{"rpc-client-streaming-changed", breaking.CategoryWireJSON, []want{{breaking.RuleRPCClientStreamingChanged, "shop.v1.Orders.GetOrder", 29}}},
		{"rpc-deleted", breaking.CategoryFile, []want{{breaking.RuleRPCDeleted, "shop.v1.Orders.ListOrders", 28}}},
		{"rpc-deleted", breaking.CategoryWireJSON, nil},
		{"rpc-request-type-changed", breaking.CategoryFile, []want{{breaking.RuleRPCRequestTypeChanged, "shop.v1.Orders.GetOrder", 29}}},
		{"rpc-request-type-changed", breaking.CategoryWireJSON, []want{{breaking.RuleRPCRequestTypeChanged, "shop.v1.Orders.GetOrder", 29}}},
		{"rpc-response-type-changed", breaking.CategoryFile, []want{{breaking.RuleRPCResponseTypeChanged, "shop.v1.Orders.GetOrder", 29}}},
		{"rpc-response-type-changed", breaking.CategoryWireJSON, []want{{breaking.RuleRPCResponseTypeChanged, "shop.v1.Orders.GetOrder", 29}}},
		{"rpc-server-streaming-changed", breaking.CategoryFile, []want{{breaking.RuleRPCServerStreamingChanged, "shop.v1.Orders.ListOrders", 30}}},
		{"rpc-server-streaming-changed", breaking.CategoryWireJSON, []want{{breaking.RuleRPCServerStreamingChanged, "shop.v1.Orders.ListOrders", 30}}},
		{"service-deleted", breaking.CategoryFile, []want{{breaking.RuleServiceDeleted, "shop.v1.Admin", 1}}},
		{"service-deleted", breaking.CategoryWireJSON, nil},
	}
	for _, tt := range tests {
		t.Run(tt.dir+"/"+string(tt.cat), func(t *testing.T) {
			t.Parallel()
			old := mustLoad(t, filepath.Join(caseDir(tt.dir), "old.proto"))
			new := mustLoad(t, filepath.Join(caseDir(tt.dir), "new.proto"))
			got := breaking.CheckRules(old, new, mustSelect(t, string(tt.cat)))
			wantList := tt.want
			if wantList == nil {
				wantList = []want{}
			}
			require.Equal(t, wantList, summarize(got))
			for _, f := range got {
				require.Equal(t, filepath.Join(caseDir(tt.dir), "new.proto"), f.File)
				require.NotEmpty(t, f.Message)
				require.Equal(t, breaking.BufID(f.RuleID), f.BufRuleID)
			}
		})
	}
}

func TestCheckMessages(t *testing.T) {
	t.Parallel()
	old := mustLoad(t, filepath.Join(caseDir("field-deleted-number-reserved"), "old.proto"))
	new := mustLoad(t, filepath.Join(caseDir("field-deleted-number-reserved"), "new.proto"))
	got := breaking.CheckRules(old, new, mustSelect(t, "WIRE_JSON"))
	require.Len(t, got, 1)
	require.Equal(t, `field 6 "note" on message shop.v1.Order was deleted without reserving its name "note"`, got[0].Message)
	require.Equal(t, filepath.Join(caseDir("field-deleted-number-reserved"), "new.proto")+`:5: field-deleted-name-not-reserved (FIELD_NO_DELETE_UNLESS_NAME_RESERVED): field 6 "note" on message shop.v1.Order was deleted without reserving its name "note"`, got[0].String())
}

func TestCheckIsDeterministic(t *testing.T) {
	t.Parallel()
	first := mustCheckCase(t, "oneof-deleted")
	for range 20 {
		require.Equal(t, first, mustCheckCase(t, "oneof-deleted"))
	}
}

// Descriptor sets carry no source info: findings have the file but line 0.
func TestCheckDescriptorSets(t *testing.T) {
	t.Parallel()
	toSet := func(files *proto.Files) *proto.Files {
		set := &descriptorpb.FileDescriptorSet{}
		for _, fd := range files.Files() {
			fdp := protodesc.ToFileDescriptorProto(fd)
			fdp.SourceCodeInfo = nil
			fdp.Name = protov2.String("orders.proto")
			set.File = append(set.File, fdp)
		}
		data, err := protov2.Marshal(set)
		require.NoError(t, err)
		out, err := proto.ParseDescriptorSet(data)
		require.NoError(t, err)
		return out
	}
	old := toSet(mustLoad(t, filepath.Join(caseDir("rpc-deleted"), "old.proto")))
	new := toSet(mustLoad(t, filepath.Join(caseDir("rpc-deleted"), "new.proto")))
	got := breaking.Check(old, new)
	require.Equal(t, []breaking.Finding{{
		RuleID:    breaking.RuleRPCDeleted,
		BufRuleID: "RPC_NO_DELETE",
		File:      "orders.proto",
		Element:   "shop.v1.Orders.ListOrders",
		Message:   "rpc ListOrders was deleted from service shop.v1.Orders",
	}}, got)
	require.Equal(t, "orders.proto: rpc-deleted (RPC_NO_DELETE): rpc ListOrders was deleted from service shop.v1.Orders", got[0].String())
}

// The schema a plugin pact was written from is compatible with itself.
func TestCheckSameSchemaHasNoFindings(t *testing.T) {
	t.Parallel()
	files := mustLoad(t, filepath.Join(repoRoot, "testdata", "proto", "kitchen", "shop", "common", "money.proto"))
	require.Empty(t, breaking.Check(files, files))
}
