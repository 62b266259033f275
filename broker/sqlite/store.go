// Package sqlite is the broker.Store on SQLite (modernc.org/sqlite, pure
// Go): persistence only, the rules are broker.Service's. The statements
// are broker/sqlstore's, in SQLite's dialect; this package opens and
// configures the database and runs the transactions. Writes go through one
// connection with BEGIN IMMEDIATE; reads use a small pool of read-only
// connections; the database runs in WAL mode with foreign keys on and
// secure delete.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/sqlstore"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// readers is the number of concurrent read transactions: twice the cores,
// 8 at most. Requests that make many reads hold one snapshot for their
// duration (ReadSnapshot), so this bounds concurrent read requests rather
// than single queries. Reads are CPU-bound: more of them than that only
// share the cores with the one write transaction, which every publication
// queues behind (at 50 clients on 2 cores, 8 readers made publish p50
// 96 ms against 15 ms for pacts-for-verification; 4 brought both to about
// 42 ms). Each connection has its own page cache (cache_size), hence the
// cap.
var readers = min(8, 2*runtime.GOMAXPROCS(0))

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a broker.Store backed by an SQLite database.
type Store struct {
	*sqlstore.Store
	db *db
}

// Batch writes many publications and verifications in one transaction
// (Store.Batch).
type Batch = sqlstore.Batch

// dialect is how SQLite spells what sqlstore's statements need.
var dialect = sqlstore.Dialect{
	Join:         "CROSS JOIN",
	JSONArray:    func(expr string) string { return "json_group_array(" + expr + ")" },
	JSONRows:     func(param string) string { return "json_each(" + param + ") j" },
	JSONTextRows: func(param string) string { return "json_each(" + param + ") j" },
	JSONItem:     func(expr string, i int) string { return fmt.Sprintf("json_extract(%s, '$[%d]')", expr, i) },
	JSONInt:      func(expr string) string { return expr },
	Greatest:     "max",
	NullBlob:     "NULL",
	EmptyText:    "''",
	SameInt:      func(param string) string { return param + " = " + param },
	// INDEXED BY: without statistics the planner prefers the integration
	// index and reads every publication of the provider.
	ByCreation: " INDEXED BY latest_pact_publications_created",
	ID:         "+?",
	WIPByHeads: true,
}

// db runs the store's transactions (sqlstore.Engine) on the writer and
// reader pools.
type db struct {
	w *sql.DB // the writer pool: one transaction at a time
	r *sql.DB // read-only connections (== w for in-memory databases)
	// How transactions on w and r run statements: prepared once per pool
	// and cached (in memory: as they come).
	wc *sqlstore.Statements
	rc *sqlstore.Statements
	// Each pool has one connection more than the transactions allowed to
	// run on it, so that preparing a statement for the cache never waits
	// for a connection held by a transaction that is itself preparing.
	wmu  sync.Mutex    // one write transaction at a time
	rsem chan struct{} // read transactions in flight
	// Checkpoints run in the background on their own connection, so that
	// no commit pays for copying the WAL into the database file.
	dirty chan struct{}
	done  chan struct{}
	stop  sync.WaitGroup
	// closeOnce makes Close safe to call twice.
	closeOnce sync.Once
	// scrub is set while deleted data may remain in the WAL: checkpoints
	// then truncate it.
	scrub atomic.Bool
}

var (
	_ broker.Store       = (*Store)(nil)
	_ broker.Snapshotter = (*Store)(nil)
)

// Option configures Open.
type Option func(*sqlstore.Options)

// WithClock makes the store read the time from now (tests inject a fixed
// clock).
func WithClock(now func() time.Time) Option { return func(o *sqlstore.Options) { o.Clock = now } }

// WithUUIDs makes the store generate UUIDs with newID.
func WithUUIDs(newID func() string) Option { return func(o *sqlstore.Options) { o.NewID = newID } }

