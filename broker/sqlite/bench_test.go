package sqlite_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/contracts-dev/contracts/broker/sqlite"
	"github.com/contracts-dev/contracts/broker/sqlstore/storebench"
)

// BenchmarkBroker is storebench's benchmark on an SQLite file.
func BenchmarkBroker(b *testing.B) {
	dir := b.TempDir()
	storebench.Run(b, func(b *testing.B, now func() time.Time) storebench.Store {
		s, err := sqlite.Open(filepath.Join(dir, "bench.db"), sqlite.WithClock(now))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		return s
	}, func(b *testing.B) {
		time.Sleep(time.Second) // let the background checkpoint catch up
		for _, f := range []string{"bench.db", "bench.db-wal"} {
			if fi, err := os.Stat(filepath.Join(dir, f)); err == nil {
				b.Logf("%s: %.1f MB", f, float64(fi.Size())/(1<<20))
			}
		}
	})
}
