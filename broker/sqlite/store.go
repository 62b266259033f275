// Package sqlite is the broker.Store on SQLite (modernc.org/sqlite, pure
// Go): persistence only, the rules are broker.Service's. Writes go through one connection with BEGIN IMMEDIATE; reads use a
// small pool of read-only connections; the database runs in WAL mode with
// foreign keys on.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/contracts-dev/contracts/broker"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// readers is the number of concurrent read transactions. Requests that
// make many reads hold one snapshot for their duration (ReadSnapshot), so
// this bounds concurrent read requests rather than single queries: 4 made
// pacts-for-verification queue behind shorter requests at 50 clients.
// Each connection has its own page cache (cache_size), hence not more.
const readers = 8

//go:embed migrations/*.sql
var migrations embed.FS

// Store is a broker.Store backed by an SQLite database.
type Store struct {
	w  *sql.DB    // the writer pool: one transaction at a time
	r  *sql.DB    // read-only connections (== w for in-memory databases)
	wc *stmtCache // nil for in-memory databases
	rc *stmtCache
	// Each pool has one connection more than the transactions allowed to
	// run on it, so that preparing a statement for the cache never waits
	// for a connection held by a transaction that is itself preparing.
	wmu  sync.Mutex    // one write transaction at a time
	rsem chan struct{} // read transactions in flight
	now  func() time.Time
	// Checkpoints run in the background on their own connection, so that
	// no commit pays for copying the WAL into the database file.
	dirty chan struct{}
	done  chan struct{}
	stop  sync.WaitGroup
	// closeOnce makes Close safe to call twice.
	closeOnce sync.Once
	newID     func() string
	// scrub is set while deleted data may remain in the WAL: checkpoints
	// then truncate it.
	scrub atomic.Bool
}

var (
	_ broker.Store       = (*Store)(nil)
	_ broker.Snapshotter = (*Store)(nil)
)

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
	s := &Store{now: time.Now, newID: uuid.NewString, rsem: make(chan struct{}, readers)}
	for _, o := range opts {
		o(s)
	}
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
	if !memory {
		s.wc = newStmtCache(s.w)
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
		s.r.SetMaxOpenConns(readers + 1)
		s.r.SetMaxIdleConns(readers + 1)
		s.r.SetConnMaxIdleTime(0)
		s.rc = newStmtCache(s.r)
		s.dirty = make(chan struct{}, 1)
		s.done = make(chan struct{})
		s.stop.Add(1)
		go s.checkpointer()
	} else {
		s.rc = s.wc
	}
	return s, nil
}

// Close stops the background checkpoints and closes the database; calls
// after the first return an error.
func (s *Store) Close() error {
	err := errors.New("sqlite store already closed")
	s.closeOnce.Do(func() { err = s.close() })
	return err
}

