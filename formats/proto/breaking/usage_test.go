package breaking_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/proto"
	"github.com/contracts-dev/contracts/formats/proto/breaking"
)

func mustLoadKitchen(tb testing.TB) *proto.Files {
	tb.Helper()
	kitchen := filepath.Join(repoRoot, "testdata", "proto", "kitchen")
	files, err := proto.Load(context.Background(), []string{filepath.Join(kitchen, "shop", "order.proto")}, []string{kitchen})
	require.NoError(tb, err)
	return files
}

func mustEncode(tb testing.TB, files *proto.Files, message, value string) string {
	tb.Helper()
	dec := json.NewDecoder(strings.NewReader(value))
	dec.UseNumber()
	var v any
	require.NoError(tb, dec.Decode(&v))
	data, err := files.ValueToBinary(message, v)
	require.NoError(tb, err)
	return base64.StdEncoding.EncodeToString(data)
}

// Message interactions without a gRPC service, a pact without descriptors
// (the schema under check decodes it), and paths through maps, lists and
// quoted names.
func TestPactUsageMessagesAndPaths(t *testing.T) {
	t.Parallel()
	files := mustLoadKitchen(t)
	order := mustEncode(t, files, "shop.Order", `{"status": "STATUS_SHIPPED", "labels": {"vip": "yes"}, "priorities": ["PRIORITY_HIGH"]}`)
	pact := fmt.Sprintf(`{
  "consumer": {"name": "warehouse"},
  "interactions": [
    {
      "type": "Asynchronous/Messages",
      "description": "an order shipped event",
      "contents": {"content": %q, "contentType": "application/protobuf; message=shop.Order", "encoded": "base64"},
      "matchingRules": {"body": {
        "$.lines_by_number.7.price.units": {"combine": "AND", "matchers": [{"match": "integer"}]},
        "$['shipTo']['lines'][*]": {"combine": "AND", "matchers": [{"match": "type"}]},
        "$.nope.deeper": {"combine": "AND", "matchers": [{"match": "type"}]}
      }}
    },
    {
      "type": "Synchronous/HTTP",
      "description": "fetch an order over HTTP",
      "pluginConfiguration": {"protobuf": {
        "request": {"message": ".shop.GetOrderRequest"},
        "response": {"message": ".shop.Order"}
      }},
      "request": {"method": "POST", "path": "/orders",
        "body": {"content": %q, "contentType": "application/protobuf; message=.shop.GetOrderRequest", "encoded": "base64"}},
      "response": {"status": 200,
        "body": {"content": "", "contentType": "application/protobuf; message=.shop.Order", "encoded": "base64"},
        "matchingRules": {"body": {"$.lines[0].sku": {"combine": "AND", "matchers": [{"match": "type"}]}}}}
    }
  ],
  "metadata": {"pactSpecification": {"version": "4.0"}}
}`, order, mustEncode(t, files, "shop.GetOrderRequest", `{"id": "o-9"}`))

	got, err := breaking.PactUsage([]byte(pact), files)
	require.NoError(t, err)
	require.Len(t, got, 2)

	event := got[0]
	require.Equal(t, "", event.Method)
	// Sorted; the matching-rule paths add Line.price, Money.units (through
	// the map value) and Address.lines (quoted JSON names); "$.nope" adds nothing.
	require.Equal(t, []string{
		"shop.Address.lines", "shop.Order.LabelsEntry.key", "shop.Order.LabelsEntry.value", "shop.Order.Line.price",
		"shop.Order.LinesByNumberEntry.key", "shop.Order.LinesByNumberEntry.value",
		"shop.Order.labels", "shop.Order.lines_by_number", "shop.Order.priorities", "shop.Order.ship_to", "shop.Order.status",
		"shop.common.Money.units",
	}, event.Fields)
	require.Equal(t, []string{"shop.Order.delivery"}, event.Oneofs)
	require.Equal(t, []string{"shop.Order.Status.STATUS_SHIPPED", "shop.Priority.PRIORITY_HIGH"}, event.EnumValues)
	require.Contains(t, event.Messages, "shop.common.Money")

	http := got[1]
	require.Equal(t, []string{"shop.GetOrderRequest.id", "shop.Order.Line.sku", "shop.Order.lines"}, http.Fields)
	require.Equal(t, []string{"shop.GetOrderRequest", "shop.Order", "shop.Order.Line"}, http.Messages)
}

// Pre-V4 pacts hold arbitrary JSON bodies; they have no protobuf
// interactions and must not trip the reader.
func TestPactUsageSkipsNonProtobufPacts(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, pact string }{
		{"v2 http", `{"consumer":{"name":"c"},"interactions":[{"description":"d",
			"request":{"method":"POST","path":"/","body":[1,"two",{"contentType":3}]},
			"response":{"status":200,"body":"text","matchingRules":{"$.body.x":{"match":"type"}}}}],
			"metadata":{"pactSpecification":{"version":"2.0.0"}}}`},
		{"v3 messages", `{"consumer":{"name":"c"},"messages":[{"description":"m","contents":"plain text"},
			{"description":"n","contents":{"contentType":"application/json","x":1},"matchingRules":{"body":{"$.x":{"matchers":[{"match":"type"}]}}}}],
			"metadata":{"pactSpecification":{"version":"3.0.0"}}}`},
		{"v4 json http", `{"consumer":{"name":"c"},"interactions":[{"type":"Synchronous/HTTP","description":"d",
			"request":{"method":"GET","path":"/"},
			"response":{"status":200,"body":{"content":{"ok":true},"contentType":"application/json","encoded":false}}}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := breaking.PactUsage([]byte(tt.pact), nil)
			require.NoError(t, err)
			require.Empty(t, got)
		})
	}
}
