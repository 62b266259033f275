// Package postgres is the broker.Store on PostgreSQL (github.com/jackc/pgx/v5
// through database/sql), for running several broker replicas on one
// database: persistence only, the rules are broker.Service's. The
// statements are broker/sqlstore's, in PostgreSQL's dialect; this package
// connects, migrates and runs the transactions.
//
// Write transactions are serialised across every replica by a
// transaction-scoped advisory lock, as the SQLite store serialises them on
// its one writer connection: each write sees every write committed before
// it, so "create if missing", "number = max + 1" and "at most one current
// deployment" hold without races, and ids grow in commit order. Reads run
// in parallel, each in a read-only REPEATABLE READ transaction (one
// snapshot). Migrations are embedded and run once, under a session
// advisory lock, when replicas start at the same moment.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Advisory lock keys (one 64-bit key space per database, shared with any
// other application on it: these are arbitrary constants).
const (
	// migrateLockKey is held (session level) while migrations run.
	migrateLockKey int64 = 0x636f6e7472616d01
	// writeLockKey is held (transaction level) by every write transaction.
	writeLockKey int64 = 0x636f6e7472616d02
)

// DefaultMaxConns is the connection pool size when Options.MaxConns is 0.
const DefaultMaxConns = 10

// Options configures Open. The zero value is usable.
type Options struct {
	// MaxConns caps the store's connections (0: DefaultMaxConns). Each
	// replica holds up to this many; keep replicas × MaxConns below the
	// server's max_connections.
	MaxConns int
	// StatementTimeout cancels a statement that runs longer (0: the
	// server's default, usually none).
	StatementTimeout time.Duration
	// Clock reads the time (nil: time.Now); tests inject a fixed clock.
	Clock func() time.Time
	// NewID generates UUIDs (nil: random version 4 UUIDs).
	NewID func() string
	// QueryLog, when set, is called with every statement and its arguments
	// before it runs (the query-plan test collects them).
	QueryLog func(query string, args []any)
}

// Store is a broker.Store backed by a PostgreSQL database.
type Store struct {
	*sqlstore.Store
	db *db
}

// Batch writes many publications and verifications in one transaction
// (Store.Batch).
type Batch = sqlstore.Batch

// dialect is how PostgreSQL spells what sqlstore's statements need.
var dialect = sqlstore.Dialect{
	Returning:    true,
	Join:         "JOIN",
	JSONArray:    func(expr string) string { return "json_agg(" + expr + ")::text" },
	JSONRows:     func(param string) string { return "json_array_elements(" + param + "::json) j" },
	JSONTextRows: func(param string) string { return "json_array_elements_text(" + param + "::json) AS j(value)" },
	JSONItem:     func(expr string, i int) string { return expr + "->>" + strconv.Itoa(i) },
	JSONInt:      func(expr string) string { return expr + "::bigint" },
	Greatest:     "GREATEST",
	NullBlob:     "NULL::bytea",
	EmptyText:    "''::text",
	SameInt:      func(param string) string { return param + "::bigint = " + param + "::bigint" },
	// Replicas claim triggered webhooks concurrently.
	ForUpdate:      " FOR UPDATE",
	SkipLocked:     " FOR UPDATE SKIP LOCKED",
	HeadBySubquery: true,
	ID:             "?",
}

// db runs the store's transactions (sqlstore.Engine) on the pool.
type db struct {
	pool *sql.DB
	st   *sqlstore.Statements
	// closeOnce makes Close safe to call twice.
	closeOnce sync.Once
}

var (
	_ broker.Store       = (*Store)(nil)
	_ broker.Snapshotter = (*Store)(nil)
)

