// Package sqlstore is the broker.Store over database/sql, written once for
// the SQL databases the broker runs on (SQLite and PostgreSQL): every
// statement of the store lives here, and what the databases spell
// differently comes from a Dialect. How transactions run (connections,
// locking, snapshots, retries, error codes) is the Engine's, which
// broker/sqlite and broker/postgres implement with their migrations.
//
// Statements are written with "?" placeholders ("?N" for a repeated
// argument); an engine whose driver wants another style rewrites them
// (Statements.Rewrite).
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/contracts-dev/contracts/broker"
)

// Engine runs the store's transactions on one database.
type Engine interface {
	// Write runs fn in a transaction that sees every write committed
	// before it and is the only write running (the store's "create if
	// missing" and "number = max + 1" rely on it), commits it, and maps
	// the database's constraint errors to broker sentinels.
	Write(ctx context.Context, fn func(tx *Tx) error) error
	// Read runs fn in a read-only transaction on one snapshot.
	Read(ctx context.Context, fn func(tx *Tx) error) error
	// Translate maps the database's constraint errors to broker sentinels
	// (by code) and returns other errors as they are.
	Translate(err error) error
	// Erased is called after a committed write that deleted user data, to
	// remove what the database may still hold of it (SQLite's WAL).
	Erased(ctx context.Context) error
}

// Dialect holds what the store's SQL spells differently per database.
type Dialect struct {
	// Returning makes inserts read the new row's id with "RETURNING id";
	// without it they use the driver's LastInsertId.
	Returning bool
	// Join joins the next table in the order written (SQLite's planner
	// keeps "CROSS JOIN" in place; PostgreSQL plans "JOIN" itself).
	Join string
	// JSONArray aggregates expr (which may end in ORDER BY) into the text
	// of a JSON array.
	JSONArray func(expr string) string
	// JSONRows is a FROM item over the JSON array bound to param, aliased
	// j, whose column value holds each element's JSON.
	JSONRows func(param string) string
	// JSONTextRows is as JSONRows for an array of strings or numbers,
	// value holding each one as text (SQLite: as it is).
	JSONTextRows func(param string) string
	// JSONItem is the text of element i of the JSON array expr.
	JSONItem func(expr string, i int) string
	// JSONInt converts a value of JSONTextRows to an integer.
	JSONInt func(expr string) string
	// Greatest is the two-argument maximum function.
	Greatest string
	// NullBlob and EmptyText are a NULL binary value and an empty text
	// value typed for a UNION or a scan.
	NullBlob, EmptyText string
	// SameInt compares an integer parameter with itself (a query that must
	// name a parameter it does not otherwise use).
	SameInt func(param string) string
	// ForUpdate locks the rows a SELECT reads until the transaction ends
	// (empty where a write transaction is exclusive anyway).
	ForUpdate string
	// SkipLocked is as ForUpdate, passing over rows another transaction
	// has locked.
	SkipLocked string
	// ByCreation forces the index of latest_pact_publications on
	// (provider, creation time) where a planner without statistics would
	// pick another (empty where the planner chooses well).
	ByCreation string
	// HeadBySubquery finds the latest publication on a branch or with a
	// tag in a subquery on the branch's (tag's) versions rather than by a
	// join (the faster form for PostgreSQL's planner).
	HeadBySubquery bool
	// ID is the placeholder of an id compared with a column in a join of
	// the pact selections: SQLite's "+?", because SQLite (3.54) plans a
	// join's "column = ?" differently for the values 0 and 1, so binding
	// the id 1 and then another one (a loop over consumers) recompiled
	// the statement twice per selection (sqlite3Reprepare, 0.6 ms each);
	// "+" keeps the planner from using the value. PostgreSQL: "?".
	ID string
	// WIPByHeads finds work-in-progress candidates by probing the head of
	// every branch and tag of the provider's consumers in one statement
	// (SQLite: each probe is a few microseconds in-process, and the cost
	// does not grow with the publications since the date); without it, from
	// the publications since the date, then one statement per branch or tag
	// found (PostgreSQL: probing every branch made pacts-for-verification
	// p50 39 ms at 100 pacticipants x 2,000 versions, against 17 ms this
	// way, both on a quiet machine).
	WIPByHeads bool
}

// Options configures New.
type Options struct {
	// Clock reads the time (nil: time.Now); tests inject a fixed clock.
	Clock func() time.Time
	// NewID generates UUIDs (nil: random version 4 UUIDs).
	NewID func() string
}

