package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"

	"github.com/spf13/pflag"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/verify"
	"github.com/contracts-dev/contracts/verify/mock"
	"github.com/contracts-dev/contracts/verify/mock/grpcmock"
)

// flagMockGRPCPort is the mock command's gRPC port flag.
const flagMockGRPCPort = "grpc-port"

// mockGRPCFlags are the mock command's options for gRPC interactions.
type mockGRPCFlags struct {
	// port is where gRPC interactions are served; negative: not served.
	port int
	// srv is the gRPC mock once started.
	srv *grpcmock.Server
}

// addFlags adds the gRPC flags to the mock command's flag set.
func (g *mockGRPCFlags) addFlags(fl *pflag.FlagSet) {
	fl.IntVar(&g.port, flagMockGRPCPort, -1, "also serve the pacts' gRPC interactions on this port (0 picks a free one) and print grpc://HOST:PORT as a second stdout line; negative: no gRPC server")
}

// start serves the gRPC interactions of pacts on host and the --grpc-port
// until ctx is done, printing the address on stdout. It returns a function
// to call once ctx is done: it waits for the server to stop and returns
// what the mock saw go wrong (unexpected, mismatched or missing calls),
// wrapping grpcmock.ErrNotOK. Without --grpc-port it serves nothing and
// says on stderr how many gRPC interactions are left out.
func (g *mockGRPCFlags) start(ctx context.Context, e *env, host string, pacts []*pact.Pact, logger *slog.Logger) (func() error, error) {
	if g.port < 0 {
		if n := countGRPC(pacts); n > 0 {
			fmt.Fprintf(e.stderr, "mock: %d gRPC interaction(s) not served: give --%s to serve them\n", n, flagMockGRPCPort)
		}
		return func() error { return nil }, nil
	}
	if g.port > 65535 {
		return nil, fmt.Errorf("--%s %d: want 0-65535", flagMockGRPCPort, g.port)
	}
	srv, err := grpcmock.FromPacts(pacts, logger)
	if err != nil {
		return nil, err
	}
	g.srv = srv
	lis, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(g.port)))
	if err != nil {
		return nil, fmt.Errorf("--%s %d: %w", flagMockGRPCPort, g.port, err)
	}
	fmt.Fprintf(e.stdout, "grpc://%s\n", lis.Addr())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, lis) }()
	return func() error {
		if err := <-done; err != nil {
			fmt.Fprintln(e.stderr, "mock:", err)
		}
		return srv.Verify()
	}, nil
}

// writer returns the gRPC mock, set to merge its pacts into the file of
// the same consumer-provider pair among httpPaths (the files the HTTP mock
// just wrote), or nil when no gRPC server ran. The caller writes only
// when nothing went wrong.
func (g *mockGRPCFlags) writer(httpPaths []string) mock.PactWriter {
	if g.srv == nil {
		return nil
	}
	g.srv.MergeInto(httpPaths...)
	return g.srv
}

// countGRPC counts the gRPC interactions of pacts.
func countGRPC(pacts []*pact.Pact) int {
	n := 0
	for _, p := range pacts {
		for _, in := range p.Interactions {
			if verify.TransportKey(in) == "grpc" {
				n++
			}
		}
	}
	return n
}
