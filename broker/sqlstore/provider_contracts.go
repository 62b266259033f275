package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/contracts-dev/contracts/broker"
)

// PutProviderContract implements broker.Store.
func (s *Store) PutProviderContract(ctx context.Context, c broker.ProviderContract) (broker.ProviderContract, error) {
	var out broker.ProviderContract
	err := s.write(ctx, func(tx *Tx) error {
		_, vid, err := lookupVersion(ctx, tx, c.Provider, c.Version)
		if err != nil {
			return err
		}
		var success sql.NullBool
		if c.Self.Success != nil {
			success = sql.NullBool{Bool: *c.Self.Success, Valid: true}
		}
		// A provider_contracts row that a replica of the previous release
		// wrote (newer than the row of its specification here) is adopted
		// first: the upsert below replaces it.
		if _, err := tx.ExecContext(ctx, `INSERT INTO provider_contract_documents (`+providerContractColumns+`, version_id)
			SELECT `+providerContractColumns+`, version_id FROM provider_contracts p WHERE p.version_id = ?
			ON CONFLICT (version_id, specification) DO UPDATE SET`+providerContractUpdate+`
			WHERE excluded.created_at > provider_contract_documents.created_at`, vid); err != nil {
			return err
		}
		now := s.nowNanos()
		// One row per specification; provider_contracts keeps the version's
		// last published document for replicas of the previous release
		// (migration 0012), with the same created_at.
		for _, q := range []string{`INSERT INTO provider_contract_documents
			(version_id, specification, content_type, content, sha, self_success, self_content, self_content_type,
			 self_format, self_verifier, self_verifier_version, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (version_id, specification) DO UPDATE SET`, `INSERT INTO provider_contracts
			(version_id, specification, content_type, content, sha, self_success, self_content, self_content_type,
			 self_format, self_verifier, self_verifier_version, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (version_id) DO UPDATE SET specification = excluded.specification,`} {
			if _, err := tx.ExecContext(ctx, q+providerContractUpdate,
				vid, c.Specification, c.ContentType, c.Content, c.SHA, success, c.Self.Content, c.Self.ContentType,
				c.Self.Format, c.Self.Verifier, c.Self.VerifierVersion, now); err != nil {
				return err
			}
		}
		all, err := loadProviderContracts(ctx, tx, c.Provider, c.Version, vid)
		if err != nil {
			return err
		}
		for _, got := range all {
			if got.Specification == c.Specification {
				out = got
			}
		}
		return nil
	})
	return out, err
}

// GetProviderContracts implements broker.Store.
func (s *Store) GetProviderContracts(ctx context.Context, provider, version string) ([]broker.ProviderContract, error) {
	var out []broker.ProviderContract
	err := s.read(ctx, func(tx *Tx) error {
		_, vid, err := lookupVersion(ctx, tx, provider, version)
		if err != nil {
			return err
		}
		out, err = loadProviderContracts(ctx, tx, provider, version, vid)
		return err
	})
	return out, err
}

// providerContractColumns are the columns of provider_contracts and
// provider_contract_documents that loadProviderContracts reads.
const providerContractColumns = `specification, content_type, content, sha, self_success, self_content,
	self_content_type, self_format, self_verifier, self_verifier_version, created_at`

// providerContractUpdate sets a contract row's columns (but its version
// and specification) from the row an upsert inserts.
const providerContractUpdate = `
	 content_type = excluded.content_type, content = excluded.content, sha = excluded.sha,
	 self_success = excluded.self_success, self_content = excluded.self_content,
	 self_content_type = excluded.self_content_type, self_format = excluded.self_format,
	 self_verifier = excluded.self_verifier, self_verifier_version = excluded.self_verifier_version,
	 created_at = excluded.created_at`

