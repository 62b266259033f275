package sqlite_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/sqlite"
)

// TestDatabaseFilesAreOwnerOnly checks that the database file and its WAL
// and shared-memory files are created readable by their owner only: they
// hold every contract.
func TestDatabaseFilesAreOwnerOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broker.db")
	s, err := sqlite.Open(path)
	require.NoError(t, err)
	defer s.Close()
	_, err = s.CreatePacticipant(t.Context(), broker.Pacticipant{Name: "Foo"})
	require.NoError(t, err)
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), p)
	}
}
