package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite"
)

// copyFromSQLite copies every row of the SQLite broker database at src into
// the migrated, empty PostgreSQL database at dsn, table by table with COPY,
// then moves each identity sequence past the copied ids and analyses the
// tables. Both stores run the same schema and the same store code, so a
// database seeded on SQLite and copied holds what the same seed would have
// written through PostgreSQL; the copy takes minutes where seeding a large
// benchmark through PostgreSQL, a round trip per statement, takes most of an
// hour.
func copyFromSQLite(tb testing.TB, src, dsn string) {
	tb.Helper()
	ctx := context.Background()
	lite, err := sql.Open("sqlite", "file:"+src+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	defer lite.Close()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		// Rows arrive in table order, not in foreign-key order: skip the
		// constraint triggers while copying (the source already held them).
		if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
			return err
		}
		tables, err := pgTables(ctx, tx)
		if err != nil {
			return err
		}
		for _, t := range tables {
			if err := copyTable(ctx, lite, tx, t); err != nil {
				return fmt.Errorf("copy %s: %w", t.name, err)
			}
			if t.identity {
				if _, err := tx.Exec(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), coalesce((SELECT max(id) FROM %s), 0) + 1, false)`, t.name, t.name)); err != nil {
					return fmt.Errorf("sequence of %s: %w", t.name, err)
				}
			}
		}
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `ANALYZE`); err != nil {
		tb.Fatal(err)
	}
}

type pgTable struct {
	name     string
	cols     []string
	types    []string
	identity bool
}

func pgTables(ctx context.Context, tx pgx.Tx) ([]pgTable, error) {
	rows, err := tx.Query(ctx, `SELECT c.table_name, c.column_name, c.data_type, c.is_identity
		FROM information_schema.columns c JOIN information_schema.tables t
		  ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
		WHERE c.table_schema = 'public' AND c.table_name <> 'schema_migrations'
		ORDER BY c.table_name, c.ordinal_position`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []pgTable
	for rows.Next() {
		var table, col, typ, identity string
		if err := rows.Scan(&table, &col, &typ, &identity); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].name != table {
			out = append(out, pgTable{name: table})
		}
		t := &out[len(out)-1]
		t.cols = append(t.cols, col)
		t.types = append(t.types, typ)
		if identity == "YES" && col == "id" {
			t.identity = true
		}
	}
	return out, rows.Err()
}

func copyTable(ctx context.Context, lite *sql.DB, tx pgx.Tx, t pgTable) error {
	quoted := make([]string, len(t.cols))
	for i, c := range t.cols {
		quoted[i] = `"` + c + `"`
	}
	rows, err := lite.QueryContext(ctx, fmt.Sprintf(`SELECT %s FROM %s`, strings.Join(quoted, ", "), t.name))
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]any, len(t.cols))
	ptrs := make([]any, len(t.cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromFunc(func() ([]any, error) {
		if !rows.Next() {
			return nil, rows.Err()
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		out := make([]any, len(vals))
		for i, v := range vals {
			out[i] = convertValue(v, t.types[i])
		}
		return out, nil
	}))
	return err
}

// convertValue turns what the SQLite driver returns into what the
// PostgreSQL column takes.
func convertValue(v any, pgType string) any {
	switch x := v.(type) {
	case nil:
		return nil
	case []byte:
		if pgType == "bytea" {
			return append([]byte(nil), x...)
		}
		return string(x)
	case string:
		if pgType == "bytea" {
			return []byte(x)
		}
		return x
	case int64:
		if pgType == "boolean" {
			return x != 0
		}
		return x
	}
	return v
}
