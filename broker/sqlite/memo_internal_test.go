package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/sqlstore"
)

// TestReadMemo checks what a read transaction remembers: a repeated
// single-row look-up is answered from memory inside one snapshot (a row
// or its absence), a new snapshot reads again and sees later writes, and a
// cancelled context stops the next statement.
func TestReadMemo(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "memo.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	_, err = s.CreatePacticipant(ctx, broker.Pacticipant{Name: "Web"})
	require.NoError(t, err)

	snap, end, err := s.ReadSnapshot(ctx)
	require.NoError(t, err)
	tx := snap.Value(snapshotKey{s.db}).(*sqlstore.Tx)
	first, err := s.GetPacticipant(snap, "Web")
	require.NoError(t, err)
	_, err = s.GetPacticipant(snap, "API")
	require.ErrorIs(t, err, broker.ErrNotFound)
	remembered := tx.Remembered()
	require.Positive(t, remembered)

	// Written after the snapshot began: invisible to it, from memory or not.
	_, err = s.CreatePacticipant(ctx, broker.Pacticipant{Name: "API"})
	require.NoError(t, err)
	again, err := s.GetPacticipant(snap, "Web")
	require.NoError(t, err)
	require.Equal(t, first, again)
	_, err = s.GetPacticipant(snap, "API")
	require.ErrorIs(t, err, broker.ErrNotFound)
	require.Equal(t, remembered, tx.Remembered(), "the same look-ups again: nothing new to remember")

	cancelled, cancel := context.WithCancel(snap)
	cancel()
	_, err = s.GetPacticipant(cancelled, "Web")
	require.ErrorIs(t, err, context.Canceled, "a cancelled context stops the next statement of the snapshot")
	end()

	_, err = s.GetPacticipant(ctx, "API")
	require.NoError(t, err, "a new transaction reads again")
}
