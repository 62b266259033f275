package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// lockedBuffer is a strings.Builder safe for the command's goroutine and
// the test's.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// mockRun is a mock command running in the background.
type mockRun struct {
	url    string
	cancel context.CancelFunc
	done   chan int
	stderr *lockedBuffer
}

// mustStartMockCmd runs `contracts mock args...` and reads the URL it
// prints on its first stdout line.
func mustStartMockCmd(tb testing.TB, args ...string) *mockRun {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	m := &mockRun{cancel: cancel, done: make(chan int, 1), stderr: &lockedBuffer{}}
	go func() {
		code := run(ctx, append([]string{"mock"}, args...), &env{stdin: strings.NewReader(""), stdout: pw, stderr: m.stderr, getenv: func(string) string { return "" }})
		pw.Close()
		m.done <- code
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		tb.Fatalf("mock printed no URL (exit %d): %v\nstderr: %s", <-m.done, err, m.stderr.String())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	m.url = strings.TrimSpace(line)
	tb.Cleanup(cancel)
	return m
}

// stop interrupts the command (as SIGINT would) and returns its exit code.
func (m *mockRun) stop() int {
	m.cancel()
	return <-m.done
}

func mustGet(tb testing.TB, url string) int {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(tb, err)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(tb, err)
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func TestMockCommandServesAndWritesPact(t *testing.T) {
	dir := t.TempDir()
	m := mustStartMockCmd(t, ordersPact, "--strict", "--pact-dir", dir, "--port", "0")
	require.True(t, strings.HasPrefix(m.url, "http://127.0.0.1:"), m.url)
	require.Equal(t, 200, mustGet(t, m.url+"/orders/1"))
	require.Equal(t, 404, mustGet(t, m.url+"/orders/999"))
	require.Equal(t, 200, mustGet(t, m.url+"/orders?status=open"))
	resp, err := http.Post(m.url+"/orders", "application/json", strings.NewReader(`{"items": [{"sku": "B-2", "quantity": 1}]}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 201, resp.StatusCode)

	require.Equal(t, exitOK, m.stop(), m.stderr.String())
	require.Contains(t, m.stderr.String(), "every interaction was requested")
	data, err := os.ReadFile(filepath.Join(dir, "order-web-order-service.json"))
	require.NoError(t, err)
	require.Contains(t, string(data), "get an existing order")
}

func TestMockCommandStrictFailsOnMissingAndUnexpected(t *testing.T) {
	dir := t.TempDir()
	m := mustStartMockCmd(t, ordersPact, "--strict", "--pact-dir", dir)
	require.Equal(t, 200, mustGet(t, m.url+"/orders/1"))
	require.Equal(t, 500, mustGet(t, m.url+"/nothing/here"))
	require.Equal(t, exitNo, m.stop())
	stderr := m.stderr.String()
	require.Contains(t, stderr, "unexpected request received: GET /nothing/here")
	require.Contains(t, stderr, "expected but not received: GET /orders/999")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "no pact is written when expectations were not met")
}

func TestMockCommandNotStrictExitsZero(t *testing.T) {
	m := mustStartMockCmd(t, ordersPact)
	require.Equal(t, 500, mustGet(t, m.url+"/nothing/here"))
	require.Equal(t, exitOK, m.stop())
	require.Contains(t, m.stderr.String(), "unexpected request received")
}

func TestMockCommandCannotRun(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no pacts", []string{"mock"}, "requires at least 1 arg"},
		{"missing file", []string{"mock", "nope.json"}, "nope.json"},
		{"bad port", []string{"mock", ordersPact, "--port", "70000"}, "--port"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(context.Background(), nil, tc.args...)
			require.Equal(t, exitCantTell, code, stderr)
			require.Contains(t, stderr, tc.want)
		})
	}
	t.Run("not a pact", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "x.json")
		require.NoError(t, os.WriteFile(path, []byte(`{"hello": 1}`), 0o644))
		code, _, stderr := runCLI(context.Background(), nil, "mock", path)
		require.Equal(t, exitCantTell, code)
		require.Contains(t, stderr, path)
	})
}

func TestMockCommandFromURL(t *testing.T) {
	data, err := os.ReadFile(ordersPact)
	require.NoError(t, err)
	broker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(data) }))
	t.Cleanup(broker.Close)
	m := mustStartMockCmd(t, broker.URL+"/pacts/orders")
	require.Equal(t, 200, mustGet(t, m.url+"/orders/1"))
	require.Equal(t, exitOK, m.stop())
}
