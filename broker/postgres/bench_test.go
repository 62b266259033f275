package postgres_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/contracts-dev/contracts/broker/postgres"
	"github.com/contracts-dev/contracts/broker/postgres/pgtest"
	"github.com/contracts-dev/contracts/broker/sqlite"
	"github.com/contracts-dev/contracts/broker/sqlstore/storebench"
)

// BenchmarkBroker is storebench's benchmark (the SQLite store's, with the
// same seed and scale) on PostgreSQL. The RSS it reports is the broker's;
// the PostgreSQL server's memory is its own.
//
// With CONTRACTS_BENCH_SEED=copy the seed is written into an SQLite file
// and copied into PostgreSQL (copyFromSQLite): minutes instead of most of
// an hour at 100x2000.
func BenchmarkBroker(b *testing.B) {
	// A durable cluster (fsync on), as a production database would run.
	c := pgtest.Start(b, "fsync=on", "synchronous_commit=on", "full_page_writes=on")
	var s *postgres.Store
	dsn := c.NewDatabase(b)
	openPG := func(b *testing.B, now func() time.Time) storebench.Store {
		var err error
		s, err = postgres.Open(context.Background(), dsn, postgres.Options{Clock: now})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		return s
	}
	seeded := func(b *testing.B) {
		if size, err := s.DatabaseSize(context.Background()); err == nil {
			b.Logf("database: %.1f MB", float64(size)/(1<<20))
		}
	}
	if os.Getenv("CONTRACTS_BENCH_SEED") != "copy" {
		storebench.Run(b, openPG, seeded)
		return
	}
	file := filepath.Join(b.TempDir(), "seed.db")
	storebench.RunCopied(b, func(b *testing.B, now func() time.Time) storebench.Store {
		lite, err := sqlite.Open(file, sqlite.WithClock(now))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { lite.Close() })
		return lite
	}, openPG, func(b *testing.B) { copyFromSQLite(b, file, dsn) }, seeded)
}
