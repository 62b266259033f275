//go:build pactffi

// Interop with pact-go v2's message API: a consumer test written with
// pact-go (libpact_ffi, cgo) writes an asynchronous message pact; the
// message transports of verify/message then verify a Go producer against
// it, in process and over the Pact verifier's HTTP message convention.
//
//	CGO_LDFLAGS="-L$PWD/.tools/pact-ffi -Wl,-rpath,$PWD/.tools/pact-ffi" \
//	  go test -tags pactffi -run PactGo ./verify/

package verify_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"testing"

	pactlog "github.com/pact-foundation/pact-go/v2/log"
	"github.com/pact-foundation/pact-go/v2/matchers"
	msgv3 "github.com/pact-foundation/pact-go/v2/message/v3"
	msgv4 "github.com/pact-foundation/pact-go/v2/message/v4"
	"github.com/pact-foundation/pact-go/v2/models"
	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/verify"
	"github.com/contracts-dev/contracts/verify/message"
)

const (
	pactGoMsgConsumer = "PactGoOrderNotifier"
	pactGoMsgProvider = "PactGoOrderService"
)

// pactGoOrderEvent is the event as the consumer reads it.
type pactGoOrderEvent struct {
	OrderID string  `json:"orderId"`
	Total   float64 `json:"total"`
	Items   []struct {
		SKU      string `json:"sku"`
		Quantity int    `json:"quantity"`
	} `json:"items"`
}

// pactGoOrderContents is the event the consumer expects, with matchers.
func pactGoOrderContents() map[string]any {
	return map[string]any{
		"orderId": matchers.Term("o-1001", `^o-\d+$`),
		"total":   matchers.Decimal(59.8),
		"items": matchers.EachLike(map[string]any{
			"sku":      matchers.Like("SKU-1"),
			"quantity": matchers.Integer(2),
		}, 1),
	}
}

var (
	pactGoOrderState    = models.ProviderState{Name: "an order exists", Parameters: map[string]any{"id": "o-1001"}}
	pactGoOrderMetadata = map[string]string{"kafka_topic": "orders.created", "schema-version": "2"}
)

func checkPactGoOrderEvent(ev *pactGoOrderEvent) error {
	if ev.OrderID != "o-1001" || len(ev.Items) != 1 {
		return errors.New("unexpected example event")
	}
	return nil
}

// mustWritePactGoMessagePact runs a pact-go message consumer test with
// pact-go's V3 or V4 message API and returns the path of the pact it wrote.
func mustWritePactGoMessagePact(t *testing.T, spec models.SpecificationVersion) string {
	t.Helper()
	require.NoError(t, pactlog.SetLogLevel("ERROR"))
	dir := t.TempDir()
	var err error
	if spec == models.V3 {
		p, perr := msgv3.NewAsynchronousPact(msgv3.Config{Consumer: pactGoMsgConsumer, Provider: pactGoMsgProvider, PactDir: dir})
		require.NoError(t, perr)
		err = p.AddAsynchronousMessage().
			GivenWithParameter(pactGoOrderState).
			ExpectsToReceive("an order created event").
			WithMetadata(pactGoOrderMetadata).
			WithJSONContent(pactGoOrderContents()).
			AsType(&pactGoOrderEvent{}).
			ConsumedBy(func(m msgv3.MessageContents) error {
				ev, ok := m.Content.(*pactGoOrderEvent)
				if !ok {
					return errors.New("the message was not decoded as the event type")
				}
				return checkPactGoOrderEvent(ev)
			}).
			Verify(t)
	} else {
		p, perr := msgv4.NewAsynchronousPact(msgv4.Config{Consumer: pactGoMsgConsumer, Provider: pactGoMsgProvider, PactDir: dir})
		require.NoError(t, perr)
		err = p.AddAsynchronousMessage().
			GivenWithParameter(pactGoOrderState).
			ExpectsToReceive("an order created event").
			WithMetadata(pactGoOrderMetadata).
			WithJSONContent(pactGoOrderContents()).
			AsType(&pactGoOrderEvent{}).
			ConsumedBy(func(m msgv4.AsynchronousMessage) error {
				var ev pactGoOrderEvent
				if err := json.Unmarshal(m.Contents, &ev); err != nil {
					return err
				}
				return checkPactGoOrderEvent(&ev)
			}).
			Verify(t)
	}
	require.NoError(t, err)
	return filepath.Join(dir, pactGoMsgConsumer+"-"+pactGoMsgProvider+".json")
}

