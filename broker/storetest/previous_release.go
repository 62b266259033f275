package storetest

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/broker"
)

// PreviousReleaseProviderContracts checks that replicas of the previous
// release, which keep one provider contract per provider version in
// provider_contracts (migration 0010), and this release work on one
// database during a rolling upgrade, and that migration 0012 keeps the
// existing contracts. db is the store's database (the previous release's
// statements run on it, with ? placeholders that rebind turns into the
// driver's); open opens and migrates a store on it, and is called again
// after 0012 is undone, as on an upgrade.
func PreviousReleaseProviderContracts(t *testing.T, db *sql.DB, rebind func(string) string, open func(t *testing.T) broker.Store) {
	ctx := context.Background()
	s := open(t)
	for _, v := range []string{"1", "2"} {
		_, _, err := s.PutVersion(ctx, "Orders", v, "")
		require.NoError(t, err)
	}
	versionID := func(number string) int64 {
		var id int64
		require.NoError(t, db.QueryRowContext(ctx, rebind(`SELECT v.id FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id
			WHERE p.name = ? AND v.number = ?`), "Orders", number).Scan(&id))
		return id
	}
	// The previous release's statements, as it runs them.
	oldPut := func(number, spec, sha string, at time.Time) {
		t.Helper()
		_, err := db.ExecContext(ctx, rebind(`INSERT INTO provider_contracts
			(version_id, specification, content_type, content, sha, self_success, self_content, self_content_type,
			 self_format, self_verifier, self_verifier_version, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (version_id) DO UPDATE SET specification = excluded.specification,
			 content_type = excluded.content_type, content = excluded.content, sha = excluded.sha,
			 self_success = excluded.self_success, self_content = excluded.self_content,
			 self_content_type = excluded.self_content_type, self_format = excluded.self_format,
			 self_verifier = excluded.self_verifier, self_verifier_version = excluded.self_verifier_version,
			 created_at = excluded.created_at`),
			versionID(number), spec, "application/yaml", []byte(sha), sha, true, nil, "", "", "", "", at.UnixNano())
		require.NoError(t, err)
	}
	oldGet := func(number string) string {
		t.Helper()
		var sha string
		require.NoError(t, db.QueryRowContext(ctx, rebind(`SELECT sha FROM provider_contracts WHERE version_id = ?`), versionID(number)).Scan(&sha))
		return sha
	}
	shas := func(number string) []string {
		t.Helper()
		cs, err := s.GetProviderContracts(ctx, "Orders", number)
		require.NoError(t, err)
		var out []string
		for _, c := range cs {
			out = append(out, c.Specification+" "+c.SHA)
		}
		return out
	}
	put := func(number, spec, sha string) {
		t.Helper()
		_, err := s.PutProviderContract(ctx, broker.ProviderContract{Provider: "Orders", Version: number, Specification: spec,
			Content: []byte(sha), SHA: sha})
		require.NoError(t, err)
	}

	// What an old replica published is read.
	oldPut("1", broker.SpecOpenAPI, "old-a", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	require.Equal(t, []string{"oas old-a"}, shas("1"))
	// A new document of the other specification joins it; the old replicas
	// read the last published one, as they did.
	put("1", broker.SpecAsyncAPI, "new-b")
	require.Equal(t, []string{"oas old-a", "asyncapi new-b"}, shas("1"))
	require.Equal(t, "new-b", oldGet("1"))
	// An old replica republishes the OpenAPI document: it replaces that
	// specification's.
	oldPut("1", broker.SpecOpenAPI, "old-c", time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	require.Equal(t, []string{"oas old-c", "asyncapi new-b"}, shas("1"))
	put("1", broker.SpecAsyncAPI, "new-d")
	require.Equal(t, []string{"oas old-c", "asyncapi new-d"}, shas("1"), "the old replica's document is kept")
	require.Equal(t, "new-d", oldGet("1"))
	put("1", broker.SpecOpenAPI, "new-e")
	require.Equal(t, []string{"oas new-e", "asyncapi new-d"}, shas("1"))

	// Upgrading a database of the previous release: its contracts are
	// the first of their versions.
	oldPut("2", broker.SpecAsyncAPI, "old-f", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	for _, q := range []string{`DELETE FROM schema_migrations WHERE name LIKE '%0012_provider_contract_specifications%'`,
		`DROP TABLE provider_contract_documents`, `DROP TABLE comparison_documents`, `DROP INDEX comparisons_contract_sha`} {
		_, err := db.ExecContext(ctx, q)
		require.NoError(t, err, q)
	}
	s = open(t)
	require.Equal(t, []string{"asyncapi old-f"}, shas("2"))
	var n int
	require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM provider_contract_documents`).Scan(&n))
	require.Equal(t, 2, n, "migration 0012 copies the previous release's contracts")
	put("2", broker.SpecOpenAPI, "new-g")
	require.Equal(t, []string{"oas new-g", "asyncapi old-f"}, shas("2"))
	require.Equal(t, []string{"oas new-e"}, shas("1"), "version 1 kept the document published last")
}
