package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/contracts-dev/contracts/formats/pact"
	"github.com/contracts-dev/contracts/verify"
	"github.com/contracts-dev/contracts/verify/mock"
)

// Flag names of the mock command.
const (
	flagMockPort    = "port"
	flagMockHost    = "host"
	flagMockStrict  = "strict"
	flagMockPactDir = "pact-dir"
)

type mockFlags struct {
	port    int
	host    string
	strict  bool
	pactDir string
	grpc    mockGRPCFlags // gRPC interactions (mock_grpc.go)
}

func init() { register(newMockCmd) }

func newMockCmd(e *env) *cobra.Command {
	f := &mockFlags{}
	cmd := &cobra.Command{
		Use:   "mock PACT_FILE|DIR|URL ...",
		Short: "Serve pacts as a mock provider",
		Long: `Mock serves the HTTP interactions of the pacts: a request matching an
interaction gets its response; any other request gets HTTP 500 with a JSON
error. The URL it listens on is printed to stdout on one line. It serves
until interrupted, then lists unexpected and missing requests on stderr.

With --strict the exit status is 1 when a request was unexpected or an
interaction was never requested. With --pact-dir the interactions that were
exercised are written as pact files there (only when nothing went wrong).

With --grpc-port the gRPC interactions are served too, on a gRPC server whose
address, grpc://HOST:PORT, is the second stdout line; --pact-dir then also
writes the gRPC interactions that were exercised, in the protobuf plugin's
layout, in the same file as the HTTP ones of the same consumer and provider.`,
		Example: `  contracts mock ./pacts/web-orders.json --port 8081
  contracts mock ./pacts/web-order-service.json --grpc-port 0`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, b := range []struct {
				flag string
				env  []string
			}{
				{flagMockPort, []string{"CONTRACTS_MOCK_PORT"}},
				{flagMockHost, []string{"CONTRACTS_MOCK_HOST"}},
				{flagMockPactDir, []string{"CONTRACTS_PACT_DIR"}},
			} {
				if err := bindEnv(cmd, e, b.flag, b.env...); err != nil {
					return err
				}
			}
			return runMock(cmd.Context(), e, f, args)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&f.port, flagMockPort, 0, "port to listen on (0 picks a free one)")
	fl.StringVar(&f.host, flagMockHost, "127.0.0.1", "address to listen on")
	fl.BoolVar(&f.strict, flagMockStrict, false, "exit 1 when requests were unexpected or interactions missing")
	fl.StringVar(&f.pactDir, flagMockPactDir, "", "write the exercised interactions as pacts to this directory on exit")
	f.grpc.addFlags(fl)
	return cmd
}

func runMock(ctx context.Context, e *env, f *mockFlags, args []string) error {
	if f.port < 0 || f.port > 65535 {
		return failWith(exitCantTell, fmt.Errorf("--%s %d: want 0-65535", flagMockPort, f.port))
	}
	var pacts []*pact.Pact
	for _, arg := range args {
		var srcs []verify.Source
		if verify.IsURL(arg) {
			src, err := verify.FetchURL(ctx, nil, arg, nil)
			if err != nil {
				return failWith(exitCantTell, err)
			}
			srcs = []verify.Source{src}
		} else {
			var err error
			if srcs, err = verify.LoadPath(arg); err != nil {
				return failWith(exitCantTell, err)
			}
		}
		for _, src := range srcs {
			p, err := pact.Parse(src.Data)
			if err != nil {
				return failWith(exitCantTell, fmt.Errorf("parse pact %s: %w", src.Name, err))
			}
			pacts = append(pacts, p)
		}
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv := mock.New(pacts, mock.Options{Logger: logger})
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if err := srv.Start(ctx, fmt.Sprintf("%s:%d", f.host, f.port)); err != nil {
		return failWith(exitCantTell, err)
	}
	defer srv.Close()
	fmt.Fprintln(e.stdout, srv.URL())
	stopGRPC, err := f.grpc.start(ctx, e, f.host, pacts, logger)
	if err != nil {
		return failWith(exitCantTell, err)
	}
	<-ctx.Done()

	verr := errors.Join(srv.Verify(), stopGRPC())
	if verr != nil {
		fmt.Fprintln(e.stderr, verr)
	} else {
		fmt.Fprintln(e.stderr, "mock: every interaction was requested and every request matched")
	}
	if f.pactDir != "" && verr == nil {
		paths, err := writePacts(e, srv, f.pactDir, "mock: wrote")
		if err != nil {
			return failWith(exitCantTell, err)
		}
		if g := f.grpc.writer(paths); g != nil {
			if _, err := writePacts(e, g, f.pactDir, "mock: wrote gRPC interactions to"); err != nil {
				return failWith(exitCantTell, err)
			}
		}
	}
	if f.strict && verr != nil {
		return failWith(exitNo, nil)
	}
	return nil
}

// writePacts writes the pacts of w to dir and lists each path written on
// stderr after label.
func writePacts(e *env, w mock.PactWriter, dir, label string) ([]string, error) {
	paths, err := w.WritePact(dir)
	if err != nil {
		return nil, err
	}
	for _, p := range paths {
		fmt.Fprintln(e.stderr, label, p)
	}
	return paths, nil
}
