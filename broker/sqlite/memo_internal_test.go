package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
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
	memo := snap.Value(snapshotKey{s}).(*txn).read
	var first int64
	require.NoError(t, s.read(snap, func(tx *txn) error {
		first, err = pacticipantID(snap, tx, "Web")
		return err
	}))
	_, err = s.GetPacticipant(snap, "API")
	require.ErrorIs(t, err, broker.ErrNotFound)
	remembered := len(memo.rows)
	require.Positive(t, remembered)

	// Written after the snapshot began: invisible to it, from memory or not.
	_, err = s.CreatePacticipant(ctx, broker.Pacticipant{Name: "API"})
	require.NoError(t, err)
	require.NoError(t, s.read(snap, func(tx *txn) error {
		id, err := pacticipantID(snap, tx, "Web")
		require.Equal(t, first, id)
		return err
	}))
	_, err = s.GetPacticipant(snap, "API")
	require.ErrorIs(t, err, broker.ErrNotFound)
	require.Len(t, memo.rows, remembered, "the same look-ups again: nothing new to remember")
	end()

	_, err = s.GetPacticipant(ctx, "API")
	require.NoError(t, err, "a new transaction reads again")

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	require.ErrorIs(t, s.read(ctx, func(tx *txn) error {
		_, err := pacticipantID(cancelled, tx, "API")
		return err
	}), context.Canceled)
}
