package sqlite_test

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/sqlite"
	"github.com/contracts-dev/contracts/broker/storetest"
	"github.com/stretchr/testify/require"
)

// tickingClock returns a clock that starts at a fixed time and advances one
// second on every reading, so tests are deterministic and writes ordered.
func tickingClock() func() time.Time {
	var (
		mu  sync.Mutex
		now = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Second)
		return now
	}
}

func mustOpen(tb testing.TB) *sqlite.Store {
	tb.Helper()
	s, err := sqlite.Open(filepath.Join(tb.TempDir(), "broker.db"), sqlite.WithClock(tickingClock()))
	require.NoError(tb, err)
	tb.Cleanup(func() { require.NoError(tb, s.Close()) })
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) broker.Store { return mustOpen(t) })
}

func TestReopenKeepsDataAndMigrationsOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broker.db")
	s, err := sqlite.Open(path)
	require.NoError(t, err)
	_, err = s.CreatePacticipant(t.Context(), broker.Pacticipant{Name: "Foo"})
	require.NoError(t, err)
	require.NoError(t, s.Close())

	s, err = sqlite.Open(path)
	require.NoError(t, err)
	defer s.Close()
	_, err = s.GetPacticipant(t.Context(), "Foo")
	require.NoError(t, err)
}

func TestInMemory(t *testing.T) {
	s, err := sqlite.Open(":memory:")
	require.NoError(t, err)
	defer s.Close()
	_, err = s.CreatePacticipant(t.Context(), broker.Pacticipant{Name: "Foo"})
	require.NoError(t, err)
	_, err = s.GetPacticipant(t.Context(), "Foo")
	require.NoError(t, err)
}
