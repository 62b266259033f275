package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/sqlite"
)

// TestReadSnapshot checks that reads made with a snapshot context share
// one read transaction: they do not see a write committed after the
// snapshot began, while other reads do.
func TestReadSnapshot(t *testing.T) {
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "b.db"))
	require.NoError(t, err)
	defer s.Close()
	ctx := t.Context()
	_, err = s.CreatePacticipant(ctx, broker.Pacticipant{Name: "Before"})
	require.NoError(t, err)

	snap, end, err := s.ReadSnapshot(ctx)
	require.NoError(t, err)
	_, err = s.GetPacticipant(snap, "Before") // the snapshot starts with its first read
	require.NoError(t, err)
	_, err = s.CreatePacticipant(ctx, broker.Pacticipant{Name: "After"})
	require.NoError(t, err)

	_, err = s.GetPacticipant(snap, "After")
	require.ErrorIs(t, err, broker.ErrNotFound, "the snapshot does not see a later write")
	_, err = s.GetPacticipant(ctx, "After")
	require.NoError(t, err)
	end()
	end() // ending twice is harmless
}
