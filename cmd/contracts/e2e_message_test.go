package main

// Message contracts through our broker: the messagemock consumer API writes
// an order events pact (an asynchronous Kafka event with its key and
// headers, and a synchronous status query), `contracts publish` sends it,
// and the Go producer is verified both in process (message.VerifyPacts,
// results published with ci.PublishResults) and over its HTTP message
// endpoint with `contracts verify --broker-url ... --publish`; `contracts
// can-i-deploy` answers after each.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/server"
	"github.com/contracts-dev/contracts/ci"
	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/verify"
	"github.com/contracts-dev/contracts/verify/message"
	"github.com/contracts-dev/contracts/verify/mock/messagemock"
)

// orderCreated is the event the order-notifier consumer reads.
type orderCreated struct {
	OrderID  string  `json:"orderId"`
	Customer string  `json:"customerEmail"`
	Total    float64 `json:"total"`
	Currency string  `json:"currency"`
	Items    []struct {
		SKU      string `json:"sku"`
		Quantity int    `json:"quantity"`
	} `json:"items"`
}

// notifyOrderCreated is the consumer code under test: it turns an order
// created event (payload, Kafka key and headers) into an e-mail line.
func notifyOrderCreated(payload []byte, md map[string]any) (string, error) {
	if md["kafka_topic"] != "orders" {
		return "", fmt.Errorf("unexpected topic %v", md["kafka_topic"])
	}
	if v := fmt.Sprint(md["schema-version"]); v != "2" {
		return "", fmt.Errorf("unsupported schema-version %v", md["schema-version"])
	}
	var ev orderCreated
	if err := json.Unmarshal(payload, &ev); err != nil {
		return "", err
	}
	if key, _ := md["key"].(string); key != ev.OrderID {
		return "", fmt.Errorf("message key %q is not the order id %q", key, ev.OrderID)
	}
	if len(ev.Items) == 0 {
		return "", errors.New("an order without items")
	}
	return fmt.Sprintf("to %s: order %s, %d item(s), %.2f %s", ev.Customer, ev.OrderID, len(ev.Items), ev.Total, ev.Currency), nil
}

// mustWriteOrderEventsPact runs order-notifier's consumer tests with
// messagemock and returns the directory holding the pact.
func mustWriteOrderEventsPact(t *testing.T) string {
	t.Helper()
	p := messagemock.New("order-notifier", "order-events")
	var line string
	err := p.ExpectsToReceive("an order created event").
		Given("an order exists", map[string]any{"id": "o-1001"}).
		WithContents(messagemock.JSON(map[string]any{
			"orderId":       messagemock.Regex("o-1001", `^o-\d+$`),
			"customerEmail": messagemock.Regex("ann@example.com", `^[^@]+@[^@]+$`),
			"total":         messagemock.Decimal(42.5),
			"currency":      "EUR",
			"items":         messagemock.EachLike(map[string]any{"sku": messagemock.Like("SKU-1"), "quantity": messagemock.Integer(2)}, 1),
		})).
		WithMetadata(map[string]any{
			"kafka_topic":    "orders",
			"key":            messagemock.Regex("o-1001", `^o-\d+$`),
			"schema-version": messagemock.Integer(2),
			"event-type":     "OrderCreated",
		}).
		ConsumedBy(func(m messagemock.Received) error {
			var err error
			line, err = notifyOrderCreated(m.Contents, m.Metadata)
			return err
		})
	require.NoError(t, err)
	require.Equal(t, "to ann@example.com: order o-1001, 1 item(s), 42.50 EUR", line)

	err = p.ExpectsRequest("an order status query").
		Given("an order exists", map[string]any{"id": "o-1001"}).
		WithRequest(messagemock.JSON(map[string]any{"orderId": messagemock.Like("o-1001")}), nil).
		WillRespondWith(messagemock.JSON(map[string]any{
			"orderId": messagemock.Like("o-1001"),
			"status":  messagemock.Regex("SHIPPED", `^(PENDING|SHIPPED|DELIVERED)$`),
		}), nil).
		ConsumedBy(func(_ messagemock.Received, responses []messagemock.Received) error {
			var st struct{ Status string }
			if err := responses[0].JSON(&st); err != nil {
				return err
			}
			if st.Status == "" {
				return errors.New("no status")
			}
			return nil
		})
	require.NoError(t, err)
	dir := t.TempDir()
	_, err = p.WritePact(dir)
	require.NoError(t, err)
	return dir
}

// orderEvents is the Go producer; drift selects a broken variant.
type orderEvents struct {
	drift  string // "", "renamed-field", "wrong-topic", "header-type"
	mu     sync.Mutex
	states []string
}

func (o *orderEvents) seen() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.states...)
}

