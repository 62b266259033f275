package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"sort"
	"time"
)

// Migrate applies the migrations of fsys (migrations/*.sql) that the
// table schema_migrations does not record, in name order, each in its own
// transaction begun by begin and run as st says, and records each with
// the time now returns. The caller creates schema_migrations (name TEXT
// PRIMARY KEY, applied_at an integer), in its database's types.
func Migrate(ctx context.Context, fsys fs.FS, st *Statements, now func() time.Time, begin func(context.Context) (*sql.Tx, error)) error {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("read migration %s: %w", name, err)
		}
		if err := applyMigration(ctx, st, begin, name, string(body), now().UTC().UnixNano()); err != nil {
			return fmt.Errorf("apply migration %s: %w", name, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, st *Statements, begin func(context.Context) (*sql.Tx, error), name, body string, now int64) error {
	sqlTx, err := begin(ctx)
	if err != nil {
		return err
	}
	defer sqlTx.Rollback() //nolint:errcheck // after Commit it is a no-op
	tx := NewTx(sqlTx, st)
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	// Several statements in one string, sent as it is: SQLite runs them
	// all, and so does pgx (without arguments it uses the simple protocol).
	if _, err := sqlTx.ExecContext(ctx, body); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`, name, now); err != nil {
		return err
	}
	return sqlTx.Commit()
}