// Open connects to the database named by dsn (a postgres:// URL or a
// key=value connection string) and applies pending migrations.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// Not wrapped: pgconn quotes the URL and redacts its password only
		// on a best-effort basis, and this error is logged.
		return nil, broker.Invalid("databaseURL", "not a PostgreSQL connection URL or key=value string (the value is not shown: it may hold a password)")
	}
	if opts.StatementTimeout < 0 {
		return nil, broker.Invalid("statementTimeout", "must not be negative, got %s", opts.StatementTimeout)
	}
	if opts.MaxConns < 0 {
		return nil, broker.Invalid("maxConns", "must not be negative, got %d", opts.MaxConns)
	}
	if opts.StatementTimeout > 0 {
		cfg.RuntimeParams["statement_timeout"] = strconv.FormatInt(opts.StatementTimeout.Milliseconds(), 10)
	}
	// Identical names in every replica's logs and pg_stat_activity.
	cfg.RuntimeParams["application_name"] = "contracts-broker"
	s := &db{pool: stdlib.OpenDB(*cfg), st: &sqlstore.Statements{Rewrite: rebind, Log: opts.QueryLog}}
	now := opts.Clock
	if now == nil {
		now = time.Now
	}
	maxConns := opts.MaxConns
	if maxConns == 0 {
		maxConns = DefaultMaxConns
	}
	s.pool.SetMaxOpenConns(maxConns)
	s.pool.SetMaxIdleConns(maxConns)
	s.pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := s.pool.PingContext(ctx); err != nil {
		s.pool.Close()
		return nil, fmt.Errorf("connect to postgres %s: %w", cfg.Host, err)
	}
	if err := s.migrate(ctx, now); err != nil {
		s.pool.Close()
		return nil, err
	}
	return &Store{Store: sqlstore.New(s, dialect, sqlstore.Options{Clock: now, NewID: opts.NewID}), db: s}, nil
}

// Close closes the connection pool; calls after the first return an error.
func (s *Store) Close() error {
	err := errors.New("postgres store already closed")
	s.db.closeOnce.Do(func() { err = s.db.pool.Close() })
	return err
}

// Ping checks that the database answers (for readiness probes).
func (s *Store) Ping(ctx context.Context) error { return s.db.pool.PingContext(ctx) }

// migrate applies the embedded migrations not yet recorded in
// schema_migrations, in name order, each in its own transaction, while
// holding a session advisory lock: replicas starting together wait for the
// first one and then find nothing to do.
func (s *db) migrate(ctx context.Context, now func() time.Time) error {
	conn, err := s.pool.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	// Waiting for another replica's migrations, or building an index on a
	// large table, may take longer than the statement timeout meant for
	// requests: none on this session while it migrates.
	if _, err := conn.ExecContext(ctx, `SET statement_timeout = 0`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `RESET statement_timeout`) //nolint:errcheck // best effort before the connection returns to the pool
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrateLockKey); err != nil {
		return fmt.Errorf("migrate: take the migration lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLockKey) //nolint:errcheck // the session ends with the connection anyway
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	// Not logged: QueryLog's statements are the store's.
	return sqlstore.Migrate(ctx, migrations, &sqlstore.Statements{Rewrite: rebind}, now, func(ctx context.Context) (*sql.Tx, error) {
		return conn.BeginTx(ctx, nil)
	})
}

// maxAttempts bounds how often a write transaction is retried after a
// serialization failure or deadlock.
const maxAttempts = 5

// Write implements sqlstore.Engine: fn runs in a transaction that holds
// the write lock; it is retried when PostgreSQL reports a serialization
// failure or a deadlock.
func (s *db) Write(ctx context.Context, fn func(tx *sqlstore.Tx) error) error {
	var err error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		err = s.writeOnce(ctx, fn)
		if !retryable(err) || ctx.Err() != nil {
			break
		}
	}
	return translate(err)
}

func (s *db) writeOnce(ctx context.Context, fn func(tx *sqlstore.Tx) error) error {
	tx, err := s.pool.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	t := sqlstore.NewTx(tx, s.st)
	if _, err := t.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, writeLockKey); err != nil {
		_ = tx.Rollback()
		return fmt.Errorf("take the write lock: %w", err)
	}
	if err := fn(t); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// snapshotKey keys the read transaction of a ReadSnapshot context.
