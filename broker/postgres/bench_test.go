package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/contracts-dev/contracts/broker/postgres"
	"github.com/contracts-dev/contracts/broker/postgres/pgtest"
	"github.com/contracts-dev/contracts/broker/sqlstore/storebench"
)

// BenchmarkBroker is storebench's benchmark (the SQLite store's, with the
// same seed and scale) on PostgreSQL. The RSS it reports is the broker's;
// the PostgreSQL server's memory is its own.
func BenchmarkBroker(b *testing.B) {
	// A durable cluster (fsync on), as a production database would run.
	c := pgtest.Start(b, "fsync=on", "synchronous_commit=on", "full_page_writes=on")
	var s *postgres.Store
	storebench.Run(b, func(b *testing.B, now func() time.Time) storebench.Store {
		var err error
		s, err = postgres.Open(context.Background(), c.NewDatabase(b), postgres.Options{Clock: now})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		return s
	}, func(b *testing.B) {
		if size, err := s.DatabaseSize(context.Background()); err == nil {
			b.Logf("database: %.1f MB", float64(size)/(1<<20))
		}
	})
}
