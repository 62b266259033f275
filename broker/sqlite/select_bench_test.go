package sqlite_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/sqlite"
	"github.com/contracts-dev/contracts/broker/sqlstore/storebench"
	"github.com/contracts-dev/contracts/broker/storetest"
)

// BenchmarkSelectBranchHeads times the queries behind pacts-for-verification's
// main-branch selector and WIP pacts: the head of a branch per consumer.
// Their statements used to be recompiled by SQLite on every run.
//
//	go test ./broker/sqlite -run '^$' -bench SelectBranchHeads
func BenchmarkSelectBranchHeads(b *testing.B) {
	s, err := sqlite.Open(filepath.Join(b.TempDir(), "b.db"))
	require.NoError(b, err)
	defer s.Close()
	for c := range 10 {
		for v := range 10 {
			branch := "main"
			if v%3 == 2 {
				branch = fmt.Sprint("feat-", v)
			}
			storetest.MustPublish(b, s, storetest.Publication{Consumer: fmt.Sprint("Web", c), Version: fmt.Sprint(v), Branch: branch,
				Pacts: map[string][]string{"API": {fmt.Sprint("i", v%4)}}})
		}
	}
	ctx := b.Context()
	b.Run("main-branch", func(b *testing.B) {
		defer storebench.ReportCPU(b)()
		for b.Loop() {
			got, err := s.SelectPacts(ctx, broker.PactSelection{Provider: "API", Kind: broker.SelectMainBranchHead})
			require.NoError(b, err)
			require.Len(b, got, 10)
		}
	})
	b.Run("wip-candidates", func(b *testing.B) {
		defer storebench.ReportCPU(b)()
		for b.Loop() {
			got, err := s.WIPCandidates(ctx, "API", time.Unix(0, 0))
			require.NoError(b, err)
			require.NotEmpty(b, got)
		}
	})
}