// Store is the broker.Store on an Engine and a Dialect.
type Store struct {
	e     Engine
	d     Dialect
	now   func() time.Time
	newID func() string
	// Statements that depend on the dialect, built once.
	matrixRowsInvolvingQuery, matrixRowsBetweenQuery string
}

var _ broker.Store = (*Store)(nil)

// New returns the store that runs its statements, written in dialect d,
// through e.
func New(e Engine, d Dialect, opts Options) *Store {
	s := &Store{e: e, d: d, now: opts.Clock, newID: opts.NewID}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = uuid.NewString
	}
	s.matrixRowsInvolvingQuery, s.matrixRowsBetweenQuery = matrixQueries(d)
	return s
}

func (s *Store) nowNanos() int64 { return s.now().UTC().UnixNano() }

func (s *Store) write(ctx context.Context, fn func(tx *Tx) error) error {
	return s.e.Write(ctx, fn)
}

func (s *Store) read(ctx context.Context, fn func(tx *Tx) error) error {
	return s.e.Read(ctx, fn)
}

// erase runs a write that deletes user data and purges the comparisons it
// orphaned, then lets the engine remove what remains of the data.
func (s *Store) erase(ctx context.Context, fn func(tx *Tx) error) error {
	if err := s.write(ctx, func(tx *Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return purgeComparisons(ctx, tx)
	}); err != nil {
		return err
	}
	return s.e.Erased(ctx)
}

// insertID runs an INSERT of one row (query has no RETURNING clause) and
// returns the new row's id.
func (s *Store) insertID(ctx context.Context, tx *Tx, query string, args ...any) (int64, error) {
	var id int64
	if s.d.Returning {
		err := tx.QueryRowContext(ctx, query+` RETURNING id`, args...).Scan(&id)
		return id, err
	}
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
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

// StmtCache prepares each distinct query once per database handle (SQLite
// parses and plans a statement on every prepare, which dominated query
// time before).
type StmtCache struct {
	mu    sync.Mutex
	db    *sql.DB
	stmts map[string]*sql.Stmt
}

// NewStmtCache returns an empty cache of statements prepared on db.
func NewStmtCache(db *sql.DB) *StmtCache {
	return &StmtCache{db: db, stmts: map[string]*sql.Stmt{}}
}

func (c *StmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
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

// Queries returns the text of every statement in the cache (the query-plan
// tests explain them).
func (c *StmtCache) Queries() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.stmts))
	for q := range c.stmts {
		out = append(out, q)
	}
	return out
}

// Close closes every statement in the cache and empties it.
func (c *StmtCache) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts = map[string]*sql.Stmt{}
}

// Statements says how a Tx turns the store's queries into statements.
type Statements struct {
	// Cache, when set, supplies prepared statements; else each query is
	// sent as it is and the driver prepares it (pgx caches per connection).
	Cache *StmtCache
	// Rewrite, when set, rewrites a query before it is sent (placeholders).
	Rewrite func(query string) string
	// Log, when set, is called with every statement and its arguments
	// before it runs.
	Log func(query string, args []any)
	// Uncancellable runs statements with a context that cannot be
	// cancelled, after checking that ctx is not done: with a cancellable
	// context SQLite's driver and database/sql start two goroutines per
	// statement to watch it, which cost more than most of the store's
	// statements (a pacts-for-verification request runs hundreds).
	// Cancellation still ends a request between two statements, and
	// database/sql still rolls the transaction back when ctx ends.
	Uncancellable bool
}

