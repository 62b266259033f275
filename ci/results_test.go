package ci_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/server"
	"github.com/contracts-dev/contracts/broker/sqlite"
	"github.com/contracts-dev/contracts/ci"
	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/verify"
	"github.com/contracts-dev/contracts/verify/message"
	"github.com/contracts-dev/contracts/verify/mock/messagemock"
)

// mustBroker starts the broker on a temp-file SQLite store and returns a
// client with write access, and the store.
func mustBroker(tb testing.TB) (*api.Client, *sqlite.Store) {
	tb.Helper()
	store, err := sqlite.Open(filepath.Join(tb.TempDir(), "broker.db"))
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = store.Close() })
	srv := httptest.NewServer(server.New(store, server.Config{}))
	tb.Cleanup(srv.Close)
	c, err := api.NewClient(srv.URL)
	require.NoError(tb, err)
	return c, store
}

// mustPublishEventPact writes a message pact with two events and publishes
// it as billing 1.0.0 on main; it returns the pact.
func mustPublishEventPact(tb testing.TB, c *api.Client) []byte {
	tb.Helper()
	p := messagemock.New("billing", "orders")
	for _, desc := range []string{"an order created event", "an order paid event"} {
		err := p.ExpectsToReceive(desc).
			WithContents(messagemock.JSON(map[string]any{"orderId": messagemock.Like("o-1")})).
			WithMetadata(map[string]any{"kafka_topic": "orders"}).
			ConsumedBy(func(messagemock.Received) error { return nil })
		require.NoError(tb, err)
	}
	paths, err := p.WritePact(tb.TempDir())
	require.NoError(tb, err)
	require.Len(tb, paths, 1)
	data, err := os.ReadFile(paths[0])
	require.NoError(tb, err)
	_, err = c.PublishContracts(context.Background(), api.PublishInput{Pacticipant: "billing", Version: "1.0.0", Branch: "main",
		Contracts: []api.ContractFile{{Consumer: "billing", Provider: "orders", Content: data}}})
	require.NoError(tb, err)
	return data
}

// ordersProducer produces both events; topic is the topic it sends to.
func ordersProducer(topic string) *message.Provider {
	p := message.NewProvider()
	for _, desc := range []string{"an order created event", "an order paid event"} {
		p.Handle(desc, func(context.Context, []pact.ProviderState) (message.Message, error) {
			return message.JSON(map[string]any{"orderId": "o-9"}, map[string]any{"kafka_topic": topic})
		})
	}
	return p
}

