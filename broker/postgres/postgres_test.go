package postgres_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/postgres"
	"github.com/contracts-dev/contracts/broker/postgres/pgtest"
	"github.com/contracts-dev/contracts/broker/storetest"
)

// tickingClock reads start+step first and advances by step on every
// reading (as storetest requires).
func tickingClock(start time.Time, step time.Duration) func() time.Time {
	var mu sync.Mutex
	now := start
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(step)
		return now
	}
}

// mustOpen opens a store on a new database of c with a ticking clock.
func mustOpen(tb testing.TB, c *pgtest.Cluster, opts postgres.Options) *postgres.Store {
	tb.Helper()
	if opts.Clock == nil {
		opts.Clock = tickingClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), time.Second)
	}
	s, err := postgres.Open(tb.Context(), c.NewDatabase(tb), opts)
	require.NoError(tb, err)
	tb.Cleanup(func() { require.NoError(tb, s.Close()) })
	return s
}

func TestStore(t *testing.T) {
	c := pgtest.Start(t)
	storetest.Run(t, func(t *testing.T) broker.Store { return mustOpen(t, c, postgres.Options{}) })
}

// batchPublish publishes req in a batch under the default rules.
func batchPublish(b *postgres.Batch, req broker.PublishRequest) (broker.PublishResult, error) {
	w, err := broker.NewPublication(req, broker.DefaultRules())
	if err != nil {
		return broker.PublishResult{}, err
	}
	return b.PublishContracts(w)
}
