package sqlite_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/sqlite"
	"github.com/contracts-dev/contracts/broker/sqlite/sqlitetest"
	"github.com/contracts-dev/contracts/broker/sqlstore/storebench"
	"github.com/contracts-dev/contracts/broker/storetest"
	"github.com/stretchr/testify/require"
)

// mustOpen opens a store whose clock starts at a fixed time and advances
// one second on every reading, so tests are deterministic and writes ordered.
func mustOpen(tb testing.TB) *sqlite.Store {
	tb.Helper()
	return sqlitetest.Open(tb, sqlite.WithClock(sqlitetest.TickingClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), time.Second)))
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

// TestConcurrentUse runs writers and readers at once: writes are
// serialised, reads run in parallel, and nothing deadlocks or fails with
// "database is locked".
func TestConcurrentUse(t *testing.T) {
	s := mustOpen(t)
	ctx := t.Context()
	storetest.MustPublish(t, s, storetest.Publication{Consumer: "Web", Version: "0", Pacts: map[string][]string{"API": {"a"}}})
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				_, err := broker.NewService(s, broker.DefaultRules()).PublishContracts(ctx, broker.PublishRequest{Pacticipant: "Web", Version: fmt.Sprintf("%d.%d", w, i),
					Contracts: []broker.ContractInput{{Consumer: "Web", Provider: "API", Content: storetest.PactJSON("Web", "API", fmt.Sprint(w, i))}}})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for r := 0; r < 8; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 30; i++ {
				if _, err := s.LatestPact(ctx, "Web", "API", broker.PactFilter{}); err != nil {
					errs <- err
					return
				}
				if _, err := broker.QueryMatrix(ctx, s, broker.MatrixQuery{Selectors: []broker.MatrixSelector{{Pacticipant: "Web", Latest: true}}}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	versions, err := s.ListVersions(ctx, "Web", broker.Page{Limit: 1000})
	require.NoError(t, err)
	require.Len(t, versions, 81)
}

// TestForeignKeysAreIndexed checks the schema rule that every foreign key
// is the leading column of an index (or primary key), so that joins and
// cascading deletes never scan a table.
func TestForeignKeysAreIndexed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broker.db")
	s, err := sqlite.Open(path)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	tables := queryStrings(t, db, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	require.NotEmpty(t, tables)
	checked := 0
	for _, table := range tables {
		leading := map[string]bool{}
		// The primary key's first column.
		for _, col := range queryStrings(t, db, `SELECT name FROM pragma_table_info(?) WHERE pk = 1`, table) {
			leading[col] = true
		}
		for _, idx := range queryStrings(t, db, `SELECT name FROM pragma_index_list(?)`, table) {
			for _, col := range queryStrings(t, db, `SELECT name FROM pragma_index_info(?) WHERE seqno = 0`, idx) {
				leading[col] = true
			}
		}
		for _, fk := range queryStrings(t, db, `SELECT "from" FROM pragma_foreign_key_list(?)`, table) {
			require.True(t, leading[fk], "foreign key %s.%s has no index starting with it", table, fk)
			checked++
		}
	}
	require.Greater(t, checked, 30)
}

func queryStrings(t *testing.T, db *sql.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(query, args...)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}

func TestBatch(t *testing.T) {
	s := mustOpen(t)
	ctx := t.Context()
	var sha string
	err := s.Batch(ctx, func(b *sqlite.Batch) error {
		res, err := storebench.Publish(b, broker.PublishRequest{Pacticipant: "Web", Version: "1", Contracts: []broker.ContractInput{
			{Consumer: "Web", Provider: "API", Content: storetest.PactJSON("Web", "API", "a")}}})
		if err != nil {
			return err
		}
		sha = res.Contracts[0].Pact.SHA
		if err := b.AddBranchVersion("API", "10", broker.BranchWrite{Name: "main", SetMainBranch: true}); err != nil {
			return err
		}
		return b.PublishVerification(broker.VerificationInput{Consumer: "Web", Provider: "API", PactSHA: sha, ProviderVersion: "10", Success: true})
	})
	require.NoError(t, err)
	v, err := s.LatestVerification(ctx, "Web", "API", sha)
	require.NoError(t, err)
	require.Equal(t, "10", v.ProviderVersion)

	// An error anywhere in the batch discards all of it.
	err = s.Batch(ctx, func(b *sqlite.Batch) error {
		if _, err := storebench.Publish(b, broker.PublishRequest{Pacticipant: "Web", Version: "2"}); err != nil {
			return err
		}
		return b.PublishVerification(broker.VerificationInput{Consumer: "Web", Provider: "API", PactSHA: "nope", ProviderVersion: "11"})
	})
	require.ErrorIs(t, err, broker.ErrNotFound)
	_, err = s.GetVersion(ctx, "Web", "2")
	require.ErrorIs(t, err, broker.ErrNotFound)
	require.ErrorIs(t, s.Batch(ctx, func(b *sqlite.Batch) error {
		return b.PublishVerification(broker.VerificationInput{Consumer: "Web", Provider: "API", PactSHA: sha})
	}), broker.ErrInvalid)
}

func TestCloseTwice(t *testing.T) {
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "broker.db"))
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.Error(t, s.Close())
}

func TestPreviousReleaseProviderContracts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broker.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	var last *sqlite.Store
	t.Cleanup(func() {
		if last != nil {
			require.NoError(t, last.Close())
		}
	})
	storetest.PreviousReleaseProviderContracts(t, db, func(q string) string { return q }, func(t *testing.T) broker.Store {
		if last != nil {
			require.NoError(t, last.Close())
		}
		var err error
		last, err = sqlite.Open(path, sqlite.WithClock(sqlitetest.TickingClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), time.Second)))
		require.NoError(t, err)
		return last
	})
}