// pactGoOrderService produces the event; change alters it.
func pactGoOrderService(change func(ev map[string]any, md map[string]any)) *message.Provider {
	p := message.NewProvider()
	var id string
	p.HandleState("an order exists", func(_ context.Context, params map[string]any) error {
		id, _ = params["id"].(string)
		return nil
	})
	p.Handle("an order created event", func(context.Context, []pact.ProviderState) (message.Message, error) {
		ev := map[string]any{"orderId": id, "total": 32.75, "items": []any{
			map[string]any{"sku": "SKU-7", "quantity": 3}, map[string]any{"sku": "SKU-8", "quantity": 1},
		}}
		md := map[string]any{"kafka_topic": "orders.created", "schema-version": "2"}
		if change != nil {
			change(ev, md)
		}
		return message.JSON(ev, md)
	})
	return p
}

// pactGoMessageResults verifies the pact in process and over HTTP and
// returns the one interaction's result of each.
func pactGoMessageResults(t *testing.T, path string, p *message.Provider) map[string]verify.InteractionResult {
	t.Helper()
	sources, err := verify.LoadPath(path)
	require.NoError(t, err)
	out := map[string]verify.InteractionResult{}

	r, err := message.VerifyPacts(context.Background(), p, sources...)
	require.NoError(t, err)
	require.Equal(t, pactGoMsgConsumer, r.Pacts[0].Consumer)
	require.Len(t, r.Pacts[0].Interactions, 1)
	out["in-process"] = r.Pacts[0].Interactions[0]

	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	tr := message.NewHTTPTransport(srv.URL, srv.Client())
	r, err = verify.Verify(context.Background(), verify.Config{
		Transports: map[string]verify.Transport{message.KeyAsync: tr, message.KeySync: tr},
	}, sources)
	require.NoError(t, err)
	require.Len(t, r.Pacts[0].Interactions, 1)
	out["http"] = r.Pacts[0].Interactions[0]
	return out
}

func TestPactGoMessageInterop(t *testing.T) {
	for _, spec := range []models.SpecificationVersion{models.V3, models.V4} {
		t.Run(string(spec), func(t *testing.T) { testPactGoMessageInterop(t, spec) })
	}
}

func testPactGoMessageInterop(t *testing.T, spec models.SpecificationVersion) {
	path := mustWritePactGoMessagePact(t, spec)

	t.Run("pact-go wrote an asynchronous message pact", func(t *testing.T) {
		sources, err := verify.LoadPath(path)
		require.NoError(t, err)
		p, err := pact.Parse(sources[0].Data)
		require.NoError(t, err)
		want := map[models.SpecificationVersion]pact.Spec{models.V3: pact.V3, models.V4: pact.V4}[spec]
		require.Equal(t, want, p.Spec)
		require.Equal(t, spec == models.V3, p.Messages)
		require.Len(t, p.Interactions, 1)
		require.Equal(t, pact.AsyncMessage, p.Interactions[0].Type)
		require.Equal(t, "orders.created", p.Interactions[0].Message.Metadata["kafka_topic"])
	})

	cases := []struct {
		name   string
		change func(ev, md map[string]any)
		want   []pactGoKindPath
	}{
		{"producer that keeps the contract passes", nil, nil},
		{"a renamed field fails at its JSON path", func(ev, _ map[string]any) {
			ev["order_id"] = ev["orderId"]
			delete(ev, "orderId")
		}, []pactGoKindPath{{"body-mismatch", "$"}}},
		{"a wrong type inside an item fails at its JSON path", func(ev, _ map[string]any) {
			ev["items"].([]any)[1].(map[string]any)["quantity"] = "one"
		}, []pactGoKindPath{{"body-mismatch", "$.items[1].quantity"}}},
		{"a wrong topic fails at the metadata key", func(_, md map[string]any) {
			md["kafka_topic"] = "orders"
		}, []pactGoKindPath{{"metadata-mismatch", "kafka_topic"}}},
		{"a header of the wrong type fails at the metadata key", func(_, md map[string]any) {
			md["schema-version"] = 2
		}, []pactGoKindPath{{"metadata-mismatch", "schema-version"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for how, r := range pactGoMessageResults(t, path, pactGoOrderService(c.change)) {
				if c.want == nil {
					require.Equal(t, verify.StatusPassed, r.Status, "%s: %+v", how, r.Failures)
					continue
				}
				require.Equal(t, verify.StatusFailed, r.Status, how)
				require.Equal(t, c.want, pactGoMismatches(r), "%s: %+v", how, r.Failures)
			}
		})
	}
}