// Open opens (creating if needed) the database named by dsn (a file path
// or a "file:" URI; ":memory:" for a private in-memory database) and
// applies pending migrations.
func Open(dsn string, opts ...Option) (*Store, error) {
	var o sqlstore.Options
	for _, opt := range opts {
		opt(&o)
	}
	s := &db{rsem: make(chan struct{}, readers)}
	memory := dsn == ":memory:" || strings.Contains(dsn, "mode=memory")
	// secure_delete overwrites deleted content with zeros, so that deleting
	// a pacticipant removes its bytes from the file, free pages included.
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-8000)&_pragma=secure_delete(1)"
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	var err error
	if !memory {
		if err := createPrivate(dsn); err != nil {
			return nil, err
		}
	}
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
		s.w, err = sql.Open("sqlite", dsn+sep+common+"&_pragma=journal_mode(WAL)&_pragma=wal_autocheckpoint(0)&_pragma=journal_size_limit(67108864)&_txlock=immediate")
		if err != nil {
			return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
		}
		s.w.SetMaxOpenConns(3) // the transaction, statement preparation, checkpoints
		s.w.SetMaxIdleConns(3)
		s.w.SetConnMaxIdleTime(0)
		s.w.SetConnMaxLifetime(0)
	}
	if err := s.w.Ping(); err != nil {
		s.w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
	}
	s.wc = &sqlstore.Statements{Uncancellable: true}
	if !memory {
		s.wc.Cache = sqlstore.NewStmtCache(s.w)
	}
	now := o.Clock
	if now == nil {
		now = time.Now
	}
	if err := s.migrate(context.Background(), now); err != nil {
		s.w.Close()
		return nil, err
	}
	if !memory {
		s.r, err = sql.Open("sqlite", dsn+sep+common+"&_pragma=query_only(1)")
		if err != nil {
			s.w.Close()
			return nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
		}
		s.r.SetMaxOpenConns(readers + 1)
		s.r.SetMaxIdleConns(readers + 1)
		s.r.SetConnMaxIdleTime(0)
		s.rc = &sqlstore.Statements{Cache: sqlstore.NewStmtCache(s.r), Uncancellable: true}
		s.dirty = make(chan struct{}, 1)
		s.done = make(chan struct{})
		s.stop.Add(1)
		go s.checkpointer()
	} else {
		s.rc = s.wc
	}
	return &Store{Store: sqlstore.New(s, dialect, o), db: s}, nil
}

// Close stops the background checkpoints and closes the database; calls
// after the first return an error.
func (s *Store) Close() error {
	err := errors.New("sqlite store already closed")
	s.db.closeOnce.Do(func() { err = s.db.close() })
	return err
}

func (s *db) close() error {
	if s.done != nil {
		close(s.done)
		s.stop.Wait()
	}
	var err error
	if s.rc != nil && s.rc != s.wc {
		s.rc.Cache.Close()
	}
	if s.wc != nil && s.wc.Cache != nil {
		s.wc.Cache.Close()
	}
	if s.r != nil && s.r != s.w {
		err = s.r.Close()
	}
	if e := s.w.Close(); e != nil && err == nil {
		err = e
	}
	return err
}

func (s *db) migrate(ctx context.Context, now func() time.Time) error {
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	return sqlstore.Migrate(ctx, migrations, s.wc, now, func(ctx context.Context) (*sql.Tx, error) {
		return s.w.BeginTx(ctx, nil) // immediate (_txlock), before any other transaction
	})
}

// Write implements sqlstore.Engine: fn runs in an immediate transaction
// on the writer connection.
func (s *db) Write(ctx context.Context, fn func(tx *sqlstore.Tx) error) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(sqlstore.NewTx(tx, s.wc)); err != nil {
		_ = tx.Rollback()
		return s.Translate(err)
	}
	if err := tx.Commit(); err != nil {
		return s.Translate(fmt.Errorf("commit: %w", err))
	}
	s.markDirty()
	return nil
}

// markDirty asks the checkpointer for a checkpoint.
func (s *db) markDirty() {
	if s.dirty != nil {
		select {
		case s.dirty <- struct{}{}:
		default:
		}
	}
}

