package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/dynamicpb"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/formats/proto"
	"github.com/contracts-dev/contracts/verify/grpcverify"
)

// grpcMockRun is `contracts mock --grpc-port` running in the background.
type grpcMockRun struct {
	httpURL, grpcURL string
	cancel           context.CancelFunc
	done             chan int
	stderr           *lockedBuffer
}

// mustStartGRPCMockCmd runs `contracts mock args...` and reads the HTTP URL
// and the gRPC address it prints on its first two stdout lines.
func mustStartGRPCMockCmd(tb testing.TB, args ...string) *grpcMockRun {
	tb.Helper()
	return mustStartGRPCMockWith(tb, func(ctx context.Context, args []string, stdout io.Writer, stderr io.Writer) int {
		return run(ctx, args, &env{stdin: strings.NewReader(""), stdout: stdout, stderr: stderr, getenv: func(string) string { return "" }})
	}, args...)
}

// mustStartGRPCMockWith is mustStartGRPCMockCmd through a given entry
// point (run with an empty environment, or the public Run).
func mustStartGRPCMockWith(tb testing.TB, entry func(ctx context.Context, args []string, stdout, stderr io.Writer) int, args ...string) *grpcMockRun {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	m := &grpcMockRun{cancel: cancel, done: make(chan int, 1), stderr: &lockedBuffer{}}
	go func() {
		code := entry(ctx, append([]string{"mock"}, args...), pw, m.stderr)
		pw.Close()
		m.done <- code
	}()
	r := bufio.NewReader(pr)
	var lines []string
	for range 2 {
		line, err := r.ReadString('\n')
		if err != nil {
			cancel()
			tb.Fatalf("mock printed %q, not two addresses (exit %d): %v\nstderr: %s", lines, <-m.done, err, m.stderr.String())
		}
		lines = append(lines, strings.TrimSpace(line))
	}
	go func() { _, _ = io.Copy(io.Discard, r) }()
	m.httpURL, m.grpcURL = lines[0], lines[1]
	tb.Cleanup(cancel)
	return m
}

func (m *grpcMockRun) stop() int {
	m.cancel()
	return <-m.done
}

