package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// BenchmarkCompareCLI runs `contracts compare --output json` in-process on
// the generated bi-directional set of scripts/bench-compare.sh (a
// 500-operation OpenAPI document, 100 pacts of 20 interactions, 10 of them
// incompatible): reading and loading the document, parsing the pacts,
// comparing and printing, everything but process start-up. It reports
// cpu-ns/op beside ns/op: the CPU time of the process per run, which a
// loaded machine disturbs less than the wall time.
//
//	go test ./cmd/contracts -run '^$' -bench BenchmarkCompareCLI -benchmem
func BenchmarkCompareCLI(b *testing.B) {
	dir := b.TempDir()
	gen := exec.Command("go", "run", "./testdata/bench/compare", "-out", dir)
	gen.Dir = "../.."
	out, err := gen.CombinedOutput()
	require.NoError(b, err, string(out))
	pacts, err := filepath.Glob(filepath.Join(dir, "pacts", "*.json"))
	require.NoError(b, err)
	args := append([]string{"compare", "--oas", filepath.Join(dir, "openapi.json"), "--output", "json"}, pacts...)
	before := processCPU(b)
	b.ResetTimer()
	for range b.N {
		var stdout, stderr bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
		code := run(context.Background(), args, e)
		require.Equal(b, exitNo, code, stderr.String())
		require.Equal(b, len(pacts), strings.Count(stdout.String(), "\n"))
	}
	b.StopTimer()
	// CPU time, garbage collection included, holds better than ns/op on a
	// shared machine.
	b.ReportMetric(float64(processCPU(b)-before)/float64(b.N), "cpu-ns/op")
}

// processCPU is the CPU time (user and system) the process has used.
func processCPU(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	require.NoError(tb, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
