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
		if _, err := tx.ExecContext(ctx, `INSERT INTO provider_contracts
			(version_id, specification, content_type, content, sha, self_success, self_content, self_content_type,
			 self_format, self_verifier, self_verifier_version, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (version_id) DO UPDATE SET specification = excluded.specification,
			 content_type = excluded.content_type, content = excluded.content, sha = excluded.sha,
			 self_success = excluded.self_success, self_content = excluded.self_content,
			 self_content_type = excluded.self_content_type, self_format = excluded.self_format,
			 self_verifier = excluded.self_verifier, self_verifier_version = excluded.self_verifier_version,
			 created_at = excluded.created_at`,
			vid, c.Specification, c.ContentType, c.Content, c.SHA, success, c.Self.Content, c.Self.ContentType,
			c.Self.Format, c.Self.Verifier, c.Self.VerifierVersion, s.nowNanos()); err != nil {
			return err
		}
		out, err = loadProviderContract(ctx, tx, c.Provider, c.Version, vid)
		return err
	})
	return out, err
}

// GetProviderContract implements broker.Store.
func (s *Store) GetProviderContract(ctx context.Context, provider, version string) (broker.ProviderContract, error) {
	var out broker.ProviderContract
	err := s.read(ctx, func(tx *Tx) error {
		_, vid, err := lookupVersion(ctx, tx, provider, version)
		if err != nil {
			return err
		}
		out, err = loadProviderContract(ctx, tx, provider, version, vid)
		return err
	})
	return out, err
}

func loadProviderContract(ctx context.Context, tx *Tx, provider, version string, vid int64) (broker.ProviderContract, error) {
	c := broker.ProviderContract{Provider: provider, Version: version}
	var (
		success sql.NullBool
		created int64
	)
	err := tx.QueryRowContext(ctx, `SELECT specification, content_type, content, sha, self_success, self_content,
		self_content_type, self_format, self_verifier, self_verifier_version, created_at
		FROM provider_contracts WHERE version_id = ?`, vid).Scan(&c.Specification, &c.ContentType, &c.Content, &c.SHA,
		&success, &c.Self.Content, &c.Self.ContentType, &c.Self.Format, &c.Self.Verifier, &c.Self.VerifierVersion, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("%w: %s version %s has no provider contract", broker.ErrNotFound, provider, version)
	}
	if err != nil {
		return c, err
	}
	if success.Valid {
		v := success.Bool
		c.Self.Success = &v
	}
	c.CreatedAt = toTime(created)
	return c, nil
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
		var err error
		out, err = loadComparison(ctx, tx, c.PactSHA, c.ContractSHA)
		return err
	})
	return out, err
}

// GetComparison implements broker.Store.
func (s *Store) GetComparison(ctx context.Context, pactSHA, contractSHA string) (broker.Comparison, error) {
	var out broker.Comparison
	err := s.read(ctx, func(tx *Tx) error {
		var err error
		out, err = loadComparison(ctx, tx, pactSHA, contractSHA)
		return err
	})
	return out, err
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
// leave no copy behind.
func purgeComparisons(ctx context.Context, tx *Tx) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM comparisons
		WHERE NOT EXISTS (SELECT 1 FROM pact_versions pv WHERE pv.sha = comparisons.pact_sha)
		   OR NOT EXISTS (SELECT 1 FROM provider_contracts pc WHERE pc.sha = comparisons.contract_sha)`)
	if err != nil {
		return fmt.Errorf("delete the comparisons of deleted pacts and contracts: %w", err)
	}
	return nil
}
