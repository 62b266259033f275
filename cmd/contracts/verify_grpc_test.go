package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/metadata"

	"github.com/contracts-dev/contracts/verify"
	"github.com/contracts-dev/contracts/verify/grpcverify"
)

func TestGRPCFlagsResolve(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		flags    grpcFlags
		base     string
		wantHTTP string
		wantGRPC bool
		wantErr  string
	}{
		{name: "http only", base: "http://localhost:8080", wantHTTP: "http://localhost:8080"},
		{name: "grpc scheme", base: "grpc://localhost:5555", wantGRPC: true},
		{name: "transport grpc", flags: grpcFlags{transport: "grpc"}, base: "localhost:5555", wantGRPC: true},
		{name: "grpc url beside http", flags: grpcFlags{grpcURL: "grpc://127.0.0.1:5555"}, base: "http://h:8080", wantHTTP: "http://h:8080", wantGRPC: true},
		{name: "pact verifier transports", flags: grpcFlags{transports: []string{"http:8080", "grpc:5555"}}, wantHTTP: "http://localhost:8080", wantGRPC: true},
		{name: "transports on the base host", flags: grpcFlags{transports: []string{"grpc:5555"}}, base: "http://10.0.0.1:8080", wantHTTP: "http://10.0.0.1:8080", wantGRPC: true},
		{name: "two grpc addresses", flags: grpcFlags{grpcURL: "grpc://a:1", transports: []string{"grpc:2"}}, wantErr: "already given"},
		{name: "bad transport", flags: grpcFlags{transport: "kafka"}, wantErr: "want http or grpc"},
		{name: "bad transports entry", flags: grpcFlags{transports: []string{"grpc"}}, wantErr: "NAME:PORT"},
		{name: "unknown transports name", flags: grpcFlags{transports: []string{"amqp:5672"}}, wantErr: "unknown transport"},
		{name: "bad grpc url", flags: grpcFlags{grpcURL: "http://x:1"}, wantErr: "grpc target"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			httpBase, ts, err := tc.flags.resolve(tc.base, grpcverify.Options{})
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			defer closeAll(ts)
			require.Equal(t, tc.wantHTTP, httpBase)
			_, ok := ts["grpc"]
			require.Equal(t, tc.wantGRPC, ok)
		})
	}
}

func TestGRPCOptions(t *testing.T) {
	t.Parallel()
	opts := grpcOptions(verify.Config{
		RequestTimeout: 3 * time.Second,
		Headers:        http.Header{"Authorization": {"Bearer x"}, "X-Tenant": {"a", "b"}},
	})
	require.Equal(t, 3*time.Second, opts.Timeout)
	require.Equal(t, metadata.MD{"authorization": {"Bearer x"}, "x-tenant": {"a", "b"}}, opts.Metadata)
	require.Nil(t, grpcOptions(verify.Config{}).Metadata)
}
