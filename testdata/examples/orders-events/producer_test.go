package ordersevents_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	ordersevents "github.com/contracts-dev/contracts/testdata/examples/orders-events"
	"github.com/contracts-dev/contracts/verify"
	"github.com/contracts-dev/contracts/verify/message"
)

// orderService registers the order service's producer; change alters the
// event before it is published (to show a broken producer).
func orderService(change func(*ordersevents.KafkaMessage)) *message.Provider {
	store := map[string]ordersevents.Order{}
	p := message.NewProvider()
	p.HandleState("an order exists", func(_ context.Context, params map[string]any) error {
		id, _ := params["id"].(string)
		store["current"] = ordersevents.Order{
			ID: id, Customer: "bob@example.com",
			Lines:   []ordersevents.Line{{SKU: "SKU-7", Quantity: 3, UnitPrice: 9.5}, {SKU: "SKU-8", Quantity: 1, UnitPrice: 4.25}},
			Created: time.Date(2026, 11, 24, 8, 30, 0, 0, time.UTC),
		}
		return nil
	})
	p.Handle("an order created event", func(context.Context, []pact.ProviderState) (message.Message, error) {
		km, err := ordersevents.NewOrderCreated(store["current"])
		if err != nil {
			return message.Message{}, err
		}
		if change != nil {
			change(&km)
		}
		md := map[string]any{"kafka_topic": km.Topic, "key": km.Key}
		for k, v := range km.Headers {
			md[k] = v
		}
		return message.Message{Contents: km.Value, ContentType: pact.ContentTypeJSON, Metadata: md}, nil
	})
	return p
}

func mustVerify(t *testing.T, p *message.Provider) verify.InteractionResult {
	t.Helper()
	src, err := verify.LoadPath(pactFile)
	require.NoError(t, err)
	report, err := message.VerifyPacts(context.Background(), p, src...)
	require.NoError(t, err)
	require.Len(t, report.Pacts, 1)
	require.Len(t, report.Pacts[0].Interactions, 1)
	return report.Pacts[0].Interactions[0]
}

func TestOrderServiceKeepsTheContract(t *testing.T) {
	r := mustVerify(t, orderService(nil))
	require.Equal(t, verify.StatusPassed, r.Status, "%+v", r.Failures)
}

func TestABrokenProducerFails(t *testing.T) {
	r := mustVerify(t, orderService(func(m *ordersevents.KafkaMessage) {
		m.Topic = "orders"
		m.Value = []byte(`{"id":"o-1001","customer":"bob@example.com","total":32.75,"currency":"EUR","items":[{"sku":"SKU-7","quantity":3}],"createdAt":"2026-11-24T08:30:00Z"}`)
	}))
	require.Equal(t, verify.StatusFailed, r.Status)
	var where []string
	for _, f := range r.Failures {
		for _, m := range f.Mismatches {
			where = append(where, m.Kind+" "+m.Path)
		}
	}
	// The renamed orderId is missing at $; the topic differs.
	require.ElementsMatch(t, []string{"body-mismatch $", "metadata-mismatch kafka_topic"}, where)
}
