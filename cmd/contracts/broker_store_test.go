package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBrokerDatabaseFlagsAreChecked(t *testing.T) {
	for _, tc := range []struct {
		name string
		vars map[string]string
		args []string
		want string
	}{
		{"pool size", map[string]string{"CONTRACTS_DATABASE_URL": "postgres://u:secret@127.0.0.1:1/db"}, []string{"--db-max-conns", "0"}, "--db-max-conns must be positive"},
		{"statement timeout from the environment", map[string]string{"CONTRACTS_DATABASE_URL": "postgres://u:secret@127.0.0.1:1/db", "CONTRACTS_DB_STATEMENT_TIMEOUT": "-1s"}, nil, "--db-statement-timeout must not be negative"},
		{"bad duration", map[string]string{"CONTRACTS_DB_STATEMENT_TIMEOUT": "soon"}, nil, "CONTRACTS_DB_STATEMENT_TIMEOUT"},
		// Nothing listens on port 1: the error names the host, never the password.
		{"unreachable database", map[string]string{"CONTRACTS_DATABASE_URL": "postgres://u:secret@127.0.0.1:1/db?sslmode=disable"}, nil, "open database postgres://127.0.0.1:1/db"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(context.Background(), tc.vars, append([]string{"broker", "--addr", "127.0.0.1:0"}, tc.args...)...)
			require.Equal(t, exitCantTell, code, stderr)
			require.Contains(t, stderr, tc.want)
			require.NotContains(t, stderr, "secret")
		})
	}
}

func TestRedactDatabaseURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:pw@db:5432/contracts?password=pw2": "postgres://db:5432/contracts",
		"postgresql://db/contracts":                      "postgres://db/contracts",
		"host=db password=pw":                            "postgres (connection string not shown)",
	} {
		require.Equal(t, want, redactDatabaseURL(in), in)
	}
}
