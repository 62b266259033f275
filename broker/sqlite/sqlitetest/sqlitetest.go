// Package sqlitetest opens SQLite broker stores for tests: a real store on
// a temp file, with a reproducible clock.
//
//	s := sqlitetest.Open(t, sqlite.WithClock(sqlitetest.TickingClock(start, time.Second)))
//
// It lives beside broker/sqlite rather than in broker/storetest so that the
// conformance suite keeps depending on broker alone.
package sqlitetest

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker/sqlite"
)

// Open opens a store on a new database file in the test's temp folder,
// with opts, and closes it when the test ends.
func Open(tb testing.TB, opts ...sqlite.Option) *sqlite.Store {
	tb.Helper()
	s, err := sqlite.Open(filepath.Join(tb.TempDir(), "broker.db"), opts...)
	require.NoError(tb, err)
	tb.Cleanup(func() { require.NoError(tb, s.Close()) })
	return s
}

// TickingClock returns a clock that reads start+step first and advances by
// step on every reading, so successive writes get increasing, reproducible
// times. It is safe for concurrent use.
func TickingClock(start time.Time, step time.Duration) func() time.Time {
	var mu sync.Mutex
	now := start
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(step)
		return now
	}
}
