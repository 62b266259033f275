package grpcverify_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/proto"
)

// repoRoot is the module root (the folder holding go.mod).
func repoRoot(tb testing.TB) string {
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

// sharedDir returns a folder under <repo root>/../shared, or skips the
// test naming it.
func sharedDir(tb testing.TB, rel string) string {
	tb.Helper()
	dir := filepath.Join(repoRoot(tb), "..", "shared", rel)
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("shared fixtures folder %s is absent", dir)
	}
	return dir
}

// mustLoad compiles .proto files.
func mustLoad(tb testing.TB, files []string, importPaths []string) *proto.Files {
	tb.Helper()
	f, err := proto.Load(context.Background(), files, importPaths)
	require.NoError(tb, err)
	return f
}
