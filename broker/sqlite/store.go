// Package sqlite is the broker.Store on SQLite (modernc.org/sqlite, pure
// Go). Writes go through one connection with BEGIN IMMEDIATE; reads use a
// small pool of read-only connections; the database runs in WAL mode with
// foreign keys on.
package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/contracts-dev/contracts/broker"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a broker.Store backed by an SQLite database.
type Store struct {
	w     *sql.DB // the single writer connection
	r     *sql.DB // read-only connections (== w for in-memory databases)
	now   func() time.Time
	newID func() string
}

var _ broker.Store = (*Store)(nil)

// Option configures Open.
type Option func(*Store)

// WithClock makes the store read the time from now (tests inject a fixed
// clock).
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// WithUUIDs makes the store generate UUIDs with newID.
func WithUUIDs(newID func() string) Option { return func(s *Store) { s.newID = newID } }

// Open opens (creating if needed) the database named by dsn (a file path
// or a "file:" URI; ":memory:" for a private in-memory database) and
// applies pending migrations.
func Open(dsn string, opts ...Option) (*Store, error) {
	s := &Store{now: time.Now, newID: newUUID}
	for _, o := range opts {
		o(s)
	}
	memory := dsn == ":memory:" || strings.Contains(dsn, "mode=memory")
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-8000)"
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	var err error
	if memory {
		s.w, err = sql.Open("sqlite", dsn+sep+common+"&_txlock=immediate")
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
		}
		s.w.SetMaxOpenConns(1)
		s.w.SetConnMaxLifetime(0)
		s.w.SetConnMaxIdleTime(0)
		s.r = s.w
	} else {
		s.w, err = sql.Open("sqlite", dsn+sep+common+"&_pragma=journal_mode(WAL)&_txlock=immediate")
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
		}
		s.w.SetMaxOpenConns(1)
		s.w.SetConnMaxIdleTime(0)
		s.w.SetConnMaxLifetime(0)
	}
	if err := s.w.Ping(); err != nil {
		s.w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
	}
	if err := s.migrate(context.Background()); err != nil {
		s.w.Close()
		return nil, err
	}
	if !memory {
		s.r, err = sql.Open("sqlite", dsn+sep+common+"&_pragma=query_only(1)")
		if err != nil {
			s.w.Close()
			return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
		}
		s.r.SetMaxOpenConns(4)
		s.r.SetMaxIdleConns(4)
		s.r.SetConnMaxIdleTime(0)
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	var err error
	if s.r != nil && s.r != s.w {
		err = s.r.Close()
	}
	if e := s.w.Close(); e != nil && err == nil {
		err = e
	}
	return err
}

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
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
		err = s.write(ctx, func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`, name, s.nowNanos())
			return err
		})
		if err != nil {
			return fmt.Errorf("apply migration %s: %w", name, err)
		}
	}
	return nil
}

func (s *Store) nowNanos() int64 { return s.now().UTC().UnixNano() }

// write runs fn in an immediate transaction on the writer connection.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return translate(err)
	}
	if err := tx.Commit(); err != nil {
		return translate(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// read runs fn in a read transaction (a consistent snapshot).
func (s *Store) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: s.r != s.w})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	return translate(fn(tx))
}

// translate maps SQLite constraint errors to broker sentinels by code.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %w", broker.ErrConflict, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: %w", broker.ErrNotFound, err)
		}
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
