package postgres_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/postgres"
	"github.com/contracts-dev/contracts/broker/postgres/pgtest"
	"github.com/contracts-dev/contracts/broker/storetest"
)

// historyTables grow with every version, publication or verification; a
// query must never read one of them whole.
var historyTables = []string{"versions", "branch_versions", "tags", "pact_versions", "pact_publications",
	"latest_pact_publications", "verifications", "latest_verifications", "deployed_versions", "released_versions"}

// queryLog keeps the first arguments each distinct statement ran with.
type queryLog struct {
	mu   sync.Mutex
	args map[string][]any
}

func (l *queryLog) record(q string, args []any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.args[q]; !ok {
		l.args[q] = append([]any(nil), args...)
	}
}

// TestQueryPlans runs the conformance suite, recording every statement the
// store runs with its arguments, then asks PostgreSQL for the plan of each
// on a database seeded with tens of thousands of history rows (analysed),
// with sequential scans, merge and hash joins disabled: the planner then
// uses an index wherever one can serve the query, so a remaining
// sequential scan of a history table, or an index scan that does not bound
// the index's leading column (a walk of the whole index), means no index
// can.
func TestQueryPlans(t *testing.T) {
	c := pgtest.Start(t)
	log := &queryLog{args: map[string][]any{}}
	storetest.Run(t, func(st *testing.T) broker.Store {
		return mustOpen(st, c, postgres.Options{QueryLog: log.record})
	})

	// A database with history to plan against.
	dsn := c.NewDatabase(t)
	s, err := postgres.Open(t.Context(), dsn, postgres.Options{})
	require.NoError(t, err)
	defer s.Close()
	for _, consumer := range []string{"Web", "Mobile"} {
		for v := 0; v < 60; v++ {
			shas := storetest.MustPublish(t, s, storetest.Publication{Consumer: consumer, Version: fmt.Sprint(v), Branch: "main", Tags: []string{"dev"},
				Pacts: map[string][]string{"API": {fmt.Sprint("get ", v)}}})
			storetest.MustVerify(t, s, consumer, "API", shas["API"], fmt.Sprint("p", v), v%2 == 0)
		}
	}
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	defer db.Close()
	conn, err := db.Conn(t.Context())
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(t.Context(), bulkHistory)
	require.NoError(t, err)
	_, err = conn.ExecContext(t.Context(), `ANALYZE`)
	require.NoError(t, err)
	// As on a large database: no sequential scans, and nested loops whose
	// inner side looks rows up by index (merge and hash joins over a few
	// hundred rows would read whole indexes and hide a missing one).
	for _, set := range []string{`SET enable_seqscan = off`, `SET enable_mergejoin = off`, `SET enable_hashjoin = off`} {
		_, err = conn.ExecContext(t.Context(), set)
		require.NoError(t, err)
	}

	queries := make([]string, 0, len(log.args))
	for q := range log.args {
		queries = append(queries, q)
	}
	sort.Strings(queries)
	require.Greater(t, len(queries), 50, "the suite ran the store's statements")
	leading := leadingColumns(t, conn)
	for _, q := range queries {
		if strings.Contains(q, "pg_advisory_xact_lock") {
			continue
		}
		var out []byte
		require.NoError(t, conn.QueryRowContext(t.Context(), "EXPLAIN (FORMAT JSON) "+q, log.args[q]...).Scan(&out), q)
		var plans []struct{ Plan planNode }
		require.NoError(t, json.Unmarshal(out, &plans), q)
		require.Len(t, plans, 1, q)
		// Small admin lists filtered by rare columns are bounded by LIMIT
		// and not on a hot path (as in the SQLite store's test).
		admin := strings.Contains(q, "FROM deployed_versions d") || strings.Contains(q, "FROM released_versions r")
		for _, n := range plans[0].Plan.fullReads(leading) {
			if !admin {
				t.Errorf("full read of %s%s (%s):\n%s\n=> %s", n.Relation, n.IndexName, n.Type, strings.Join(strings.Fields(q), " "), plans[0].Plan.describe())
			}
		}
		if strings.Contains(q, "l.created_at >=") {
			require.Contains(t, string(out), "latest_pact_publications_created", q)
		}
	}
}

// planNode is a node of an EXPLAIN (FORMAT JSON) plan.
type planNode struct {
	Type      string     `json:"Node Type"`
	Relation  string     `json:"Relation Name"`
	IndexCond string     `json:"Index Cond"`
	IndexName string     `json:"Index Name"`
	Filter    string     `json:"Filter"`
	Plans     []planNode `json:"Plans"`
}

// describe renders the plan on one line: node (relation index cond filter) > children.
func (n planNode) describe() string {
	s := n.Type
	for _, part := range []string{n.Relation, n.IndexName, n.IndexCond, n.Filter} {
		if part != "" {
			s += " " + part
		}
	}
	if len(n.Plans) > 0 {
		var kids []string
		for _, c := range n.Plans {
			kids = append(kids, c.describe())
		}
		s += " [" + strings.Join(kids, "; ") + "]"
	}
	return s
}

// fullReads returns the nodes that read a history table whole: a
// sequential scan, or an index scan whose condition does not bound the
// index's leading column (it walks the whole index, even when a condition
// on a later column filters inside it).
func (n planNode) fullReads(leading map[string]string) []planNode {
	var out []planNode
	switch n.Type {
	case "Seq Scan":
		if contains(historyTables, n.Relation) {
			out = append(out, n)
		}
	case "Index Scan", "Index Only Scan", "Bitmap Index Scan":
		col, ok := leading[n.IndexName]
		if ok && !regexp.MustCompile(`\(`+regexp.QuoteMeta(col)+` (=|<|>|<=|>=) `).MatchString(n.IndexCond) {
			out = append(out, n)
		}
	}
	for _, c := range n.Plans {
		out = append(out, c.fullReads(leading)...)
	}
	return out
}

// leadingColumns maps each index of a history table to its first column.
func leadingColumns(t *testing.T, conn *sql.Conn) map[string]string {
	rows, err := conn.QueryContext(t.Context(), `SELECT ic.relname, a.attname FROM pg_index i
		JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class tc ON tc.oid = i.indrelid
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
		WHERE tc.relname = ANY($1)`, historyTables)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var idx, col string
		require.NoError(t, rows.Scan(&idx, &col))
		out[idx] = col
	}
	require.NoError(t, rows.Err())
	require.Greater(t, len(out), 20)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestForeignKeysAreIndexed checks the schema rule that every foreign key
// is the leading column of an index, so that joins and cascading deletes
// never scan a table.
func TestForeignKeysAreIndexed(t *testing.T) {
	c := pgtest.Start(t)
	dsn := c.NewDatabase(t)
	s, err := postgres.Open(t.Context(), dsn, postgres.Options{})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.QueryContext(t.Context(), `
		SELECT c.conrelid::regclass::text, a.attname,
			EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])
		FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
		WHERE c.contype = 'f'`)
	require.NoError(t, err)
	defer rows.Close()
	checked := 0
	for rows.Next() {
		var (
			table, col string
			indexed    bool
		)
		require.NoError(t, rows.Scan(&table, &col, &indexed))
		require.True(t, indexed, "foreign key %s.%s has no index starting with it", table, col)
		checked++
	}
	require.NoError(t, rows.Err())
	require.Greater(t, checked, 30)
}
