package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// mustBuildContracts builds this command into a temp directory, for tests
// that need a real process and real signals (the build cache makes the
// second build a link).
func mustBuildContracts(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "contracts")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(tb, err, "go build: %s", out)
	return bin
}

// brokerProcess is a real `contracts broker` process and its log lines.
type brokerProcess struct {
	cmd   *exec.Cmd
	lines chan map[string]any
	base  string
	exit  chan error
}

func mustStartBrokerProcess(t *testing.T, args ...string) *brokerProcess {
	t.Helper()
	bin := mustBuildContracts(t)
	cmd := exec.Command(bin, append([]string{"broker", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "b.db")}, args...)...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	p := &brokerProcess{cmd: cmd, lines: make(chan map[string]any, 1000), exit: make(chan error, 1)}
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-p.exit })
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil {
				p.lines <- m
			}
		}
		close(p.lines)
		p.exit <- cmd.Wait()
		close(p.exit)
	}()
	listening := p.waitLog(t, "broker listening")
	p.base = "http://" + listening["addr"].(string)
	return p
}

// waitLog reads log lines until one has message msg; the deadline only
// turns a hang into a failure.
func (p *brokerProcess) waitLog(t *testing.T, msg string) map[string]any {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case m, ok := <-p.lines:
			if !ok {
				t.Fatalf("the broker exited before logging %q", msg)
			}
			if m["msg"] == msg {
				return m
			}
		case <-deadline:
			t.Fatalf("no log line %q", msg)
		}
	}
}

// wait returns the process's exit code once it exited by itself.
func (p *brokerProcess) wait(t *testing.T) int {
	t.Helper()
	for range p.lines { // drain
	}
	select {
	case err := <-p.exit:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		require.NoError(t, err)
		return 0
	case <-time.After(60 * time.Second):
		t.Fatal("the broker did not exit")
		return -1
	}
}

func getStatus(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// startSlowRequest sends a request whose body the test completes later,
// and returns once the handler is reading the body: an in-flight request.
// "Expect: 100-continue" makes the server say so: it answers 100 when the
// handler first reads.
func startSlowRequest(t *testing.T, base string, body string, sent int) (net.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	require.NoError(t, conn.SetDeadline(time.Now().Add(60*time.Second)))
	_, err = io.WriteString(conn, "POST /pacticipants HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n")
	require.NoError(t, err)
	rd := bufio.NewReader(conn)
	status, err := rd.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "HTTP/1.1 100 Continue\r\n", status)
	blank, err := rd.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "\r\n", blank)
	_, err = io.WriteString(conn, body[:sent])
	require.NoError(t, err)
	return conn, rd
}

// TestSIGTERMDrainsThenExits runs a real broker process: on SIGTERM
// /health/ready turns 503 at once while /health/live stays 200, a request
// in flight still completes, and the process exits 0.
func TestSIGTERMDrainsThenExits(t *testing.T) {
	p := mustStartBrokerProcess(t, "--shutdown-delay", "3s", "--shutdown-grace", "30s")
	require.Equal(t, http.StatusOK, getStatus(t, p.base+"/health/ready"))
	body := `{"name":"InFlight"}`
	conn, rd := startSlowRequest(t, p.base, body, 5)

	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	p.waitLog(t, "draining")
	// The delay keeps the listener open: the probes are answered.
	require.Equal(t, http.StatusServiceUnavailable, getStatus(t, p.base+"/health/ready"))
	require.Equal(t, http.StatusOK, getStatus(t, p.base+"/health/live"))

	_, err := io.WriteString(conn, body[5:])
	require.NoError(t, err)
	resp, err := http.ReadResponse(rd, nil)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode, "the in-flight request completes")
	require.True(t, resp.Close, "a draining broker does not keep connections alive")
	p.waitLog(t, "stopped")
	require.Equal(t, 0, p.wait(t))
}

// TestShutdownGraceBoundsExit checks that a request that never finishes
// does not keep the process alive past the grace period.
func TestShutdownGraceBoundsExit(t *testing.T) {
	p := mustStartBrokerProcess(t, "--shutdown-grace", "1s")
	_, rd := startSlowRequest(t, p.base, `{"name":"Never"}`, 3)
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	p.waitLog(t, "grace period over: in-flight requests were cut")
	require.Equal(t, exitCantTell, p.wait(t))
	_, err := http.ReadResponse(rd, nil)
	require.Error(t, err, "the stalled request's connection was closed")
}