func TestPublishResults(t *testing.T) {
	ctx := context.Background()
	c, store := mustBroker(t)
	data := mustPublishEventPact(t, c)

	sources, err := ci.BrokerSources(ctx, c, "orders", broker.PactsForVerificationRequest{
		ConsumerVersionSelectors: []broker.ConsumerVersionSelector{{MainBranch: true}},
	})
	require.NoError(t, err)
	require.Len(t, sources, 1)
	require.NotNil(t, sources[0].Broker)
	require.NotEmpty(t, sources[0].Broker.PublishURL)

	file := verify.Source{Name: "billing-orders.json", Data: data}
	report, err := message.VerifyPacts(ctx, ordersProducer("orders"), append(sources, file)...)
	require.NoError(t, err)
	require.True(t, report.Success())

	got, err := ci.PublishResults(ctx, c, report, ci.PublishOptions{ProviderVersion: "3.0.0", Branch: "main", Tags: []string{"prod"}, BuildURL: "http://ci/1"})
	require.NoError(t, err)
	require.Equal(t, []ci.Published{
		{Source: sources[0].Name, Consumer: "billing", Provider: "orders", Success: true},
		{Source: "billing-orders.json", Consumer: "billing", Provider: "orders", Success: true, Skipped: ci.SkipNotFromBroker},
	}, got)
	pactRow, err := store.GetPact(ctx, "billing", "orders", "1.0.0")
	require.NoError(t, err)
	v, err := store.LatestVerification(ctx, "billing", "orders", pactRow.SHA)
	require.NoError(t, err)
	require.True(t, v.Success)
	require.Equal(t, "3.0.0", v.ProviderVersion)
	require.Equal(t, "http://ci/1", v.BuildURL)
	require.Contains(t, string(v.TestResults), "an order paid event")
	ver, err := c.DescribeVersion(ctx, "orders", "3.0.0", "")
	require.NoError(t, err)
	require.Equal(t, []string{"main"}, ver.Branches)
	require.Equal(t, []string{"prod"}, ver.Tags)

	t.Run("a failure is published with its mismatches", func(t *testing.T) {
		report, err := message.VerifyPacts(ctx, ordersProducer("payments"), sources...)
		require.NoError(t, err)
		require.False(t, report.Success())
		got, err := ci.PublishResults(ctx, c, report, ci.PublishOptions{ProviderVersion: "3.1.0"})
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.False(t, got[0].Success)
		v, err := store.LatestVerification(ctx, "billing", "orders", pactRow.SHA)
		require.NoError(t, err)
		require.False(t, v.Success)
		require.Equal(t, "3.1.0", v.ProviderVersion)
		require.Contains(t, string(v.TestResults), "kafka_topic")
	})

	t.Run("a filtered run is not published", func(t *testing.T) {
		report, err := verify.Verify(ctx, verify.Config{
			FilterDescription: regexp.MustCompile("paid"),
			Transports:        map[string]verify.Transport{message.KeyAsync: message.NewInProcess(ordersProducer("orders"))},
		}, sources)
		require.NoError(t, err)
		got, err := ci.PublishResults(ctx, c, report, ci.PublishOptions{ProviderVersion: "3.2.0"})
		require.NoError(t, err)
		require.Equal(t, ci.SkipFiltered, got[0].Skipped)
		v, err := store.LatestVerification(ctx, "billing", "orders", pactRow.SHA)
		require.NoError(t, err)
		require.Equal(t, "3.1.0", v.ProviderVersion, "nothing new was published")
	})

	t.Run("a pact with interactions no transport verified is not published", func(t *testing.T) {
		// A gRPC pact checked by the message verifier: its interactions are
		// skipped, and a "success" would vouch for calls never made.
		data, err := os.ReadFile(filepath.Join("..", "testdata", "grpc", "full", "order-web-order-service.json"))
		require.NoError(t, err)
		_, err = c.PublishContracts(ctx, api.PublishInput{Pacticipant: "order-web", Version: "1.0.0", Branch: "main",
			Contracts: []api.ContractFile{{Consumer: "order-web", Provider: "order-service", Content: data}}})
		require.NoError(t, err)
		srcs, err := ci.BrokerSources(ctx, c, "order-service", broker.PactsForVerificationRequest{})
		require.NoError(t, err)
		require.Len(t, srcs, 1)
		report, err := message.VerifyPacts(ctx, ordersProducer("orders"), srcs...)
		require.NoError(t, err)
		require.True(t, report.Success(), "skipped interactions do not fail the run")
		got, err := ci.PublishResults(ctx, c, report, ci.PublishOptions{ProviderVersion: "9.0.0"})
		require.NoError(t, err)
		require.Equal(t, ci.SkipUnverified, got[0].Skipped)
		grpcPact, err := store.GetPact(ctx, "order-web", "order-service", "1.0.0")
		require.NoError(t, err)
		_, err = store.LatestVerification(ctx, "order-web", "order-service", grpcPact.SHA)
		require.ErrorIs(t, err, broker.ErrNotFound, "nothing was published")
	})

	t.Run("the provider version is required", func(t *testing.T) {
		_, err := ci.PublishResults(ctx, c, report, ci.PublishOptions{})
		require.ErrorIs(t, err, ci.ErrNoProviderVersion)
	})

	t.Run("an unknown provider has no pacts", func(t *testing.T) {
		srcs, err := ci.BrokerSources(ctx, c, "nobody", broker.PactsForVerificationRequest{})
		require.NoError(t, err)
		require.Empty(t, srcs)
	})
}
