package pgtest_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker/postgres/pgtest"
)

// TestStartAndNewDatabase starts a cluster, creates two databases and
// checks with psql that both answer.
func TestStartAndNewDatabase(t *testing.T) {
	c := pgtest.Start(t)
	a, b := c.NewDatabase(t), c.NewDatabase(t)
	require.NotEqual(t, a, b)
	bin, err := pgtest.BinDir()
	require.NoError(t, err)
	for _, dsn := range []string{a, b} {
		out, err := exec.Command(filepath.Join(bin, "psql"), dsn, "-Atc", "SELECT current_database()").CombinedOutput()
		require.NoError(t, err, string(out))
		require.Equal(t, filepath.Base(dsn[:len(dsn)-len("?sslmode=disable")])+"\n", string(out))
	}
}

// TestBinDirNamesWhatIsMissing: a wrong CONTRACTS_PG_BIN is an error that
// names the folder and initdb.
func TestBinDirNamesWhatIsMissing(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("CONTRACTS_PG_BIN", dir)
	_, err := pgtest.BinDir()
	require.ErrorContains(t, err, "CONTRACTS_PG_BIN="+dir)
	require.ErrorContains(t, err, "initdb")
	_ = os.Remove(dir)
}