func (o *orderEvents) provider() *message.Provider {
	p := message.NewProvider()
	p.HandleState("an order exists", func(_ context.Context, params map[string]any) error {
		o.mu.Lock()
		defer o.mu.Unlock()
		o.states = append(o.states, fmt.Sprintf("an order exists %v", params["id"]))
		return nil
	})
	p.Handle("an order created event", func(context.Context, []pact.ProviderState) (message.Message, error) {
		ev := map[string]any{
			"orderId": "o-2002", "customerEmail": "bob@example.com", "total": 19.99, "currency": "EUR",
			"items": []any{map[string]any{"sku": "SKU-9", "quantity": 1}, map[string]any{"sku": "SKU-8", "quantity": 3}},
		}
		md := map[string]any{"kafka_topic": "orders", "key": "o-2002", "schema-version": 2, "event-type": "OrderCreated"}
		switch o.drift {
		case "renamed-field":
			ev["items"] = []any{map[string]any{"sku": "SKU-9", "qty": 1}}
		case "wrong-topic":
			md["kafka_topic"] = "orders-v2"
		case "header-type":
			// "2" would pass: metadata values are compared as the
			// strings Kafka headers are, so a numeric string is an integer.
			md["schema-version"] = "v2"
		}
		return message.JSON(ev, md)
	})
	p.HandleSync("an order status query", func(_ context.Context, req message.Message, _ []pact.ProviderState) ([]message.Message, error) {
		var q struct{ OrderID string }
		if err := json.Unmarshal(req.Contents, &q); err != nil {
			return nil, err
		}
		m, err := message.JSON(map[string]any{"orderId": q.OrderID, "status": "DELIVERED"}, nil)
		return []message.Message{m}, err
	})
	return p
}

// mustServeOrderEvents serves the producer's message endpoint at path.
func mustServeOrderEvents(tb testing.TB, o *orderEvents, path string) *httptest.Server {
	tb.Helper()
	mux := http.NewServeMux()
	mux.Handle("POST "+path, o.provider())
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return srv
}

// mismatchesOf lists "kind path" of every mismatch in the report.
func mismatchesOf(r *verify.Report) []string {
	var out []string
	for _, p := range r.Pacts {
		for _, in := range p.Interactions {
			for _, f := range in.Failures {
				for _, m := range f.Mismatches {
					out = append(out, m.Kind+" "+m.Path)
				}
			}
		}
	}
	return out
}

// mustVerifyMessagesInProcess verifies the provider's pacts from the main
// branch of the broker with p in process, and publishes the one result with
// ci.PublishResults as the provider version.
func (b *e2eBroker) mustVerifyMessagesInProcess(t *testing.T, provider string, p *message.Provider, version string) *verify.Report {
	t.Helper()
	ctx := context.Background()
	sources, err := ci.BrokerSources(ctx, b.Client, provider, broker.PactsForVerificationRequest{
		ConsumerVersionSelectors: []broker.ConsumerVersionSelector{{MainBranch: true}},
	})
	require.NoError(t, err)
	require.Len(t, sources, 1)
	report, err := message.VerifyPacts(ctx, p, sources...)
	require.NoError(t, err)
	published, err := ci.PublishResults(ctx, b.Client, report, ci.PublishOptions{ProviderVersion: version, Branch: "main"})
	require.NoError(t, err)
	require.Len(t, published, 1)
	require.Empty(t, published[0].Skipped)
	return report
}

