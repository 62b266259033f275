package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/contracts-dev/contracts/broker/postgres"
	"github.com/contracts-dev/contracts/broker/postgres/pgtest"
	"github.com/contracts-dev/contracts/broker/sqlite"
)

// storeOpener opens an empty store with the UUID generator newID (nil:
// the store's own), closed when the test ends.
type storeOpener func(newID func() string) (brokerStore, error)

// forEachStore runs fn as one subtest per store kind: "sqlite" on temp
// files and "postgres" on a throwaway cluster (pgtest: skipped without the
// PostgreSQL binaries, except under CI=true).
func forEachStore(t *testing.T, fn func(t *testing.T, open storeOpener)) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		n := 0
		fn(t, func(newID func() string) (brokerStore, error) {
			n++
			var opts []sqlite.Option
			if newID != nil {
				opts = append(opts, sqlite.WithUUIDs(newID))
			}
			s, err := sqlite.Open(filepath.Join(dir, fmt.Sprintf("broker-%d.db", n)), opts...)
			if err == nil {
				t.Cleanup(func() { _ = s.Close() })
			}
			return s, err
		})
	})
	t.Run("postgres", func(t *testing.T) {
		c := pgtest.Start(t)
		dsn := c.NewDatabase(t)
		// One database, emptied for each store: a database per store would
		// cost a createdb and the migrations each time.
		var (
			mu   sync.Mutex
			prev *postgres.Store
		)
		t.Cleanup(func() {
			if prev != nil {
				_ = prev.Close()
			}
		})
		fn(t, func(newID func() string) (brokerStore, error) {
			mu.Lock()
			defer mu.Unlock()
			if prev != nil {
				_ = prev.Close()
				if err := c.Empty(dsn); err != nil {
					return nil, err
				}
			}
			s, err := postgres.Open(context.Background(), dsn, postgres.Options{NewID: newID})
			prev = s
			return s, err
		})
	})
}
