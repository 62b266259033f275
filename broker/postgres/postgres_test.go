package postgres_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
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

// TestOpen covers what the conformance suite does not: replicas starting
// together migrate once, a bad URL is refused without echoing it, text
// PostgreSQL cannot store is ErrInvalid, and Close twice is an error.
func TestOpen(t *testing.T) {
	c := pgtest.Start(t)
	ctx := t.Context()

	t.Run("replicas starting together migrate once", func(t *testing.T) {
		dsn := c.NewDatabase(t)
		const n = 6
		errs := make(chan error, n)
		stores := make(chan *postgres.Store, n)
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s, err := postgres.Open(ctx, dsn, postgres.Options{MaxConns: 2})
				errs <- err
				if err == nil {
					stores <- s
				}
			}()
		}
		wg.Wait()
		close(errs)
		close(stores)
		for err := range errs {
			require.NoError(t, err)
		}
		for s := range stores {
			require.NoError(t, s.Close())
		}
		db, err := sql.Open("pgx", dsn)
		require.NoError(t, err)
		defer db.Close()
		var applied, distinct int
		require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT name) FROM schema_migrations`).Scan(&applied, &distinct))
		files, err := filepath.Glob("migrations/*.sql")
		require.NoError(t, err)
		require.Equal(t, len(files), applied)
		require.Equal(t, applied, distinct)
	})

	t.Run("a malformed URL is refused without being echoed", func(t *testing.T) {
		_, err := postgres.Open(ctx, "postgres://user:hunter2@host:notaport/db", postgres.Options{})
		require.ErrorIs(t, err, broker.ErrInvalid)
		require.NotContains(t, err.Error(), "hunter2")
	})

	t.Run("a NUL character is invalid input, not an internal error", func(t *testing.T) {
		s := mustOpen(t, c, postgres.Options{})
		_, _, err := s.PutPacticipant(ctx, broker.Pacticipant{Name: "nul\x00name"})
		require.ErrorIs(t, err, broker.ErrInvalid)
	})

	t.Run("close twice", func(t *testing.T) {
		s, err := postgres.Open(ctx, c.NewDatabase(t), postgres.Options{})
		require.NoError(t, err)
		require.NoError(t, s.Close())
		require.Error(t, s.Close())
	})
}

func TestPreviousReleaseProviderContracts(t *testing.T) {
	c := pgtest.Start(t)
	dsn := c.NewDatabase(t)
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	defer db.Close()
	var last *postgres.Store
	t.Cleanup(func() {
		if last != nil {
			require.NoError(t, last.Close())
		}
	})
	storetest.PreviousReleaseProviderContracts(t, db, rebindDollars, func(t *testing.T) broker.Store {
		if last != nil {
			require.NoError(t, last.Close())
		}
		var err error
		last, err = postgres.Open(t.Context(), dsn, postgres.Options{Clock: tickingClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), time.Second)})
		require.NoError(t, err)
		return last
	})
}

// rebindDollars numbers ? placeholders $1, $2, ... (the statements given
// have no ? in literals).
func rebindDollars(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
