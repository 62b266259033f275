package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Exit codes are public API.
const (
	exitOK       = 0 // success
	exitNo       = 1 // the contract says no: mismatch, breaking change, deploy refused
	exitCantTell = 2 // usage error, unreadable input, unreachable broker
)

// exitError carries an exit code out of a subcommand's RunE.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// failWith returns an error that makes Run exit with code; a nil err exits
// silently with that code (the command already printed its verdict).
func failWith(code int, err error) error { return &exitError{code: code, err: err} }

// env gives subcommands access to the process environment; tests replace it.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// subcommands lists the constructors of every subcommand. Each subcommand's
// file registers its constructor from an init function, so adding a
// subcommand touches one file only.
var subcommands []func(*env) *cobra.Command

// register adds a subcommand constructor; call it from init.
func register(newCmd func(*env) *cobra.Command) { subcommands = append(subcommands, newCmd) }

// Run runs the CLI with args and returns the process exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return run(ctx, args, &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv})
}

func run(ctx context.Context, args []string, e *env) int {
	root := newRoot(e)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var xe *exitError
	if errors.As(err, &xe) {
		if xe.err != nil {
			fmt.Fprintln(e.stderr, "contracts:", xe.err)
		}
		return xe.code
	}
	fmt.Fprintln(e.stderr, "contracts:", err)
	return exitCantTell
}

func newRoot(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:           "contracts",
		Short:         "Consumer-driven contract testing: verify, mock, broker, can-i-deploy",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// --version prints what `contracts version` does.
	root.Version = readVersion(debug.ReadBuildInfo, version, commit).String()
	root.SetVersionTemplate("{{.Version}}")
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	for _, sub := range subcommands {
		root.AddCommand(sub(e))
	}
	return root
}

// bindEnv makes environment variables the defaults of flags: for each flag
// name, the first non-empty variable among names is applied when the flag was
// not given on the command line (flags override the environment). Call it
// from a command's PreRunE or at the start of RunE.
func bindEnv(cmd *cobra.Command, e *env, flag string, names ...string) error {
	f := cmd.Flags().Lookup(flag)
	if f == nil || f.Changed {
		return nil
	}
	for _, name := range names {
		if v := e.getenv(name); v != "" {
			if err := f.Value.Set(v); err != nil {
				return failWith(exitCantTell, fmt.Errorf("environment variable %s=%q for --%s: %w", name, v, flag, err))
			}
			return nil
		}
	}
	return nil
}