// Tx is a transaction of the store, running queries as its Statements say.
type Tx struct {
	tx *sql.Tx
	st *Statements
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

// NewTx returns tx running statements as st says.
func NewTx(tx *sql.Tx, st *Statements) *Tx { return &Tx{tx: tx, st: st} }

// NewReadTx returns a read-only transaction tx on one snapshot running
// statements as st says, and remembering what NewTx's does not: the same
// single-row query with the same arguments is answered from memory the
// second time (bytes, which hold contents, are never kept).
func NewReadTx(tx *sql.Tx, st *Statements) *Tx {
	return &Tx{tx: tx, st: st, read: &readMemo{stmts: map[string]*sql.Stmt{}, rows: map[string][]any{}}}
}

// SQL returns the underlying transaction (for statements outside the
// store's, such as migrations).
func (t *Tx) SQL() *sql.Tx { return t.tx }

// Remembered reports how many single-row results a read transaction holds.
func (t *Tx) Remembered() int {
	if t.read == nil {
		return 0
	}
	t.read.mu.Lock()
	defer t.read.mu.Unlock()
	return len(t.read.rows)
}

func (t *Tx) text(query string, args []any) string {
	if t.st.Rewrite != nil {
		query = t.st.Rewrite(query)
	}
	if t.st.Log != nil {
		t.st.Log(query, args)
	}
	return query
}

func (t *Tx) context(ctx context.Context) (context.Context, error) {
	if !t.st.Uncancellable {
		return ctx, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return context.WithoutCancel(ctx), nil
}

// stmt returns the cached statement of query bound to the transaction, or
// nil when statements are not cached.
func (t *Tx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if t.st.Cache == nil {
		return nil, nil
	}
	if t.read != nil {
		t.read.mu.Lock()
		defer t.read.mu.Unlock()
		if st, ok := t.read.stmts[query]; ok {
			return st, nil
		}
	}
	st, err := t.st.Cache.get(ctx, query)
	if err != nil {
		return nil, err
	}
	st = t.tx.StmtContext(ctx, st)
	if t.read != nil {
		t.read.stmts[query] = st
	}
	return st, nil
}

// prepare readies query for running: the context to run it with, its
// text, and its statement bound to the transaction (nil when statements are
// not cached).
func (t *Tx) prepare(ctx context.Context, query string, args []any) (context.Context, string, *sql.Stmt, error) {
	ctx, err := t.context(ctx)
	if err != nil {
		return nil, "", nil, err
	}
	query = t.text(query, args)
	st, err := t.stmt(ctx, query)
	return ctx, query, st, err
}

// ExecContext runs a statement in the transaction.
func (t *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx, query, st, err := t.prepare(ctx, query, args)
	switch {
	case err != nil:
		return nil, err
	case st == nil:
		return t.tx.ExecContext(ctx, query, args...)
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext runs a query in the transaction.
func (t *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx, query, st, err := t.prepare(ctx, query, args)
	switch {
	case err != nil:
		return nil, err
	case st == nil:
		return t.tx.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs a single-row query in the transaction when its Row
// is scanned. In a read-only transaction the same query with the same
// arguments is answered from memory the second time.
func (t *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *Row {
	ctx, err := t.context(ctx)
	if err != nil {
		return &Row{err: err}
	}
	r := &Row{ctx: ctx, tx: t, query: query, args: args}
	if t.read != nil {
		r.key = memoKey(query, args)
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

// Row is a single-row query, run by Scan, that can also carry an error
// found before it ran, and that a read-only transaction remembers.
type Row struct {
	ctx   context.Context
	tx    *Tx
	query string
	args  []any
	key   string
	err   error
}

func (r *Row) run(dest []any) error {
	query := r.tx.text(r.query, r.args)
	st, err := r.tx.stmt(r.ctx, query)
	switch {
	case err != nil:
		return err
	case st == nil:
		return r.tx.tx.QueryRowContext(r.ctx, query, r.args...).Scan(dest...)
	}
	return st.QueryRowContext(r.ctx, r.args...).Scan(dest...)
}

// Scan runs the query and implements the Scan of *sql.Row.
func (r *Row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	memo := r.tx.read
	if memo == nil || r.key == "" || !memoizable(dest) {
		return r.run(dest)
	}
	memo.mu.Lock()
	got, ok := memo.rows[r.key]
	memo.mu.Unlock()
	switch {
	case ok && got == nil:
		return sql.ErrNoRows
	case ok && sameTypes(got, dest):
		for i, d := range dest {
			reflect.ValueOf(d).Elem().Set(reflect.ValueOf(got[i]))
		}
		return nil
	}
	err := r.run(dest)
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
	memo.mu.Lock()
	memo.rows[r.key] = got
	memo.mu.Unlock()
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

// scanner is what a *sql.Row, *Row and *sql.Rows have in common.
type scanner = interface{ Scan(...any) error }

// queryAll runs query in tx and returns every row as scan reads it.
func queryAll[T any](ctx context.Context, tx *Tx, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
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
func execOne(ctx context.Context, tx *Tx, missing error, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return missing
	}
	return nil
}

// readOne returns what fn reads in a read transaction of s.
func readOne[T any](ctx context.Context, s *Store, fn func(tx *Tx) (T, error)) (T, error) {
	var out T
	err := s.read(ctx, func(tx *Tx) error {
		var err error
		out, err = fn(tx)
		return err
	})
	return out, err
}
