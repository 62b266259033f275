package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/postgres"
	"github.com/contracts-dev/contracts/broker/sqlite"
)

// Flag names choosing and tuning the broker's database.
const (
	flagServeDatabaseURL      = "database-url"
	flagServeDBMaxConns       = "db-max-conns"
	flagServeStatementTimeout = "db-statement-timeout"
)

// storeFlags choose the broker's store: PostgreSQL when databaseURL is
// set, otherwise SQLite in the file db.
type storeFlags struct {
	databaseURL      string
	maxConns         int
	statementTimeout time.Duration
}

func addStoreFlags(cmd *cobra.Command, f *storeFlags) {
	fs := cmd.Flags()
	fs.StringVar(&f.databaseURL, flagServeDatabaseURL, "", "PostgreSQL URL (postgres://user@host:5432/db); selects PostgreSQL instead of --db (env CONTRACTS_DATABASE_URL, preferred: a password on the command line is visible to other users; PGPASSWORD works too)")
	fs.IntVar(&f.maxConns, flagServeDBMaxConns, postgres.DefaultMaxConns, "PostgreSQL connections this process may open (env CONTRACTS_DB_MAX_CONNS)")
	fs.DurationVar(&f.statementTimeout, flagServeStatementTimeout, 30*time.Second, "PostgreSQL statement timeout, 0 for the server's default (env CONTRACTS_DB_STATEMENT_TIMEOUT)")
}

func bindStoreEnv(cmd *cobra.Command, e *env) error {
	for _, b := range []struct{ flag, env string }{
		{flagServeDatabaseURL, "CONTRACTS_DATABASE_URL"},
		{flagServeDBMaxConns, "CONTRACTS_DB_MAX_CONNS"},
		{flagServeStatementTimeout, "CONTRACTS_DB_STATEMENT_TIMEOUT"},
	} {
		if err := bindEnv(cmd, e, b.flag, b.env); err != nil {
			return err
		}
	}
	return nil
}

// brokerStore is a store the broker command opened and must close.
type brokerStore interface {
	broker.Store
	Close() error
}

// openBrokerStore opens PostgreSQL when --database-url is set, otherwise
// the SQLite file db. It returns the store and a description for the logs
// that never holds credentials.
func openBrokerStore(ctx context.Context, f storeFlags, db string) (brokerStore, string, error) {
	if f.databaseURL == "" {
		s, err := sqlite.Open(db)
		if err != nil {
			return nil, "", fmt.Errorf("open database %s: %w", db, err)
		}
		return s, db, nil
	}
	if f.maxConns <= 0 {
		return nil, "", fmt.Errorf("--%s must be positive, got %d", flagServeDBMaxConns, f.maxConns)
	}
	if f.statementTimeout < 0 {
		return nil, "", fmt.Errorf("--%s must not be negative, got %s", flagServeStatementTimeout, f.statementTimeout)
	}
	desc := redactDatabaseURL(f.databaseURL)
	s, err := postgres.Open(ctx, f.databaseURL, postgres.Options{MaxConns: f.maxConns, StatementTimeout: f.statementTimeout})
	if err != nil {
		return nil, "", fmt.Errorf("open database %s: %w", desc, err)
	}
	return s, desc, nil
}

// redactDatabaseURL keeps the host, port and database of a PostgreSQL URL
// for logs and errors, never the user's password or the query (which may
// hold one too).
func redactDatabaseURL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "postgres (connection string not shown)"
	}
	return "postgres://" + u.Host + "/" + strings.TrimPrefix(u.Path, "/")
}