// getOrderCall calls GetOrder on the mock with a dynamic client, as a
// consumer with generated stubs would.
func getOrderCall(tb testing.TB, target, id string, md metadata.MD) (map[string]any, error) {
	tb.Helper()
	files := mustShopFiles(tb)
	conn, err := grpc.NewClient(strings.TrimPrefix(target, "grpc://"), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(tb, err)
	defer conn.Close()
	method, err := files.FindMethod("shop.v1.Orders/GetOrder")
	require.NoError(tb, err)
	req, err := files.FromValue(method.Input(), map[string]any{"id": id})
	require.NoError(tb, err)
	reply := dynamicpb.NewMessage(method.Output())
	ctx := metadata.NewOutgoingContext(context.Background(), md)
	if err := conn.Invoke(ctx, "/shop.v1.Orders/GetOrder", req, reply); err != nil {
		return nil, err
	}
	v, err := files.ToValue(reply, proto.ValueOptions{})
	require.NoError(tb, err)
	return v.(map[string]any), nil
}

func TestMockCommandServesGRPC(t *testing.T) {
	pactFile := filepath.Join(shopProtoDir, "order-web-order-service.json")
	m := mustStartGRPCMockCmd(t, pactFile, "--grpc-port", "0", "--strict")
	require.True(t, strings.HasPrefix(m.httpURL, "http://127.0.0.1:"), m.httpURL)
	require.True(t, strings.HasPrefix(m.grpcURL, "grpc://127.0.0.1:"), m.grpcURL)

	got, err := getOrderCall(t, m.grpcURL, "o-1", metadata.Pairs("authorization", "Bearer abc"))
	require.NoError(t, err)
	require.Equal(t, "o-1", got["id"])
	require.Contains(t, got, "items")

	_, err = getOrderCall(t, m.grpcURL, "o-404", nil)
	require.Equal(t, codes.NotFound, status.Code(err))
	require.Equal(t, "order o-404 not found", status.Convert(err).Message())

	require.Equal(t, exitOK, m.stop(), m.stderr.String())
	require.Contains(t, m.stderr.String(), "every interaction was requested")
}

func TestMockCommandGRPCStrictFails(t *testing.T) {
	pactFile := filepath.Join(shopProtoDir, "order-web-order-service.json")
	m := mustStartGRPCMockCmd(t, pactFile, "--grpc-port", "0", "--strict")
	// No authorization metadata: no interaction matches the request.
	_, err := getOrderCall(t, m.grpcURL, "o-1", nil)
	require.Error(t, err)
	require.Equal(t, exitNo, m.stop())
	stderr := m.stderr.String()
	require.Contains(t, stderr, "did not match interaction")
	require.Contains(t, stderr, `expected but not received: gRPC call /shop.v1.Orders/GetOrder (interaction "a request for a missing order")`)
}

func TestMockCommandGRPCNotServedSaysSo(t *testing.T) {
	pactFile := filepath.Join(shopProtoDir, "order-web-order-service.json")
	m := mustStartMockCmd(t, pactFile)
	require.Equal(t, exitOK, m.stop())
	require.Contains(t, m.stderr.String(), "2 gRPC interaction(s) not served: give --grpc-port")
}

func TestMockCommandGRPCBadPort(t *testing.T) {
	code, _, stderr := runCLI(context.Background(), nil, "mock", filepath.Join(shopProtoDir, "order-web-order-service.json"), "--grpc-port", "70000")
	require.Equal(t, exitCantTell, code)
	require.Contains(t, stderr, "--grpc-port 70000: want 0-65535")
}

// runEntry starts the command through the public Run, as main does.
func runEntry(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return Run(ctx, args, strings.NewReader(""), stdout, stderr)
}

// healthPact is an HTTP pact of the gRPC fixture's consumer and provider.
const healthPact = `{
  "consumer": {"name": "order-web"},
  "provider": {"name": "order-service"},
  "interactions": [{
    "description": "a health check",
    "request": {"method": "GET", "path": "/health"},
    "response": {"status": 200, "body": "ok"}
  }],
  "metadata": {"pactSpecification": {"version": "3.0.0"}}
}`

// callAllShop makes the two calls the gRPC fixture expects.
func callAllShop(t *testing.T, target string) {
	t.Helper()
	_, err := getOrderCall(t, target, "o-1", metadata.Pairs("authorization", "Bearer abc"))
	require.NoError(t, err)
	_, err = getOrderCall(t, target, "o-404", nil)
	require.Equal(t, codes.NotFound, status.Code(err))
}

func TestMockCommandWritesGRPCInteractions(t *testing.T) {
	grpcPact := filepath.Join(shopProtoDir, "order-web-order-service.json")
	healthFile := filepath.Join(t.TempDir(), "health.json")
	require.NoError(t, os.WriteFile(healthFile, []byte(healthPact), 0o644))

	t.Run("merged with the HTTP interactions of the pair", func(t *testing.T) {
		out := t.TempDir()
		m := mustStartGRPCMockWith(t, runEntry, grpcPact, healthFile, "--grpc-port", "0", "--pact-dir", out)
		require.Equal(t, http.StatusOK, mustGet(t, m.httpURL+"/health"))
		callAllShop(t, m.grpcURL)
		require.Equal(t, exitOK, m.stop(), m.stderr.String())
		written := filepath.Join(out, "order-web-order-service.json")
		require.Contains(t, m.stderr.String(), "mock: wrote gRPC interactions to "+written)
		entries, err := os.ReadDir(out)
		require.NoError(t, err)
		require.Len(t, entries, 1, "one file for the pair")

		data, err := os.ReadFile(written)
		require.NoError(t, err)
		p, err := pact.Parse(data)
		require.NoError(t, err)
		require.Equal(t, pact.V4, p.Spec)
		var kinds []string
		for _, in := range p.Interactions {
			kinds = append(kinds, string(in.Type)+": "+in.Description)
		}
		require.Equal(t, []string{
			"Synchronous/HTTP: a health check",
			"Synchronous/Messages: a request for order o-1",
			"Synchronous/Messages: a request for a missing order",
		}, kinds)
		// The plugin entry with the descriptors is there: the written file is
		// served again, both kinds, with nothing missing.
		_, err = grpcverify.Descriptors(p)
		require.NoError(t, err)
		again := mustStartGRPCMockCmd(t, written, "--grpc-port", "0", "--strict")
		require.Equal(t, http.StatusOK, mustGet(t, again.httpURL+"/health"))
		callAllShop(t, again.grpcURL)
		require.Equal(t, exitOK, again.stop(), again.stderr.String())
	})

	t.Run("gRPC only", func(t *testing.T) {
		out := t.TempDir()
		m := mustStartGRPCMockWith(t, runEntry, grpcPact, "--grpc-port", "0", "--pact-dir", out)
		callAllShop(t, m.grpcURL)
		require.Equal(t, exitOK, m.stop(), m.stderr.String())
		data, err := os.ReadFile(filepath.Join(out, "order-web-order-service.json"))
		require.NoError(t, err)
		p, err := pact.Parse(data)
		require.NoError(t, err)
		require.Len(t, p.Interactions, 2)
		src, err := os.ReadFile(grpcPact)
		require.NoError(t, err)
		var want, got struct {
			Metadata struct {
				Plugins json.RawMessage `json:"plugins"`
			} `json:"metadata"`
		}
		require.NoError(t, json.Unmarshal(src, &want))
		require.NoError(t, json.Unmarshal(data, &got))
		require.JSONEq(t, string(want.Metadata.Plugins), string(got.Metadata.Plugins))
	})

	t.Run("nothing written when an interaction was missed", func(t *testing.T) {
		out := t.TempDir()
		m := mustStartGRPCMockWith(t, runEntry, grpcPact, healthFile, "--grpc-port", "0", "--pact-dir", out)
		require.Equal(t, http.StatusOK, mustGet(t, m.httpURL+"/health"))
		_, err := getOrderCall(t, m.grpcURL, "o-1", metadata.Pairs("authorization", "Bearer abc"))
		require.NoError(t, err)
		require.Equal(t, exitOK, m.stop(), m.stderr.String())
		require.Contains(t, m.stderr.String(), "a request for a missing order")
		entries, err := os.ReadDir(out)
		require.NoError(t, err)
		require.Empty(t, entries)
	})
}
