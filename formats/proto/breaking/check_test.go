package breaking_test

import (
	"context"
	"os"
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

func TestCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		dir  string
		want []want
	}{
		{"package-changed", []want{{breaking.RulePackageChanged, "shop.v1", 3}}},
		{"package-changed-with-field-deleted", []want{
			{breaking.RulePackageChanged, "shop.v1", 3},
			{breaking.RuleFieldDeleted, "shop.v1.Order.note", 5},
		}},
		// Only the outer message is reported, not its nested message and enum.
		{"message-deleted", []want{{breaking.RuleMessageDeleted, "shop.v1.Extra", 3}}},
		{"field-deleted", []want{{breaking.RuleFieldDeleted, "shop.v1.Order.note", 5}}},
		// Reserving the number keeps the wire safe but not JSON.
		{"field-deleted-number-reserved", []want{{breaking.RuleFieldDeleted, "shop.v1.Order.note", 5}}},
		{"field-type-changed", []want{{breaking.RuleFieldTypeChanged, "shop.v1.Order.quantity", 7}}},
		{"field-type-changed-message", []want{{breaking.RuleFieldTypeChanged, "shop.v1.Order.item", 15}}},
		{"field-type-changed-map", []want{{breaking.RuleFieldTypeChanged, "shop.v1.Order.counts", 16}}},
		{"field-cardinality-changed", []want{{breaking.RuleFieldCardinalityChanged, "shop.v1.Order.tags", 8}}},
		{"field-name-changed", []want{{breaking.RuleFieldNameChanged, "shop.v1.Order.note", 13}}},
		{"field-json-name-changed", []want{{breaking.RuleFieldJSONNameChanged, "shop.v1.Order.note", 13}}},
		{"field-oneof-changed", []want{{breaking.RuleFieldOneofChanged, "shop.v1.Order.note", 12}}},
		{"oneof-deleted", []want{
			{breaking.RuleOneofDeleted, "shop.v1.Order.payment", 5},
			{breaking.RuleFieldOneofChanged, "shop.v1.Order.card", 9},
			{breaking.RuleFieldOneofChanged, "shop.v1.Order.voucher", 10},
		}},
		{"enum-deleted", []want{{breaking.RuleEnumDeleted, "shop.v1.Color", 3}}},
		{"enum-value-deleted", []want{{breaking.RuleEnumValueDeleted, "shop.v1.Status.STATUS_CLOSED", 22}}},
		{"enum-value-name-changed", []want{{breaking.RuleEnumValueNameChanged, "shop.v1.Status.STATUS_CLOSED", 25}}},
		{"service-deleted", []want{{breaking.RuleServiceDeleted, "shop.v1.Admin", 3}}},
		{"rpc-deleted", []want{{breaking.RuleRPCDeleted, "shop.v1.Orders.ListOrders", 28}}},
		{"rpc-request-type-changed", []want{{breaking.RuleRPCRequestTypeChanged, "shop.v1.Orders.GetOrder", 29}}},
		{"rpc-response-type-changed", []want{{breaking.RuleRPCResponseTypeChanged, "shop.v1.Orders.GetOrder", 29}}},
		{"rpc-client-streaming-changed", []want{{breaking.RuleRPCClientStreamingChanged, "shop.v1.Orders.GetOrder", 29}}},
		{"rpc-server-streaming-changed", []want{{breaking.RuleRPCServerStreamingChanged, "shop.v1.Orders.ListOrders", 30}}},

		// Changes that break nobody.
		{"ok-field-added", nil},
		{"ok-comment-changed", nil},
		{"ok-field-reserved", nil},
		{"ok-enum-value-reserved", nil},
		{"ok-enum-value-alias", nil},
		{"ok-proto3-optional", nil},
		{"ok-declarations-reordered", nil},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			t.Parallel()
			got := mustCheckCase(t, tt.dir)
			wantList := tt.want
			if wantList == nil {
				wantList = []want{}
			}
			require.Equal(t, wantList, summarize(got))
			for _, f := range got {
				require.Equal(t, filepath.Join(caseDir(tt.dir), "new.proto"), f.File)
				require.NotEmpty(t, f.Message)
			}
		})
	}
}

func TestCheckMessages(t *testing.T) {
	t.Parallel()
	got := mustCheckCase(t, "field-deleted-number-reserved")
	require.Len(t, got, 1)
	require.Equal(t, `field 6 "note" on message shop.v1.Order was deleted without reserving its name "note"`, got[0].Message)
	require.Equal(t, filepath.Join(caseDir("field-deleted-number-reserved"), "new.proto")+`:5: field-deleted: field 6 "note" on message shop.v1.Order was deleted without reserving its name "note"`, got[0].String())
}

// Every rule has a case directory named after it that triggers it.
func TestEveryRuleHasACase(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, r := range breaking.Rules() {
		require.False(t, seen[r.ID], "duplicate rule %s", r.ID)
		seen[r.ID] = true
		require.NotEmpty(t, r.Summary)
		_, err := os.Stat(caseDir(r.ID))
		require.NoError(t, err, "rule %s has no case directory", r.ID)
		var ids []string
		for _, f := range mustCheckCase(t, r.ID) {
			ids = append(ids, f.RuleID)
		}
		require.Contains(t, ids, r.ID)
	}
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
		RuleID:  breaking.RuleRPCDeleted,
		File:    "orders.proto",
		Element: "shop.v1.Orders.ListOrders",
		Message: "rpc ListOrders was deleted from service shop.v1.Orders",
	}}, got)
	require.Equal(t, "orders.proto: rpc-deleted: rpc ListOrders was deleted from service shop.v1.Orders", got[0].String())
}

// The schema a plugin pact was written from is compatible with itself.
func TestCheckSameSchemaHasNoFindings(t *testing.T) {
	t.Parallel()
	files := mustLoad(t, filepath.Join(repoRoot, "testdata", "proto", "kitchen", "shop", "common", "money.proto"))
	require.Empty(t, breaking.Check(files, files))
}