func TestMessageContractThroughBroker(t *testing.T) {
	ctx := context.Background()
	pactDir := mustWriteOrderEventsPact(t)
	b := mustStartE2EBroker(t, server.AuthConfig{WriteToken: "w-tok"})
	cli := b.mustCLI
	canIDeploy := func(t *testing.T, want int, providerVersion string) string {
		t.Helper()
		return cli(t, want, "can-i-deploy", "--pacticipant", "order-notifier", "--version", "1.0.0",
			"--pacticipant", "order-events", "--version", providerVersion)
	}
	verifyInProcess := func(t *testing.T, o *orderEvents, version string) *verify.Report {
		t.Helper()
		return b.mustVerifyMessagesInProcess(t, "order-events", o.provider(), version)
	}
	verifyArgs := func(base, version string, extra ...string) []string {
		return append([]string{"verify", "--provider", "order-events", "--provider-base-url", base,
			"--provider-app-version", version, "--provider-version-branch", "main", "--publish"}, extra...)
	}

	out := cli(t, exitOK, "publish", pactDir, "--consumer-app-version", "1.0.0", "--branch", "main")
	require.Contains(t, out, "order-notifier version 1.0.0 and provider order-events")

	t.Run("in process, results published by ci.PublishResults", func(t *testing.T) {
		o := &orderEvents{}
		report := verifyInProcess(t, o, "4.0.0")
		require.True(t, report.Success(), "%v", mismatchesOf(report))
		require.Equal(t, 2, report.Counts().Passed)
		require.Contains(t, o.seen(), "an order exists o-1001")
		ver := b.mustLatestVerification(t, "order-notifier", "1.0.0", "order-events")
		require.True(t, ver.Success)
		require.Equal(t, "4.0.0", ver.ProviderVersion)
		require.Contains(t, canIDeploy(t, exitOK, "4.0.0"), "Computer says yes")
	})

	t.Run("over the HTTP message endpoint with contracts verify", func(t *testing.T) {
		o := &orderEvents{}
		srv := mustServeOrderEvents(t, o, "/")
		out := cli(t, exitOK, verifyArgs(srv.URL, "4.0.1")...)
		require.Contains(t, out, "Verifying a pact between order-notifier and order-events")
		require.Contains(t, out, "an order status query")
		require.Contains(t, out, "Published verification result (passed) of order-events version 4.0.1 for consumer order-notifier")
		require.Contains(t, o.seen(), "an order exists o-1001", "the provider states travel in the message request")
		require.Contains(t, canIDeploy(t, exitOK, "4.0.1"), "Computer says yes")
	})

	t.Run("a dedicated message URL", func(t *testing.T) {
		srv := mustServeOrderEvents(t, &orderEvents{}, "/pact-messages")
		out := cli(t, exitOK, "verify", "--provider", "order-events", "--provider-base-url", srv.URL, "--message-url", srv.URL+"/pact-messages")
		require.Contains(t, out, "an order created event")
		code, stdout, stderr := runCLI(ctx, map[string]string{"PACT_BROKER_BASE_URL": b.URL, "PACT_BROKER_TOKEN": "w-tok", "CONTRACTS_MESSAGE_URL": srv.URL + "/pact-messages"},
			"verify", "--provider", "order-events")
		require.Equal(t, exitOK, code, "the environment gives the message URL alone\nstdout:\n%s\nstderr:\n%s", stdout, stderr)
		// Posting to the base URL finds no endpoint there: the interactions fail.
		out = cli(t, exitNo, "verify", "--provider", "order-events", "--provider-base-url", srv.URL)
		require.Contains(t, out, "HTTP 404")
	})

	t.Run("a producer that renames a field may not deploy", func(t *testing.T) {
		o := &orderEvents{drift: "renamed-field"}
		report := verifyInProcess(t, o, "4.1.0")
		require.False(t, report.Success())
		// A missing key is reported at its parent's JSON path, as the Pact
		// matchers do ("Actual map is missing the following keys: quantity").
		require.Equal(t, []string{"body-mismatch $.items[0]"}, mismatchesOf(report))
		ver := b.mustLatestVerification(t, "order-notifier", "1.0.0", "order-events")
		require.False(t, ver.Success)
		require.Contains(t, string(ver.TestResults), `"identifier":"$.items[0]"`, "the published mismatch names the JSON path")
		require.Contains(t, string(ver.TestResults), "quantity")
		require.Contains(t, canIDeploy(t, exitNo, "4.1.0"), "Computer says no")

		srv := mustServeOrderEvents(t, o, "/")
		out := cli(t, exitNo, verifyArgs(srv.URL, "4.1.1")...)
		require.Contains(t, out, "$.items[0]: Actual map is missing the following keys: quantity")
		require.Contains(t, out, "Published verification result (failed) of order-events version 4.1.1 for consumer order-notifier")
		require.Contains(t, canIDeploy(t, exitNo, "4.1.1"), "Computer says no")
		require.Contains(t, canIDeploy(t, exitOK, "4.0.1"), "Computer says yes", "the good version stays deployable")
	})

	for _, tc := range []struct {
		drift, key string
	}{
		{drift: "wrong-topic", key: "kafka_topic"},
		{drift: "header-type", key: "schema-version"},
	} {
		t.Run("a producer with a "+tc.drift, func(t *testing.T) {
			o := &orderEvents{drift: tc.drift}
			sources, err := verify.LoadPath(pactDir)
			require.NoError(t, err)
			report, err := message.VerifyPacts(ctx, o.provider(), sources...)
			require.NoError(t, err)
			require.Equal(t, []string{"metadata-mismatch " + tc.key}, mismatchesOf(report))

			srv := mustServeOrderEvents(t, o, "/")
			code, stdout, stderr := runCLI(ctx, nil, "verify", pactDir, "--provider-base-url", srv.URL)
			require.Equal(t, exitNo, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			require.Contains(t, stdout, tc.key)
		})
	}
}

// TestVerifyMessagePactRefusesBadMessageURL: a message URL that is not
// HTTP is a usage error naming the flag.
func TestVerifyMessagePactRefusesBadMessageURL(t *testing.T) {
	code, _, stderr := runCLI(context.Background(), nil, "verify", filepath.Join("..", "..", "testdata", "message", "orders", "pact.json"), "--message-url", "localhost:8080")
	require.Equal(t, exitCantTell, code)
	require.True(t, strings.Contains(stderr, `--message-url "localhost:8080": want an http:// or https:// URL`), stderr)
}
