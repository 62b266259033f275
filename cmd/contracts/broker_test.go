package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker/api"
	"github.com/contracts-dev/contracts/broker/server"
)

// mustStartTestBroker starts a real broker on loopback over a temp-file
// SQLite store and returns its URL and a client for it.
func mustStartTestBroker(tb testing.TB, auth server.AuthConfig) (string, *api.Client) {
	tb.Helper()
	b := mustStartE2EBroker(tb, auth)
	return b.URL, b.Client
}

func TestBrokerCommandServesAndShutsDown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	stderr := &lockedBuffer{}
	db := filepath.Join(t.TempDir(), "contracts.db")
	vars := map[string]string{"CONTRACTS_DB": db, "CONTRACTS_WRITE_TOKEN": "tok-secret", "CONTRACTS_ALLOW_PUBLIC_READ": "true"}
	go func() {
		code := run(ctx, []string{"broker", "--addr", "127.0.0.1:0"}, &env{stdin: strings.NewReader(""), stdout: pw, stderr: stderr, getenv: func(k string) string { return vars[k] }})
		pw.Close()
		done <- code
	}()
	lines := make(chan map[string]any, 100)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil {
				lines <- m
			}
		}
		close(lines)
	}()
	// waitFor reads log lines until one matches; the deadline only turns
	// a hang into a failure.
	waitFor := func(match func(map[string]any) bool) map[string]any {
		t.Helper()
		deadline := time.After(30 * time.Second)
		for {
			select {
			case m, ok := <-lines:
				if !ok {
					t.Fatalf("the broker stopped logging; stderr: %s", stderr.String())
				}
				if match(m) {
					return m
				}
			case <-deadline:
				t.Fatalf("no matching log line; stderr: %s", stderr.String())
			}
		}
	}
	listening := waitFor(func(m map[string]any) bool { return m["msg"] == "broker listening" })
	require.Equal(t, db, listening["db"])
	addr, _ := listening["addr"].(string)
	require.NotEmpty(t, addr, "stderr: %s", stderr.String())
	base := "http://" + addr

	resp, err := http.Get(base + "/health")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	resp, err = http.Get(base + "/pacticipants")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "public read")
	resp, err = http.Post(base+"/pacticipants", "application/json", strings.NewReader(`{"name":"Foo"}`))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode, "writes need the token")

	req, err := http.NewRequest(http.MethodGet, base+"/", nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Type"), "text/html", "browsers get the web view")

	refused := waitFor(func(m map[string]any) bool {
		return m["msg"] == "request" && m["method"] == "POST" && m["route"] == "/pacticipants"
	})
	require.Equal(t, float64(401), refused["status"])
	require.NotEmpty(t, refused["trace_id"])
	cancel()
	waitFor(func(m map[string]any) bool { return m["msg"] == "stopped" })
	require.Equal(t, exitOK, <-done, stderr.String())
}

func TestBrokerCommandCannotStart(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		vars map[string]string
		want string
	}{
		{name: "bad log level", args: []string{"--log-level", "loud"}, want: "--log-level"},
		{name: "basic username without password", vars: map[string]string{"CONTRACTS_BASIC_AUTH_USERNAME": "u"}, want: "password"},
		{name: "bad base URL", args: []string{"--base-url", "example.org"}, want: "--base-url"},
		{name: "bad boolean in the environment", vars: map[string]string{"CONTRACTS_ALLOW_PUBLIC_READ": "maybe"}, want: "CONTRACTS_ALLOW_PUBLIC_READ"},
		{name: "bad public-badges boolean", vars: map[string]string{"CONTRACTS_PUBLIC_BADGES": "maybe"}, want: "CONTRACTS_PUBLIC_BADGES"},
		{name: "drain delay not shorter than the grace", vars: map[string]string{"CONTRACTS_SHUTDOWN_GRACE": "5s", "CONTRACTS_SHUTDOWN_DELAY": "5s"}, want: "--shutdown-delay"},
		{name: "flag overrides the environment", args: []string{"--shutdown-grace", "0s"}, vars: map[string]string{"CONTRACTS_SHUTDOWN_GRACE": "5s"}, want: "--shutdown-grace must be positive"},
		{name: "bad duration in the environment", vars: map[string]string{"CONTRACTS_READ_BODY_TIMEOUT": "soon"}, want: "CONTRACTS_READ_BODY_TIMEOUT"},
		{name: "no room for large bodies", args: []string{"--max-inflight-body-bytes", "0"}, want: "--max-inflight-body-bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"broker", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "x.db")}, tt.args...)
			code, _, stderr := runCLI(context.Background(), tt.vars, args...)
			require.Equal(t, exitCantTell, code)
			require.Contains(t, stderr, tt.want)
		})
	}
}