type snapshotKey struct{ s *db }

// readOptions make a read transaction one snapshot.
var readOptions = &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}

// ReadSnapshot implements broker.Snapshotter: reads made with the returned
// context share one read transaction (database/sql serialises its use).
// Each read otherwise costs two more round trips (BEGIN and ROLLBACK), and
// a look-up repeated by two reads (a name's id) is answered from memory
// only within one transaction: a can-i-deploy made about 30 round trips
// in 10 transactions.
func (s *Store) ReadSnapshot(ctx context.Context) (context.Context, func(), error) {
	d := s.db
	tx, err := d.pool.BeginTx(ctx, readOptions)
	if err != nil {
		return nil, nil, translate(fmt.Errorf("begin read: %w", err))
	}
	var once sync.Once
	end := func() { once.Do(func() { _ = tx.Rollback() }) }
	return context.WithValue(ctx, snapshotKey{d}, sqlstore.NewReadTx(tx, d.st)), end, nil
}

// Read implements sqlstore.Engine: fn runs in a read-only transaction on
// one snapshot, the one of ctx when it comes from ReadSnapshot, else a new
// one.
func (s *db) Read(ctx context.Context, fn func(tx *sqlstore.Tx) error) error {
	if tx, ok := ctx.Value(snapshotKey{s}).(*sqlstore.Tx); ok {
		return translate(fn(tx))
	}
	tx, err := s.pool.BeginTx(ctx, readOptions)
	if err != nil {
		return translate(fmt.Errorf("begin read: %w", err))
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	return translate(fn(sqlstore.NewReadTx(tx, s.st)))
}

// Translate implements sqlstore.Engine.
func (s *db) Translate(err error) error { return translate(err) }

// Erased implements sqlstore.Engine: a delete's rows are gone from every
// query once committed; their bytes leave the files when VACUUM reuses the
// space (see the README).
func (s *db) Erased(context.Context) error { return nil }

// SQLSTATE codes the store branches on
// (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const (
	codeUniqueViolation      = "23505"
	codeForeignKeyViolation  = "23503"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
	codeCharacterNotInRepert = "22021" // e.g. a NUL byte or invalid UTF-8 in text
	codeUntranslatableChar   = "22P05"
)

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func retryable(err error) bool {
	c := pgCode(err)
	return c == codeSerializationFailure || c == codeDeadlockDetected
}

// translate maps PostgreSQL errors to broker sentinels by SQLSTATE code.
func translate(err error) error {
	if err == nil || errors.Is(err, broker.ErrConflict) || errors.Is(err, broker.ErrNotFound) || errors.Is(err, broker.ErrInvalid) {
		return err
	}
	switch pgCode(err) {
	case codeUniqueViolation:
		return fmt.Errorf("%w: %w", broker.ErrConflict, err)
	case codeForeignKeyViolation:
		return fmt.Errorf("%w: %w", broker.ErrNotFound, err)
	case codeCharacterNotInRepert, codeUntranslatableChar:
		return fmt.Errorf("%w: text PostgreSQL cannot store (a NUL character or invalid UTF-8): %w", broker.ErrInvalid, err)
	}
	return err
}

// rebound caches queries with "?" placeholders rewritten to "$1", "$2"...
// and "?N" to "$N". sqlstore's statements are written with "?" (SQLite's
// style, so one text serves both databases) and never contain "?"
// otherwise.
var rebound sync.Map // string -> string

func rebind(query string) string {
	if q, ok := rebound.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		if c != '?' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('$')
		if i+1 < len(query) && query[i+1] >= '0' && query[i+1] <= '9' {
			continue // ?N: the digits follow as they are
		}
		n++
		b.WriteString(strconv.Itoa(n))
	}
	q := b.String()
	rebound.Store(query, q)
	return q
}

// DatabaseSize returns the size of the database on disk, in bytes.
func (s *Store) DatabaseSize(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.pool.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&n)
	return n, err
}
