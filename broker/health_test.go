package broker_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker/server"
)

// TestLivenessAndReadiness checks the Kubernetes probes: both need no
// credential; ready turns 503 while draining or without a database, live
// stays 200 in both cases (restarting the process would not help).
func TestLivenessAndReadiness(t *testing.T) {
	draining := make(chan struct{})
	b := mustBroker(t, server.Config{Auth: server.AuthConfig{WriteToken: "w"}, Draining: draining})
	probe := func(path string) (int, any) {
		status, body, _ := doJSON(t, http.MethodGet, b.srv.URL+path, "")
		return status, body["status"]
	}
	for _, path := range []string{"/health", "/health/live", "/health/ready"} {
		status, s := probe(path)
		require.Equal(t, http.StatusOK, status, path)
		require.Equal(t, "ok", s, path)
	}

	close(draining)
	status, s := probe("/health/ready")
	require.Equal(t, http.StatusServiceUnavailable, status)
	require.Equal(t, "draining", s)
	status, _ = probe("/health/live")
	require.Equal(t, http.StatusOK, status)
	status, _ = probe("/pacticipants")
	require.Equal(t, http.StatusUnauthorized, status, "draining changes nothing else: requests are still served")

	t.Run("without a database", func(t *testing.T) {
		b := mustBroker(t, server.Config{})
		b.closeStore()
		status, body, _ := doJSON(t, http.MethodGet, b.srv.URL+"/health/ready", "")
		require.Equal(t, http.StatusServiceUnavailable, status)
		require.Equal(t, "unavailable", body["store"])
		status, _, _ = doJSON(t, http.MethodGet, b.srv.URL+"/health/live", "")
		require.Equal(t, http.StatusOK, status)
	})
}