func (s *Store) close() error {
	if s.done != nil {
		close(s.done)
		s.stop.Wait()
	}
	var err error
	if s.rc != nil && s.rc != s.wc {
		s.rc.close()
	}
	if s.wc != nil {
		s.wc.close()
	}
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
		err = s.write(ctx, func(tx *txn) error {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.tx.ExecContext(ctx, string(body)); err != nil {
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
func (s *Store) write(ctx context.Context, fn func(tx *txn) error) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(&txn{tx: tx, cache: s.wc}); err != nil {
		_ = tx.Rollback()
		return translate(err)
	}
	if err := tx.Commit(); err != nil {
		return translate(fmt.Errorf("commit: %w", err))
	}
	s.markDirty()
	return nil
}

// markDirty asks the checkpointer for a checkpoint.
func (s *Store) markDirty() {
	if s.dirty != nil {
		select {
		case s.dirty <- struct{}{}:
		default:
		}
	}
}

// erase runs a write that deletes user data, then checkpoints and
// truncates the WAL: with secure_delete the database pages are zeroed, and
// the WAL would otherwise keep the deleted rows in frames of earlier
// transactions until they are overwritten.
func (s *Store) erase(ctx context.Context, fn func(tx *txn) error) error {
	if err := s.write(ctx, func(tx *txn) error {
		if err := fn(tx); err != nil {
			return err
		}
		return purgeComparisons(ctx, tx)
	}); err != nil {
		return err
	}
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

// checkpointInterval is the least time between two WAL checkpoints.
const checkpointInterval = 500 * time.Millisecond

// checkpointer copies committed WAL frames into the database file after
// writes, at most every checkpointInterval, and once more when the store
// closes. It holds the write lock meanwhile: a checkpoint racing a write
// transaction mostly fails with SQLITE_BUSY, and the WAL then grows
// without bound under a steady write load. Between sporadic writes (the
// usual load) no request waits for it.
func (s *Store) checkpointer() {
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
type snapshotKey struct{ s *Store }

// ReadSnapshot implements broker.Snapshotter: reads made with the returned
// context share one read transaction (database/sql serialises its use).
func (s *Store) ReadSnapshot(ctx context.Context) (context.Context, func(), error) {
	if s.r == s.w {
		return ctx, func() {}, nil // in memory: one connection anyway
	}
	select {
	case s.rsem <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		<-s.rsem
		return nil, nil, fmt.Errorf("begin read: %w", err)
	}
	var once sync.Once
	end := func() {
		once.Do(func() {
			_ = tx.Rollback()
			<-s.rsem
		})
	}
	return context.WithValue(ctx, snapshotKey{s}, newReadTxn(tx, s.rc)), end, nil
}

// read runs fn in a read transaction (a consistent snapshot): the one of
// ctx when it comes from ReadSnapshot, else a new one.
func (s *Store) read(ctx context.Context, fn func(tx *txn) error) error {
	if t, ok := ctx.Value(snapshotKey{s}).(*txn); ok {
		return translate(fn(t))
	}
	if s.r == s.w {
		return s.write(ctx, fn)
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
	return translate(fn(newReadTxn(tx, s.rc)))
}

// translate maps SQLite constraint errors to broker sentinels by code.
func translate(err error) error {
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

// stmtCache prepares each distinct query once per database handle;
// preparing dominated query time before (SQLite parses and plans each
// statement on prepare).
type stmtCache struct {
	mu    sync.Mutex
	db    *sql.DB
	stmts map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}}
}

func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.stmts[query] = st
	return st, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts = map[string]*sql.Stmt{}
}

// txn is a transaction whose statements come from the cache.
//
// Statements run with a context that cannot be cancelled, after checking
// that ctx is not done: with a cancellable context the driver and
// database/sql start two goroutines per statement to watch it, which cost
// more than most of these statements (a pacts-for-verification request runs
// hundreds). Cancellation still ends a request between two statements, and
// database/sql still rolls the transaction back when ctx ends.
type txn struct {
	tx    *sql.Tx
	cache *stmtCache
	// read is set for read-only transactions: a snapshot that cannot change
	// while it lasts, so each statement is bound to the transaction once
	// and single-row look-ups (a name's id, a branch's id) run once.
	read *readMemo
}

// readMemo is what a read-only transaction remembers.
type readMemo struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
	rows  map[string][]any // query and arguments -> the scanned row; nil: no row
}

func newReadTxn(tx *sql.Tx, cache *stmtCache) *txn {
	return &txn{tx: tx, cache: cache, read: &readMemo{stmts: map[string]*sql.Stmt{}, rows: map[string][]any{}}}
}

// quiet returns ctx without its cancellation, or ctx's error when it is done.
func quiet(ctx context.Context) (context.Context, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return context.WithoutCancel(ctx), nil
}

func (t *txn) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if t.cache == nil {
		return t.tx.PrepareContext(ctx, query)
	}
	if t.read != nil {
		t.read.mu.Lock()
		defer t.read.mu.Unlock()
		if st, ok := t.read.stmts[query]; ok {
			return st, nil
		}
	}
	st, err := t.cache.get(ctx, query)
	if err != nil {
		return nil, err
	}
	st = t.tx.StmtContext(ctx, st)
	if t.read != nil {
		t.read.stmts[query] = st
	}
	return st, nil
}

// ExecContext runs a cached statement in the transaction.
func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx, err := quiet(ctx)
	if err != nil {
		return nil, err
	}
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext runs a cached query in the transaction.
func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx, err := quiet(ctx)
	if err != nil {
		return nil, err
	}
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs a cached single-row query in the transaction. In a
// read-only transaction the same query with the same arguments is answered
// from memory the second time.
func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *row {
	ctx, err := quiet(ctx)
	if err != nil {
		return &row{err: err}
	}
	st, err := t.stmt(ctx, query)
	if err != nil {
		return &row{err: err}
	}
	r := &row{ctx: ctx, st: st, args: args}
	if t.read != nil {
		r.memo, r.key = t.read, memoKey(query, args)
	}
	return r
}

// memoKey keys a query with its arguments; "" when an argument is of a
// type it does not key (the row is then not remembered).
func memoKey(query string, args []any) string {
	var b strings.Builder
	b.WriteString(query)
	for _, a := range args {
		b.WriteByte(0)
		switch v := a.(type) {
		case int64:
			b.WriteString("i" + strconv.FormatInt(v, 10))
		case int:
			b.WriteString("i" + strconv.Itoa(v))
		case string:
			b.WriteString("s" + v)
		default:
			return ""
		}
	}
	return b.String()
}

// row is a single-row query run by Scan, which can also carry a prepare
// error, and which remembers what it scanned in a read-only transaction.
type row struct {
	ctx  context.Context
	st   *sql.Stmt
	args []any
	err  error
	memo *readMemo
	key  string
}

// Scan runs the query and implements the Scan of *sql.Row.
func (r *row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	if r.memo == nil || r.key == "" || !memoizable(dest) {
		return r.st.QueryRowContext(r.ctx, r.args...).Scan(dest...)
	}
	r.memo.mu.Lock()
	got, ok := r.memo.rows[r.key]
	r.memo.mu.Unlock()
	switch {
	case ok && got == nil:
		return sql.ErrNoRows
	case ok && sameTypes(got, dest):
		for i, d := range dest {
			reflect.ValueOf(d).Elem().Set(reflect.ValueOf(got[i]))
		}
		return nil
	}
	err := r.st.QueryRowContext(r.ctx, r.args...).Scan(dest...)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		got = nil
	case err != nil:
		return err
	default:
		got = make([]any, len(dest))
		for i, d := range dest {
			got[i] = reflect.ValueOf(d).Elem().Interface()
		}
	}
	r.memo.mu.Lock()
	r.memo.rows[r.key] = got
	r.memo.mu.Unlock()
	return err
}

// sameTypes reports whether the remembered values fit dest.
func sameTypes(got, dest []any) bool {
	if len(got) != len(dest) {
		return false
	}
	for i, d := range dest {
		if reflect.TypeOf(got[i]) != reflect.TypeOf(d).Elem() {
			return false
		}
	}
	return true
}

// memoizable reports whether the scanned values can be remembered: not
// bytes, which the caller could change (and which hold pact contents).
func memoizable(dest []any) bool {
	for _, d := range dest {
		switch d.(type) {
		case *int64, *int, *string, *bool, *sql.NullInt64, *sql.NullString:
		default:
			return false
		}
	}
	return true
}

// scanner is what a *sql.Row, *row and *sql.Rows have in common.
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
