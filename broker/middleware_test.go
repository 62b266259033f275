package broker_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker/server"
)

// logLines decodes the JSON log lines.
func logLines(t *testing.T, logs string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(logs))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
		out = append(out, m)
	}
	return out
}

func requestLogs(t *testing.T, logs string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range logLines(t, logs) {
		if l["msg"] == "request" {
			out = append(out, l)
		}
	}
	return out
}

func TestTraceIDs(t *testing.T) {
	b := mustBroker(t, server.Config{})
	tests := []struct {
		name    string
		headers []string
		want    string
	}{
		{name: "from traceparent", headers: []string{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}, want: "4bf92f3577b34da6a3ce929d0e0e4736"},
		{name: "from X-Request-ID", headers: []string{"X-Request-ID", "req-123"}, want: "req-123"},
		{name: "traceparent wins", headers: []string{"X-Request-ID", "req-123", "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}, want: "4bf92f3577b34da6a3ce929d0e0e4736"},
		{name: "malformed traceparent falls back", headers: []string{"traceparent", "00-zz-00-01", "X-Request-ID", "abc"}, want: "abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, h := doJSON(t, http.MethodGet, b.srv.URL+"/pacticipants", "", tt.headers...)
			require.Equal(t, tt.want, h.Get("X-Request-ID"))
			logs := requestLogs(t, b.logs.String())
			require.Equal(t, tt.want, logs[len(logs)-1]["trace_id"])
		})
	}
	t.Run("generated when absent, unique", func(t *testing.T) {
		_, _, h1 := doJSON(t, http.MethodGet, b.srv.URL+"/pacticipants", "")
		_, _, h2 := doJSON(t, http.MethodGet, b.srv.URL+"/pacticipants", "")
		require.Len(t, h1.Get("X-Request-ID"), 32)
		require.NotEqual(t, h1.Get("X-Request-ID"), h2.Get("X-Request-ID"))
	})
	t.Run("500 bodies carry the reference", func(t *testing.T) {
		b := mustBroker(t, server.Config{})
		b.closeStore()
		status, body, h := doJSON(t, http.MethodGet, b.srv.URL+"/pacticipants", "", "X-Request-ID", "ref-1")
		require.Equal(t, http.StatusInternalServerError, status)
		require.Equal(t, "ref-1", body["error"].(map[string]any)["reference"])
		require.Equal(t, "ref-1", h.Get("X-Request-ID"))
	})
}

func TestLogsCarryNoSecretsOrContent(t *testing.T) {
	b := mustBroker(t, server.Config{Auth: server.AuthConfig{WriteToken: "very-secret-token", WriteUsername: "u", WritePassword: "hunter2-password"}})
	body := publishBody(t, nil)
	status, resp, _ := doJSON(t, http.MethodPost, b.srv.URL+"/contracts/publish", body, "Authorization", "Bearer very-secret-token")
	require.Equal(t, http.StatusOK, status, resp)
	doJSON(t, http.MethodGet, b.srv.URL+"/pacts/provider/Bar/consumer/Foo/latest", "", "Authorization", basic("u", "hunter2-password"))
	doJSON(t, http.MethodGet, b.srv.URL+"/pacticipants", "", "Authorization", "Bearer wrong-secret-guess")

	logs := b.logs.String()
	for _, secret := range []string{"very-secret-token", "hunter2-password", "wrong-secret-guess", "/things", "providerState", "it exists", "http://build/1"} {
		require.NotContains(t, logs, secret)
	}
	lines := requestLogs(t, logs)
	require.Len(t, lines, 3)
	require.Equal(t, "/contracts/publish", lines[0]["route"])
	require.Equal(t, float64(200), lines[0]["status"])
	require.Equal(t, "write", lines[0]["access"])
	require.Equal(t, "/pacts/provider/{provider}/consumer/{consumer}/latest", lines[1]["route"])
	require.Equal(t, float64(401), lines[2]["status"])
}

func TestErrorShapes(t *testing.T) {
	b := mustBroker(t, server.Config{})
	status, body, _ := doJSON(t, http.MethodGet, b.srv.URL+"/pacticipants/Nope", "")
	require.Equal(t, http.StatusNotFound, status)
	require.Contains(t, body["error"], "not found")

	status, body, _ = doJSON(t, http.MethodPost, b.srv.URL+"/environments", `{"name":"has space"}`)
	require.Equal(t, http.StatusBadRequest, status)
	errs := body["errors"].(map[string]any)
	require.Contains(t, errs, "name")
	require.Contains(t, errs, "production")

	status, body, h := doJSON(t, http.MethodPost, b.srv.URL+"/environments", `{"name":"has space"}`, "Accept", "application/problem+json")
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, h.Get("Content-Type"), "application/problem+json")
	require.Equal(t, float64(400), body["status"])
	require.Len(t, body["errors"], 2)

	status, body, _ = doJSON(t, http.MethodGet, b.srv.URL+"/matrix?q[][pacticipant]=Wiffle&q[][version]=1&q[][pacticipant]=Meep&q[][version]=2&latestby=cvpv", "")
	require.Equal(t, http.StatusBadRequest, status)
	require.IsType(t, []any{}, body["errors"], "matrix errors are an array of strings")

	status, _, _ = doJSON(t, http.MethodGet, b.srv.URL+"/no/such/resource", "")
	require.Equal(t, http.StatusNotFound, status)

	status, body, h = doJSON(t, http.MethodGet, b.srv.URL+"/contracts/publish", "")
	require.Equal(t, http.StatusMethodNotAllowed, status, body)
	require.Equal(t, "POST", h.Get("Allow"))
}
