package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/contracts-dev/contracts/broker"
	"github.com/contracts-dev/contracts/broker/sqlstore"
	"github.com/contracts-dev/contracts/broker/storetest"
	"github.com/stretchr/testify/require"
)

// historyTables grow with every version, publication or verification; a
// query must never read one of them whole.
var historyTables = []string{"versions", "branch_versions", "tags", "pact_versions", "pact_publications",
	"latest_pact_publications", "verifications", "latest_verifications", "deployed_versions", "released_versions"}

// TestQueryPlans runs the conformance suite, then asks SQLite for the plan
// of every statement it prepared and fails on a full scan of a history
// table. It is an internal test because it reads the statement cache.
func TestQueryPlans(t *testing.T) {
	var stores []*Store
	dir := t.TempDir()
	storetest.Run(t, func(st *testing.T) broker.Store {
		s, err := Open(filepath.Join(dir, strings.ReplaceAll(st.Name(), "/", "_")+".db"))
		require.NoError(st, err)
		t.Cleanup(func() { s.Close() }) // after the plans are read
		stores = append(stores, s)
		return s
	})
	seen := map[string]bool{}
	for _, s := range stores {
		for _, c := range []*sqlstore.StmtCache{s.db.wc.Cache, s.db.rc.Cache} {
			for _, q := range c.Queries() {
				if seen[q] {
					continue
				}
				seen[q] = true
				plan := explain(t, s, q)
				for _, line := range plan {
					for _, table := range historyTables {
						if strings.HasPrefix(line, "SCAN "+table) || strings.HasPrefix(line, "SCAN "+alias(q, table)+" ") || line == "SCAN "+alias(q, table) {
							// Small admin lists filtered by rare columns are
							// bounded by LIMIT and not on a hot path.
							if strings.Contains(q, "FROM deployed_versions d") || strings.Contains(q, "FROM released_versions r") {
								continue
							}
							t.Errorf("full scan of %s:\n%s\n=> %s", table, strings.Join(strings.Fields(q), " "), strings.Join(plan, " | "))
						}
					}
				}
				for _, line := range plan {
					// Searching a history table by its provider alone reads
					// every row of the provider's history (deleting a
					// pacticipant must).
					if strings.HasPrefix(line, "SEARCH ") && strings.HasSuffix(line, "(provider_id=?)") && readsHistory(q, line) && !strings.HasPrefix(q, "DELETE") {
						t.Errorf("every row of the provider's history:\n%s\n=> %s", strings.Join(strings.Fields(q), " "), strings.Join(plan, " | "))
					}
				}
				if strings.Contains(q, "l.created_at >=") {
					require.Contains(t, strings.Join(plan, " | "), "latest_pact_publications_created", q)
				}
			}
		}
	}
	require.NotEmpty(t, seen)
}

// readsHistory reports whether a plan line searches a history table.
func readsHistory(q, line string) bool {
	for _, table := range historyTables {
		for _, name := range []string{table, alias(q, table)} {
			if strings.HasPrefix(line, "SEARCH "+name+" ") {
				return true
			}
		}
	}
	return false
}

// alias finds the alias a query gives a table ("FROM versions v" -> "v").
func alias(q, table string) string {
	f := strings.Fields(q)
	for i := 0; i+1 < len(f); i++ {
		if f[i] == table && (i == 0 || f[i-1] == "FROM" || f[i-1] == "JOIN") {
			if a := f[i+1]; a != "ON" && a != "WHERE" && a != "JOIN" && a != "INDEXED" {
				return a
			}
		}
	}
	return table
}

func explain(t *testing.T, s *Store, q string) []string {
	t.Helper()
	args := make([]any, strings.Count(q, "?"))
	rows, err := s.db.w.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, args...)
	require.NoError(t, err, q)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var (
			id, parent, unused int
			detail             string
		)
		require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
		out = append(out, detail)
	}
	require.NoError(t, rows.Err())
	return out
}
