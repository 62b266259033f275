package webhook_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/postgres"
	"github.com/contracts-dev/contracts/broker/postgres/pgtest"
	"github.com/contracts-dev/contracts/broker/storetest"
	"github.com/contracts-dev/contracts/broker/webhook"
)

// TestTwoReplicasOnPostgreSQLRunEachAttemptOnce runs two brokers' workers
// (two stores, two connection pools, one database) at once over the same
// queue, twice (first attempts, then retries): the leases taken with
// FOR UPDATE SKIP LOCKED give every attempt to exactly one of them.
func TestTwoReplicasOnPostgreSQLRunEachAttemptOnce(t *testing.T) {
	c := pgtest.Start(t)
	dsn := c.NewDatabase(t)
	clk := newClock()
	open := func() *postgres.Store {
		s, err := postgres.Open(context.Background(), dsn, postgres.Options{Clock: clk.Now})
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		return s
	}
	one, two := open(), open()
	ctx := context.Background()
	svc := broker.NewService(one, broker.DefaultRules())
	for _, n := range []string{"Web", "API"} {
		_, err := svc.CreatePacticipant(ctx, broker.Pacticipant{Name: n})
		require.NoError(t, err)
	}
	// Every first attempt fails (500), every retry succeeds.
	statuses := make([]int, 40)
	for i := range 40 {
		statuses[i] = 500
	}
	rcv := newReceiver(t, statuses...)
	for range 10 {
		_, err := svc.CreateWebhook(ctx, broker.Webhook{Consumer: "Web", Provider: "API", Definition: hookDef(rcv.URL)})
		require.NoError(t, err)
	}
	for _, v := range []string{"1", "2", "3", "4"} {
		_, err := svc.PublishContracts(ctx, broker.PublishRequest{Pacticipant: "Web", Version: v,
			Contracts: []broker.ContractInput{{Consumer: "Web", Provider: "API", Content: storetest.PactJSON("Web", "API", "a")}}})
		require.NoError(t, err)
	}
	cfg := webhook.Config{Executor: webhook.Executor{Policy: loopback, Now: clk.Now}, Delay: webhook.DefaultDelay,
		Retry: webhook.DefaultRetrySchedule[:1], Concurrency: 8}
	runners := []*webhook.Runner{webhook.NewRunner(one, cfg), webhook.NewRunner(two, cfg)}
	runBoth := func() [2]int {
		var (
			wg  sync.WaitGroup
			out [2]int
		)
		for i, r := range runners {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := r.RunDue(ctx)
				require.NoError(t, err)
				out[i] = n
			}()
		}
		wg.Wait()
		return out
	}
	clk.Advance(webhook.DefaultDelay)
	first := runBoth()
	require.Equal(t, 40, first[0]+first[1], "first attempts by each replica: %v", first)
	require.Len(t, rcv.requests(), 40)
	clk.Advance(webhook.DefaultRetrySchedule[0])
	second := runBoth()
	require.Equal(t, 40, second[0]+second[1], "retries by each replica: %v", second)
	require.Len(t, rcv.requests(), 80)

	ts, err := one.ListTriggeredWebhooks(ctx, broker.TriggeredFilter{}, broker.Page{Limit: 100})
	require.NoError(t, err)
	require.Len(t, ts, 40)
	for _, tr := range ts {
		_, as, err := two.GetTriggeredWebhook(ctx, tr.UUID)
		require.NoError(t, err)
		require.Equal(t, broker.TriggerSuccess, tr.Status)
		require.Len(t, as, 2, "trigger %s", tr.UUID)
		require.False(t, as[0].Success)
		require.True(t, as[1].Success)
	}
	st, err := two.WebhookQueueStats(ctx)
	require.NoError(t, err)
	require.Equal(t, broker.WebhookQueueStats{}, st)
}

func hookDef(url string) []byte {
	return []byte(`{"events":[{"name":"contract_published"}],"request":{"method":"POST","url":"` + url + `/hook"}}`)
}
