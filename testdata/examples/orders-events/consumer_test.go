package ordersevents_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	ordersevents "github.com/contracts-dev/contracts/testdata/examples/orders-events"
	"github.com/contracts-dev/contracts/verify/mock/messagemock"
)

var update = flag.Bool("update", false, "rewrite pacts/ with the pact the consumer test writes")

const pactFile = "pacts/order-notifier-order-service.json"

// kafkaMessage turns a received message into the Kafka record the
// notifier's handler reads: metadata kafka_topic, key and the headers.
func kafkaMessage(r messagemock.Received) ordersevents.KafkaMessage {
	m := ordersevents.KafkaMessage{Headers: map[string]string{}, Value: r.Contents}
	for k, v := range r.Metadata {
		s := fmt.Sprint(v)
		switch k {
		case "kafka_topic":
			m.Topic = s
		case "key":
			m.Key = s
		case "contentType":
		default:
			m.Headers[k] = s
		}
	}
	return m
}

func TestNotifierConsumesOrderCreated(t *testing.T) {
	p := messagemock.New("order-notifier", "order-service")
	var got ordersevents.Notification
	err := p.ExpectsToReceive("an order created event").
		Given("an order exists", map[string]any{"id": "o-1001"}).
		WithContents(messagemock.JSON(map[string]any{
			"orderId":   messagemock.Regex("o-1001", `^o-\d+$`),
			"customer":  messagemock.Like("ann@example.com"),
			"total":     messagemock.Decimal(59.8),
			"currency":  messagemock.Regex("EUR", `^[A-Z]{3}$`),
			"createdAt": messagemock.Timestamp("2026-11-25T10:00:00Z", "yyyy-MM-dd'T'HH:mm:ssXXX"),
			"items": messagemock.EachLike(map[string]any{
				"sku":      messagemock.Like("SKU-1"),
				"quantity": messagemock.Integer(2),
			}, 1),
		})).
		WithMetadata(map[string]any{
			"kafka_topic":    ordersevents.Topic,
			"key":            messagemock.Regex("o-1001", `^o-\d+$`),
			"event-type":     "OrderCreated",
			"schema-version": messagemock.Regex("2", `^\d+$`),
		}).
		ConsumedBy(func(r messagemock.Received) error {
			n, err := ordersevents.HandleOrderCreated(kafkaMessage(r))
			got = n
			return err
		})
	require.NoError(t, err)
	require.Equal(t, ordersevents.Notification{To: "ann@example.com", Text: "Order o-1001: 1 item(s), 59.80 EUR"}, got)

	dir := t.TempDir()
	paths, err := p.WritePact(dir)
	require.NoError(t, err)
	require.Len(t, paths, 1)
	written, err := os.ReadFile(paths[0])
	require.NoError(t, err)
	if *update {
		require.NoError(t, os.WriteFile(pactFile, written, 0o644))
	}
	committed, err := os.ReadFile(filepath.FromSlash(pactFile))
	require.NoError(t, err)
	require.JSONEq(t, string(committed), string(written), "the contract changed: review it and run go test -update")
}

func TestNotifierRejectsAnEventWithoutItems(t *testing.T) {
	p := messagemock.New("order-notifier", "order-service")
	err := p.ExpectsToReceive("an order created event without items").
		WithContents(messagemock.JSON(map[string]any{"orderId": "o-1", "items": []any{}, "createdAt": "2026-11-25T10:00:00Z"})).
		WithMetadata(map[string]any{"kafka_topic": ordersevents.Topic, "key": "o-1", "event-type": "OrderCreated", "schema-version": "2"}).
		ConsumedBy(func(r messagemock.Received) error {
			_, err := ordersevents.HandleOrderCreated(kafkaMessage(r))
			return err
		})
	var ce *messagemock.ConsumerError
	require.ErrorAs(t, err, &ce)
	require.EqualError(t, ce.Err, "order created event without items")
	_, err = p.WritePact(t.TempDir())
	require.ErrorIs(t, err, messagemock.ErrNotConsumed)
}
