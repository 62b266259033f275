// Package postgres is the broker.Store on PostgreSQL (github.com/jackc/pgx/v5
// through database/sql), for running several broker replicas on one
// database: persistence only, the rules are broker.Service's.
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
	"crypto/rand"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/contracts-dev/contracts/broker"
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
	db       *sql.DB
	now      func() time.Time
	newID    func() string
	queryLog func(string, []any)
	// closeOnce makes Close safe to call twice.
	closeOnce sync.Once
}

var _ broker.Store = (*Store)(nil)

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
	s := &Store{
		db: stdlib.OpenDB(*cfg), now: time.Now, newID: newUUID, queryLog: opts.QueryLog,
	}
	if opts.Clock != nil {
		s.now = opts.Clock
	}
	if opts.NewID != nil {
		s.newID = opts.NewID
	}
	maxConns := opts.MaxConns
	if maxConns == 0 {
		maxConns = DefaultMaxConns
	}
	s.db.SetMaxOpenConns(maxConns)
	s.db.SetMaxIdleConns(maxConns)
	s.db.SetConnMaxIdleTime(5 * time.Minute)
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("connect to postgres %s: %w", cfg.Host, err)
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the connection pool; calls after the first return an error.
func (s *Store) Close() error {
	err := errors.New("postgres store already closed")
	s.closeOnce.Do(func() { err = s.db.Close() })
	return err
}

// Ping checks that the database answers (for readiness probes).
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// migrate applies the embedded migrations not yet recorded in
// schema_migrations, in name order, each in its own transaction, while
// holding a session advisory lock: replicas starting together wait for the
// first one and then find nothing to do.
func (s *Store) migrate(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
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
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		body, err := migrations.ReadFile(name)
		if err != nil {
			return fmt.Errorf("read migration %s: %w", name, err)
		}
		if err := s.applyMigration(ctx, conn, name, string(body)); err != nil {
			return fmt.Errorf("apply migration %s: %w", name, err)
		}
	}
	return nil
}

func (s *Store) applyMigration(ctx context.Context, conn *sql.Conn, name, body string) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = $1`, name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	// Several statements in one string: without arguments pgx sends it
	// with the simple protocol, which runs them all.
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)`, name, s.nowNanos()); err != nil {
		return err
	}
	return tx.Commit()
}

func (s *Store) nowNanos() int64 { return s.now().UTC().UnixNano() }

// maxAttempts bounds how often a write transaction is retried after a
// serialization failure or deadlock.
const maxAttempts = 5

// write runs fn in a transaction that holds the write lock; it is retried
// when PostgreSQL reports a serialization failure or a deadlock.
func (s *Store) write(ctx context.Context, fn func(tx *txn) error) error {
	var err error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		err = s.writeOnce(ctx, fn)
		if !retryable(err) || ctx.Err() != nil {
			break
		}
	}
	return translate(err)
}

func (s *Store) writeOnce(ctx context.Context, fn func(tx *txn) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	t := &txn{tx: tx, log: s.queryLog}
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

// read runs fn in a read-only transaction on one snapshot.
func (s *Store) read(ctx context.Context, fn func(tx *txn) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return translate(fmt.Errorf("begin read: %w", err))
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	return translate(fn(&txn{tx: tx, log: s.queryLog}))
}

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

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func toTime(n int64) time.Time { return time.Unix(0, n).UTC() }

func toTimePtr(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := toTime(n.Int64)
	return &t
}

func notFound(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), broker.ErrNotFound)
}

func pageBounds(p broker.Page) (limit, offset int) {
	limit = p.Limit
	if limit <= 0 {
		limit = broker.DefaultPageSize
	}
	if limit > broker.MaxPageSize {
		limit = broker.MaxPageSize
	}
	offset = p.Offset
	if offset < 0 {
		offset = 0
	}
	return limit, offset
}

func nullJSON(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

func rawJSON(s sql.NullString) []byte {
	if !s.Valid {
		return nil
	}
	return []byte(s.String)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// rebound caches queries with "?" placeholders rewritten to "$1", "$2"...
// and "?N" to "$N". The store's queries are written with "?" (as the
// SQLite store's, which keeps the two readable side by side) and never
// contain "?" otherwise.
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

// txn is a transaction whose queries use "?" placeholders. pgx prepares
// and caches each distinct statement per connection.
type txn struct {
	tx  *sql.Tx
	log func(string, []any)
}

func (t *txn) prepare(query string, args []any) string {
	q := rebind(query)
	if t.log != nil {
		t.log(q, args)
	}
	return q
}

// ExecContext runs a statement in the transaction.
func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.prepare(query, args), args...)
}

// QueryContext runs a query in the transaction.
func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.prepare(query, args), args...)
}

// QueryRowContext runs a single-row query in the transaction.
func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.prepare(query, args), args...)
}

// scanner is what a *sql.Row and *sql.Rows have in common.
type scanner = interface{ Scan(...any) error }

// queryAll runs query in tx and returns every row as scan reads it.
func queryAll[T any](ctx context.Context, tx *txn, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// withoutID adapts a scanner that also returns the row id to queryAll.
func withoutID[T any](scan func(scanner) (int64, T, error)) func(scanner) (T, error) {
	return func(r scanner) (T, error) {
		_, v, err := scan(r)
		return v, err
	}
}

// execOne runs a DELETE or UPDATE that must touch a row, and returns
// missing when it touched none.
func execOne(ctx context.Context, tx *txn, missing error, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return missing
	}
	return nil
}

// DatabaseSize returns the size of the database on disk, in bytes.
func (s *Store) DatabaseSize(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&n)
	return n, err
}
