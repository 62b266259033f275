package grpctest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// RepoRoot returns the module root (the folder holding go.mod), looked for
// from the working directory up.
func RepoRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	require.NoError(tb, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(tb, parent, dir, "module root not found")
		dir = parent
	}
}

// PluginPactsDir returns the protobuf plugin's pacts, in
// ../shared/grpc-plugin-pacts beside the repository (not copied into it),
// or skips the test naming the folder when it is absent.
func PluginPactsDir(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join(RepoRoot(tb), "..", "shared", "grpc-plugin-pacts")
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("shared fixtures folder %s is absent", dir)
	}
	return dir
}
