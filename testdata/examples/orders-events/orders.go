// Package ordersevents is a runnable example of a message contract: the
// order service publishes an OrderCreated event on Kafka (topic, key and
// headers), the order notifier consumes it.
//
//	go test ./testdata/examples/orders-events/
//
// consumer_test.go is the notifier's contract test (verify/mock/messagemock):
// it declares the event it expects, proves its handler consumes it, and
// writes pacts/order-notifier-order-service.json (compared with the
// committed file; -update rewrites it). producer_test.go is the order
// service's verification of that pact (verify/message, in process).
package ordersevents

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Topic is the Kafka topic order events are published on.
const Topic = "orders.created"

// Order is an order as the order service stores it.
type Order struct {
	ID       string
	Customer string
	Lines    []Line
	Created  time.Time
}

// Line is one line of an order.
type Line struct {
	SKU       string
	Quantity  int
	UnitPrice float64
}

// KafkaMessage is a record as it goes to or comes from Kafka.
type KafkaMessage struct {
	Topic   string
	Key     string
	Headers map[string]string
	Value   []byte
}

// OrderCreated is the event's payload.
type OrderCreated struct {
	OrderID   string  `json:"orderId"`
	Customer  string  `json:"customer"`
	Total     float64 `json:"total"`
	Currency  string  `json:"currency"`
	Items     []Item  `json:"items"`
	CreatedAt string  `json:"createdAt"`
}

// Item is one line of the event.
type Item struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// NewOrderCreated is the producer: the event the order service publishes
// when o is created.
func NewOrderCreated(o Order) (KafkaMessage, error) {
	ev := OrderCreated{OrderID: o.ID, Customer: o.Customer, Currency: "EUR", CreatedAt: o.Created.UTC().Format(time.RFC3339)}
	for _, l := range o.Lines {
		ev.Total += float64(l.Quantity) * l.UnitPrice
		ev.Items = append(ev.Items, Item{SKU: l.SKU, Quantity: l.Quantity})
	}
	value, err := json.Marshal(ev)
	if err != nil {
		return KafkaMessage{}, fmt.Errorf("encode order created event: %w", err)
	}
	return KafkaMessage{
		Topic:   Topic,
		Key:     o.ID,
		Headers: map[string]string{"event-type": "OrderCreated", "schema-version": "2"},
		Value:   value,
	}, nil
}

// Notification is what the notifier sends for an event.
type Notification struct {
	To, Text string
}

// HandleOrderCreated is the consumer: the order notifier's handler.
func HandleOrderCreated(m KafkaMessage) (Notification, error) {
	if m.Topic != Topic {
		return Notification{}, fmt.Errorf("unexpected topic %q", m.Topic)
	}
	if m.Headers["event-type"] != "OrderCreated" {
		return Notification{}, fmt.Errorf("unexpected event type %q", m.Headers["event-type"])
	}
	if v, err := strconv.Atoi(m.Headers["schema-version"]); err != nil || v < 2 {
		return Notification{}, fmt.Errorf("unsupported schema version %q", m.Headers["schema-version"])
	}
	var ev OrderCreated
	if err := json.Unmarshal(m.Value, &ev); err != nil {
		return Notification{}, fmt.Errorf("decode order created event: %w", err)
	}
	if ev.OrderID == "" || ev.OrderID != m.Key {
		return Notification{}, fmt.Errorf("event order id %q does not match key %q", ev.OrderID, m.Key)
	}
	if len(ev.Items) == 0 {
		return Notification{}, errors.New("order created event without items")
	}
	if _, err := time.Parse(time.RFC3339, ev.CreatedAt); err != nil {
		return Notification{}, fmt.Errorf("createdAt: %w", err)
	}
	return Notification{
		To:   ev.Customer,
		Text: fmt.Sprintf("Order %s: %d item(s), %.2f %s", ev.OrderID, len(ev.Items), ev.Total, ev.Currency),
	}, nil
}