// loadProviderContracts reads a version's contracts, OpenAPI first: the rows
// of provider_contract_documents, and the version's provider_contracts row
// where a replica of the previous release wrote it after the row of its
// specification (or the specification has none).
func loadProviderContracts(ctx context.Context, tx *Tx, provider, version string, vid int64) ([]broker.ProviderContract, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+providerContractColumns+` FROM provider_contract_documents d
		WHERE d.version_id = ? AND NOT EXISTS (SELECT 1 FROM provider_contracts p
			WHERE p.version_id = d.version_id AND p.specification = d.specification AND p.created_at > d.created_at)
		UNION ALL
		SELECT `+providerContractColumns+` FROM provider_contracts p
		WHERE p.version_id = ? AND NOT EXISTS (SELECT 1 FROM provider_contract_documents d
			WHERE d.version_id = p.version_id AND d.specification = p.specification AND d.created_at >= p.created_at)
		ORDER BY 1 DESC`, vid, vid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []broker.ProviderContract
	for rows.Next() {
		c := broker.ProviderContract{Provider: provider, Version: version}
		var (
			success sql.NullBool
			created int64
		)
		if err := rows.Scan(&c.Specification, &c.ContentType, &c.Content, &c.SHA, &success, &c.Self.Content,
			&c.Self.ContentType, &c.Self.Format, &c.Self.Verifier, &c.Self.VerifierVersion, &created); err != nil {
			return nil, err
		}
		if success.Valid {
			v := success.Bool
			c.Self.Success = &v
		}
		c.CreatedAt = toTime(created)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: %s version %s has no provider contract", broker.ErrNotFound, provider, version)
	}
	return out, nil
}

// PutComparison implements broker.Store.
func (s *Store) PutComparison(ctx context.Context, c broker.Comparison) (broker.Comparison, error) {
	var out broker.Comparison
	err := s.write(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO comparisons (pact_sha, contract_sha, success, results, created_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (pact_sha, contract_sha) DO NOTHING`,
			c.PactSHA, c.ContractSHA, c.Success, string(c.Results), s.nowNanos()); err != nil {
			return err
		}
		for _, d := range c.DocumentSHAs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO comparison_documents (contract_sha, document_sha) VALUES (?, ?)
				ON CONFLICT (contract_sha, document_sha) DO NOTHING`, c.ContractSHA, d); err != nil {
				return err
			}
		}
		var err error
		out, err = loadComparison(ctx, tx, c.PactSHA, c.ContractSHA)
		return err
	})
	return out, err
}

// GetComparison implements broker.Store.
func (s *Store) GetComparison(ctx context.Context, pactSHA, contractSHA string) (broker.Comparison, error) {
	return readOne(ctx, s, func(tx *Tx) (broker.Comparison, error) { return loadComparison(ctx, tx, pactSHA, contractSHA) })
}

func loadComparison(ctx context.Context, tx *Tx, pactSHA, contractSHA string) (broker.Comparison, error) {
	c := broker.Comparison{PactSHA: pactSHA, ContractSHA: contractSHA}
	var (
		results string
		created int64
	)
	err := tx.QueryRowContext(ctx, `SELECT success, results, created_at FROM comparisons WHERE pact_sha = ? AND contract_sha = ?`,
		pactSHA, contractSHA).Scan(&c.Success, &results, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("%w: no comparison of pact %s with contract %s", broker.ErrNotFound, pactSHA, contractSHA)
	}
	if err != nil {
		return c, err
	}
	c.Results = []byte(results)
	c.CreatedAt = toTime(created)
	return c, nil
}

// purgeComparisons deletes the comparisons whose pact content or provider
// contract is gone: their results quote the pact, and deleted data must
// leave no copy behind. A comparison with several documents
// (comparison_documents) goes when one of them is gone.
func purgeComparisons(ctx context.Context, tx *Tx) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM comparisons
		WHERE NOT EXISTS (SELECT 1 FROM pact_versions pv WHERE pv.sha = comparisons.pact_sha)
		   OR (NOT EXISTS (SELECT 1 FROM comparison_documents m WHERE m.contract_sha = comparisons.contract_sha)
		       AND NOT EXISTS (SELECT 1 FROM provider_contracts pc WHERE pc.sha = comparisons.contract_sha))
		   OR EXISTS (SELECT 1 FROM comparison_documents m WHERE m.contract_sha = comparisons.contract_sha
		       AND NOT EXISTS (SELECT 1 FROM provider_contract_documents d WHERE d.sha = m.document_sha)
		       AND NOT EXISTS (SELECT 1 FROM provider_contracts pc WHERE pc.sha = m.document_sha))`)
	if err != nil {
		return fmt.Errorf("delete the comparisons of deleted pacts and contracts: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM comparison_documents
		WHERE NOT EXISTS (SELECT 1 FROM comparisons c WHERE c.contract_sha = comparison_documents.contract_sha)`); err != nil {
		return fmt.Errorf("delete the documents of deleted comparisons: %w", err)
	}
	return nil
}
