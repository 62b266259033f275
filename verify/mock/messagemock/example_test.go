package messagemock_test

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/contracts-dev/contracts/verify/mock/messagemock"
)

func ExamplePact_ExpectsToReceive() {
	p := messagemock.New("order-notifier", "order-service")
	err := p.ExpectsToReceive("an order created event").
		Given("an order exists", map[string]any{"id": "o-1001"}).
		WithContents(messagemock.JSON(map[string]any{
			"orderId": messagemock.Regex("o-1001", `^o-\d+$`),
			"total":   messagemock.Decimal(42.5),
		})).
		WithMetadata(map[string]any{"kafka_topic": "orders", "key": messagemock.Like("o-1001")}).
		ConsumedBy(func(m messagemock.Received) error {
			var ev struct {
				OrderID string  `json:"orderId"`
				Total   float64 `json:"total"`
			}
			if err := json.Unmarshal(m.Contents, &ev); err != nil {
				return err
			}
			fmt.Println(ev.OrderID, ev.Total, m.Metadata["kafka_topic"])
			return nil
		})
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, _ := os.MkdirTemp("", "pacts")
	defer os.RemoveAll(dir)
	if _, err := p.WritePact(dir); err != nil {
		fmt.Println(err)
	}
	// Output: o-1001 42.5 orders
}
