package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/verify"
	"github.com/contracts-dev/contracts/verify/message"
)

func TestWireTransports(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		flags       verifyFlags
		wantBase    string
		wantKeys    []string
		wantErr     string
		wantAddress bool
	}{
		{name: "http base serves messages too", flags: verifyFlags{providerBaseURL: "http://h:8080"},
			wantBase: "http://h:8080", wantKeys: []string{message.KeyAsync, message.KeySync}, wantAddress: true},
		{name: "grpc base: no message transport", flags: verifyFlags{providerBaseURL: "grpc://h:5555"},
			wantKeys: []string{"grpc"}, wantAddress: true},
		{name: "message url alone", flags: verifyFlags{message: messageFlags{url: "http://h:8080/pact-messages"}},
			wantKeys: []string{message.KeyAsync, message.KeySync}, wantAddress: true},
		{name: "grpc base and message url", flags: verifyFlags{providerBaseURL: "grpc://h:5555", message: messageFlags{url: "http://h:8080/m"}},
			wantKeys: []string{"grpc", message.KeyAsync, message.KeySync}, wantAddress: true},
		{name: "pact verifier transports", flags: verifyFlags{grpc: grpcFlags{transports: []string{"http:8080", "grpc:5555"}}},
			wantBase: "http://localhost:8080", wantKeys: []string{"grpc", message.KeyAsync, message.KeySync}, wantAddress: true},
		{name: "malformed base left to verify", flags: verifyFlags{providerBaseURL: "localhost:8080"},
			wantBase: "localhost:8080", wantAddress: true},
		{name: "message url not http", flags: verifyFlags{message: messageFlags{url: "localhost:8080"}},
			wantErr: `--message-url "localhost:8080": want an http:// or https:// URL`, wantAddress: true},
		{name: "nothing", flags: verifyFlags{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := tc.flags
			require.Equal(t, tc.wantAddress, f.hasProviderAddress())
			cfg := verify.Config{}
			done, err := f.wireTransports(&cfg)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			defer done()
			require.Equal(t, tc.wantBase, cfg.ProviderBaseURL)
			var keys []string
			for k := range cfg.Transports {
				keys = append(keys, k)
			}
			require.ElementsMatch(t, tc.wantKeys, keys)
		})
	}
}

// TestVerifyMessagesSendHeaders: custom provider headers reach the message
// endpoint, as they reach an HTTP provider.
func TestVerifyMessagesSendHeaders(t *testing.T) {
	var mu sync.Mutex
	var auth []string
	p := orderServiceMessages()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization"))
		mu.Unlock()
		p.ServeHTTP(w, r)
	}))
	defer srv.Close()
	code, stdout, stderr := runCLI(context.Background(), nil, "verify", filepath.Join("..", "..", "testdata", "message", "orders", "pact.json"),
		"--message-url", srv.URL, "--custom-provider-header", "Authorization: Bearer m-tok")
	require.Equal(t, exitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	require.Equal(t, []string{"Bearer m-tok", "Bearer m-tok"}, auth)
}
