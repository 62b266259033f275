package compare_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/formats/compare"
	"github.com/contracts-dev/contracts/formats/pact"
)

// BenchmarkCompare500x100 compares 100 pacts of 20 interactions with a
// 500-operation document (testdata/bench/compare), loading included.
func BenchmarkCompare500x100(b *testing.B) {
	dir := b.TempDir()
	cmd := exec.Command("go", "run", "./testdata/bench/compare", "-out", dir)
	cmd.Dir = repoRoot(b)
	out, err := cmd.CombinedOutput()
	require.NoError(b, err, string(out))
	files, err := filepath.Glob(filepath.Join(dir, "pacts", "*.json"))
	require.NoError(b, err)
	var pacts []*pact.Pact
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(b, err)
		p, err := pact.Parse(data)
		require.NoError(b, err)
		pacts = append(pacts, p)
	}
	b.ResetTimer()
	for range b.N {
		data, err := os.ReadFile(filepath.Join(dir, "openapi.json"))
		require.NoError(b, err)
		doc, ok, err := compare.ParseOpenAPI(data)
		require.NoError(b, err)
		require.True(b, ok)
		c, err := compare.New(compare.Documents{OpenAPI: doc})
		require.NoError(b, err)
		failed := 0
		for _, p := range pacts {
			if compare.HasErrors(c.Compare(p)) {
				failed++
			}
		}
		require.Equal(b, 10, failed)
	}
}