// Erased implements sqlstore.Engine: after a write that deleted user data
// it checkpoints and truncates the WAL. With secure_delete the database
// pages are zeroed, and the WAL would otherwise keep the deleted rows in
// frames of earlier transactions until they are overwritten.
func (s *db) Erased(ctx context.Context) error {
	if s.dirty == nil {
		return nil // in memory: no file
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var busy, frames, copied int
	if err := s.w.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &copied); err != nil {
		return fmt.Errorf("checkpoint after delete: %w", err)
	}
	if busy != 0 {
		// A long read kept the WAL in use. The delete is committed; the
		// background checkpoints truncate the WAL as soon as they can.
		s.scrub.Store(true)
		s.markDirty()
	}
	return nil
}

// createPrivate creates the database file named by dsn, when absent, with
// mode 0600; SQLite gives its -wal and -shm files the same mode.
func createPrivate(dsn string) error {
	path := dsn
	if strings.HasPrefix(path, "file:") {
		path = strings.TrimPrefix(path, "file:")
		path, _, _ = strings.Cut(path, "?")
	}
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create database file %s: %w", path, err)
	}
	return f.Close()
}

// checkpointInterval is the least time between two WAL checkpoints. A
// checkpoint holds the write lock (see checkpointer) for a time that
// grows with the frames written since the last one: under a steady
// write load, 500 ms between checkpoints made each last about 40 ms, the
// tail of publish latency; 100 ms makes them 5-10 ms.
const checkpointInterval = 100 * time.Millisecond

// checkpointer copies committed WAL frames into the database file after
// writes, at most every checkpointInterval, and once more when the store
// closes. It holds the write lock meanwhile: a checkpoint racing a write
// transaction mostly fails with SQLITE_BUSY, and the WAL then grows
// without bound under a steady write load. Between sporadic writes (the
// usual load) no request waits for it.
func (s *db) checkpointer() {
	defer s.stop.Done()
	checkpoint := func() {
		s.wmu.Lock()
		defer s.wmu.Unlock()
		// A failed checkpoint is retried after the next write; the WAL keeps
		// the data safe meanwhile.
		if !s.scrub.Load() {
			_, _ = s.w.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
			return
		}
		// Deleted data may still be in the WAL: truncate it.
		var busy, frames, copied int
		if err := s.w.QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &copied); err == nil && busy == 0 {
			s.scrub.Store(false)
		} else {
			s.markDirty() // try again after the interval
		}
	}
	for {
		select {
		case <-s.done:
			checkpoint()
			return
		case <-s.dirty:
			checkpoint()
		}
		select {
		case <-s.done:
			checkpoint()
			return
		case <-time.After(checkpointInterval):
		}
	}
}

// snapshotKey keys the read transaction of a ReadSnapshot context.
type snapshotKey struct{ s *db }

// ReadSnapshot implements broker.Snapshotter: reads made with the returned
// context share one read transaction (database/sql serialises its use).
func (s *Store) ReadSnapshot(ctx context.Context) (context.Context, func(), error) {
	d := s.db
	if d.r == d.w {
		return ctx, func() {}, nil // in memory: one connection anyway
	}
	select {
	case d.rsem <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	tx, err := d.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		<-d.rsem
		return nil, nil, fmt.Errorf("begin read: %w", err)
	}
	var once sync.Once
	end := func() {
		once.Do(func() {
			_ = tx.Rollback()
			<-d.rsem
		})
	}
	return context.WithValue(ctx, snapshotKey{d}, sqlstore.NewReadTx(tx, d.rc)), end, nil
}

// Read implements sqlstore.Engine: fn runs in a read transaction (a
// consistent snapshot), the one of ctx when it comes from ReadSnapshot,
// else a new one.
func (s *db) Read(ctx context.Context, fn func(tx *sqlstore.Tx) error) error {
	if tx, ok := ctx.Value(snapshotKey{s}).(*sqlstore.Tx); ok {
		return s.Translate(fn(tx))
	}
	if s.r == s.w {
		return s.Write(ctx, fn)
	}
	select {
	case s.rsem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.rsem }()
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	return s.Translate(fn(sqlstore.NewReadTx(tx, s.rc)))
}

// Translate implements sqlstore.Engine: SQLite constraint errors become
// broker sentinels, by code.
func (s *db) Translate(err error) error {
	if err == nil || errors.Is(err, broker.ErrConflict) || errors.Is(err, broker.ErrNotFound) || errors.Is(err, broker.ErrInvalid) {
		return err
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
