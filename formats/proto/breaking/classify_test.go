package breaking_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/proto"
	"github.com/contracts-dev/contracts/formats/proto/breaking"
)

var update = flag.Bool("update", false, "rewrite golden files")

func mustReadFile(tb testing.TB, path string) []byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	require.NoError(tb, err)
	return data
}

func mustPactUsage(tb testing.TB, path string, schema *proto.Files) []breaking.InteractionUsage {
	tb.Helper()
	u, err := breaking.PactUsage(mustReadFile(tb, path), schema)
	require.NoError(tb, err)
	return u
}

func mustGolden(tb testing.TB, path string, got []byte) {
	tb.Helper()
	if *update {
		require.NoError(tb, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(tb, err, "golden file missing: run go test -update")
	require.Equal(tb, string(want), string(got))
}

func TestPactUsage(t *testing.T) {
	t.Parallel()
	dir := caseDir("consumer-aware")
	mobile := mustPactUsage(t, filepath.Join(dir, "mobile-app.json"), nil)
	// The HTTP health check is not protobuf and is skipped.
	require.Len(t, mobile, 2)
	require.Equal(t, breaking.InteractionUsage{
		Consumer:    "mobile-app",
		Description: "cancel an order",
		Method:      "shop.v1.Orders/CancelOrder",
		Messages:    []string{"shop.v1.CancelOrderRequest", "shop.v1.Line", "shop.v1.Order"},
		Fields: []string{
			"shop.v1.CancelOrderRequest.id", "shop.v1.CancelOrderRequest.reason",
			"shop.v1.Line.quantity", // only in a matching rule: $.lines[*].quantity
			"shop.v1.Line.sku", "shop.v1.Order.id", "shop.v1.Order.lines", "shop.v1.Order.status",
		},
		Oneofs:     []string{},
		Enums:      []string{"shop.v1.Status"},
		EnumValues: []string{"shop.v1.Status.STATUS_CLOSED"},
	}, mobile[0])
	require.Equal(t, "get an order summary", mobile[1].Description)
	require.Contains(t, mobile[1].Fields, "shop.v1.Order.placed_at")
	require.Contains(t, mobile[1].Messages, "google.protobuf.Timestamp")

	web := mustPactUsage(t, filepath.Join(dir, "web-app.json"), nil)
	require.Len(t, web, 1)
	require.Equal(t, []string{"shop.v1.Order.delivery"}, web[0].Oneofs)
	require.Contains(t, web[0].Fields, "shop.v1.Address.postcode")
}

func TestPactUsageErrors(t *testing.T) {
	t.Parallel()
	schema := mustLoad(t, filepath.Join(caseDir("consumer-aware"), "old.proto"))
	valid := string(mustReadFile(t, filepath.Join(caseDir("consumer-aware"), "web-app.json")))
	tests := []struct {
		name string
		pact string
		want []string
	}{
		{"not json", `{"interactions": [`, []string{"parse pact"}},
		{"unknown method", strings.Replace(valid, ".shop.v1.Orders/GetOrder", "Orders/Nope", 1), []string{`interaction 0 "get an order"`, "Nope"}},
		{"bad base64", strings.Replace(valid, `"content": "CgNvLTE="`, `"content": "%%%"`, 1), []string{`"get an order"`, "request contents", "base64"}},
		{"undecodable contents", strings.Replace(valid, `"content": "CgNvLTE="`, `"content": "//8="`, 1), []string{"request contents", "shop.v1.GetOrderRequest"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := breaking.PactUsage([]byte(tt.pact), schema)
			require.Error(t, err)
			for _, w := range tt.want {
				require.ErrorContains(t, err, w)
			}
		})
	}

	t.Run("no descriptors anywhere", func(t *testing.T) {
		t.Parallel()
		pact := `{"consumer":{"name":"c"},"interactions":[{"type":"Synchronous/Messages","description":"d",
			"pluginConfiguration":{"protobuf":{"service":"Orders/GetOrder"}},"request":{},"response":[]}]}`
		_, err := breaking.PactUsage([]byte(pact), nil)
		require.ErrorContains(t, err, "no protobuf descriptors")
		// The schema under check stands in for missing descriptors.
		u, err := breaking.PactUsage([]byte(pact), schema)
		require.NoError(t, err)
		require.Equal(t, "shop.v1.Orders/GetOrder", u[0].Method)
	})
}

func mustConsumerAware(tb testing.TB) []breaking.ClassifiedFinding {
	tb.Helper()
	dir := caseDir("consumer-aware")
	old := mustLoad(tb, filepath.Join(dir, "old.proto"))
	new := mustLoad(tb, filepath.Join(dir, "new.proto"))
	var usage breaking.Usage
	for _, p := range []string{"mobile-app.json", "web-app.json"} {
		usage.Interactions = append(usage.Interactions, mustPactUsage(tb, filepath.Join(dir, p), old)...)
	}
	return breaking.Classify(breaking.Check(old, new), usage)
}

func TestClassify(t *testing.T) {
	t.Parallel()
	got := mustConsumerAware(t)
	type verdict struct {
		rule, element string
		breaks        []breaking.InteractionRef
	}
	var verdicts []verdict
	for _, f := range got {
		require.Equal(t, len(f.Breaks) > 0, f.Breaking)
		verdicts = append(verdicts, verdict{f.RuleID, f.Element, f.Breaks})
	}
	web := breaking.InteractionRef{Consumer: "web-app", Interaction: "get an order"}
	cancel := breaking.InteractionRef{Consumer: "mobile-app", Interaction: "cancel an order"}
	require.ElementsMatch(t, []verdict{
		{breaking.RuleRPCDeleted, "shop.v1.Orders.ListOrders", nil},
		{breaking.RuleFieldDeleted, "shop.v1.CancelOrderRequest.reason", []breaking.InteractionRef{cancel}},
		{breaking.RuleOneofDeleted, "shop.v1.Order.delivery", []breaking.InteractionRef{web}},
		{breaking.RuleFieldNameChanged, "shop.v1.Order.note", []breaking.InteractionRef{web}},
		{breaking.RuleFieldJSONNameChanged, "shop.v1.Order.note", []breaking.InteractionRef{web}},
		{breaking.RuleFieldCardinalityChanged, "shop.v1.Order.pickup_store", nil},
		{breaking.RuleFieldDeleted, "shop.v1.Order.legacy_score", nil},
		{breaking.RuleFieldOneofChanged, "shop.v1.Order.pickup_store", nil},
		{breaking.RuleFieldOneofChanged, "shop.v1.Order.ship_to", []breaking.InteractionRef{web}},
		{breaking.RuleFieldTypeChanged, "shop.v1.Line.quantity", []breaking.InteractionRef{cancel}},
		{breaking.RuleEnumValueNameChanged, "shop.v1.Status.STATUS_CLOSED", []breaking.InteractionRef{cancel}},
		{breaking.RuleEnumValueDeleted, "shop.v1.Status.STATUS_ARCHIVED", nil},
	}, verdicts)
}

func TestClassifyGolden(t *testing.T) {
	t.Parallel()
	got := mustConsumerAware(t)
	for i := range got { // golden files name files from the repository root
		rel, err := filepath.Rel(repoRoot, got[i].File)
		require.NoError(t, err)
		got[i].File = filepath.ToSlash(rel)
	}
	var text, js bytes.Buffer
	require.NoError(t, breaking.WriteText(&text, got, true))
	require.NoError(t, breaking.WriteJSON(&js, got, true))
	dir := caseDir("consumer-aware")
	mustGolden(t, filepath.Join(dir, "want.txt.golden"), text.Bytes())
	mustGolden(t, filepath.Join(dir, "want.json.golden"), js.Bytes())
}

func TestWriteTextPlain(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	require.NoError(t, breaking.WriteText(&buf, breaking.Plain(mustCheckCase(t, "rpc-deleted")), false))
	require.Equal(t, filepath.Join(caseDir("rpc-deleted"), "new.proto")+":28: rpc-deleted (RPC_NO_DELETE): rpc ListOrders was deleted from service shop.v1.Orders\n", buf.String())

	buf.Reset()
	require.NoError(t, breaking.WriteJSON(&buf, nil, false))
	require.JSONEq(t, `{"consumerAware": false, "breaking": 0, "findings": []}`, buf.String())
}

// The real plugin pacts: usage read from their descriptors and contents.
func TestPluginPactUsage(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(repoRoot, "..", "shared", "grpc-plugin-pacts")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared folder %s is missing (expected ../shared/grpc-plugin-pacts next to the repository root): %v", dir, err)
	}

	jvm := mustPactUsage(t, filepath.Join(dir, "area_calculator", "protobuf-consumer-area-calculator-provider.json"), nil)
	require.Len(t, jvm, 1)
	require.Equal(t, "area_calculator.Calculator/calculateOne", jvm[0].Method)
	require.Equal(t, []string{
		"area_calculator.AreaResponse.value", "area_calculator.Rectangle.length",
		"area_calculator.Rectangle.width", "area_calculator.ShapeMessage.rectangle",
	}, jvm[0].Fields)
	require.Equal(t, []string{"area_calculator.ShapeMessage.shape"}, jvm[0].Oneofs)

	both := mustPactUsage(t, filepath.Join(dir, "http_plus_grpc", "area-calculator-consumer-area-calculator-provider.json"), nil)
	require.Len(t, both, 2)
	require.Equal(t, "", both[1].Method, "the HTTP interaction has no RPC")
	require.Equal(t, jvm[0].Fields, both[1].Fields, "the HTTP interaction sends the same protobuf bodies")

	rust := mustPactUsage(t, filepath.Join(dir, "response_metadata", "grpc-consumer-rust-response_metadata.json"), nil)
	require.Len(t, rust, 1)
	require.Equal(t, "pactissue.Test/GetTest", rust[0].Method)
	// "s" is empty (proto3 default, not on the wire) but its matching rule names it.
	require.Equal(t, []string{"pactissue.MessageIn.s", "pactissue.MessageOut.b"}, rust[0].Fields)

	// A new version of the area calculator: width becomes a double and
	// calculateMulti goes away. Only the first breaks the consumer.
	src := string(mustReadFile(t, filepath.Join(dir, "area_calculator", "area_calculator.proto")))
	changed := strings.Replace(src, "float width = 2;", "double width = 2;", 1)
	changed = strings.Replace(changed, "rpc calculateMulti (AreaRequest) returns (AreaResponse) {}", "", 1)
	require.NotEqual(t, src, changed)
	newDir := t.TempDir()
	newPath := filepath.Join(newDir, "area_calculator.proto")
	require.NoError(t, os.WriteFile(newPath, []byte(changed), 0o600))
	old, err := proto.Load(context.Background(), []string{filepath.Join(dir, "area_calculator", "area_calculator.proto")}, nil)
	require.NoError(t, err)
	got := breaking.Classify(breaking.Check(old, mustLoad(t, newPath)), breaking.Usage{Interactions: jvm})
	require.Len(t, got, 2)
	for _, f := range got {
		switch f.RuleID {
		case breaking.RuleFieldTypeChanged:
			require.Equal(t, "area_calculator.Rectangle.width", f.Element)
			require.Equal(t, []breaking.InteractionRef{{Consumer: "grpc-consumer-jvm", Interaction: "calculate rectangle area request"}}, f.Breaks)
		case breaking.RuleRPCDeleted:
			require.Equal(t, "area_calculator.Calculator.calculateMulti", f.Element)
			require.False(t, f.Breaking)
		default:
			t.Fatalf("unexpected finding %v", f)
		}
	}
}

func TestWriteTextGroupsInteractionsByConsumer(t *testing.T) {
	t.Parallel()
	f := breaking.Finding{RuleID: breaking.RuleRPCDeleted, File: "a.proto", Line: 3, Element: "p.S.M", Message: "rpc M was deleted from service p.S"}
	got := breaking.Classify([]breaking.Finding{f}, breaking.Usage{Interactions: []breaking.InteractionUsage{
		{Consumer: "web", Description: "b call", Method: "p.S/M"},
		{Consumer: "app", Description: "only call", Method: "p.S/M"},
		{Consumer: "web", Description: "a call", Method: "p.S/M"},
		{Consumer: "web", Description: "a call", Method: "p.S/M"}, // same interaction twice: listed once
		{Consumer: "cli", Description: "other rpc", Method: "p.S/Other"},
	}})
	var buf bytes.Buffer
	require.NoError(t, breaking.WriteText(&buf, got, true))
	require.Equal(t, `a.proto:3: rpc-deleted: rpc M was deleted from service p.S [breaks consumer app: "only call"] [breaks consumer web: "a call", "b call"]`+"\n", buf.String())
}

// Every rule, the new ones included, is classified by what it changes: an
// interaction using the element is broken, except by the rules that change
// generated code or free numbers without touching the wire.
func TestClassifyCoversEveryRule(t *testing.T) {
	t.Parallel()
	noWireEffect := map[string]bool{
		breaking.RuleFileSyntaxChanged: true, breaking.RuleMessageReservedDeleted: true,
		breaking.RuleEnumReservedDeleted: true, breaking.RuleMessageExtensionRangeDeleted: true,
	}
	for _, r := range breaking.Rules() {
		if strings.HasPrefix(r.BufID, "FILE_SAME_") && r.BufID != "FILE_SAME_PACKAGE" {
			noWireEffect[r.ID] = true
		}
	}
	for _, r := range breaking.Rules() {
		t.Run(r.ID, func(t *testing.T) {
			t.Parallel()
			el := "shop.v1.Order.note"
			switch {
			case strings.HasPrefix(r.ID, "package-") || r.ID == breaking.RuleFileDeleted:
				el = "shop.v1"
			case strings.HasPrefix(r.ID, "rpc-") || strings.HasPrefix(r.ID, "service") || r.ID == breaking.RulePackageServiceDeleted:
				el = "shop.v1.Orders.Get"
			}
			if r.ID == breaking.RuleServiceDeleted || r.ID == breaking.RulePackageServiceDeleted {
				el = "shop.v1.Orders"
			}
			used := breaking.InteractionUsage{
				Consumer: "web", Description: "uses it", Method: "shop.v1.Orders/Get",
				Messages: []string{el}, Fields: []string{el}, Oneofs: []string{el}, Enums: []string{el}, EnumValues: []string{el},
			}
			unused := breaking.InteractionUsage{Consumer: "web", Description: "uses other things", Method: "other.v1.S/M",
				Messages: []string{"other.v1.M"}, Fields: []string{"other.v1.M.f"}}
			f := breaking.Finding{RuleID: r.ID, BufRuleID: r.BufID, Element: el}
			got := breaking.Classify([]breaking.Finding{f}, breaking.Usage{Interactions: []breaking.InteractionUsage{used, unused}})
			require.Len(t, got, 1)
			if noWireEffect[r.ID] {
				require.False(t, got[0].Breaking, "rule %s", r.ID)
				return
			}
			require.True(t, got[0].Breaking, "rule %s", r.ID)
			require.Equal(t, []breaking.InteractionRef{{Consumer: "web", Interaction: "uses it"}}, got[0].Breaks)
		})
	}
}
