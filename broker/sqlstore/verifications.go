package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/contracts-dev/contracts/broker"
)

const verificationSelect = `SELECT vr.number, c.name, p.name, pv.sha, v.number, vr.success, vr.build_url, vr.test_results, vr.verified_by, vr.execution_date, vr.wip
	FROM verifications vr
	JOIN pact_versions pv ON pv.id = vr.pact_version_id
	JOIN versions v ON v.id = vr.provider_version_id
	JOIN pacticipants c ON c.id = vr.consumer_id
	JOIN pacticipants p ON p.id = vr.provider_id `

func scanVerification(row scanner) (broker.Verification, error) {
	var (
		v       broker.Verification
		ok, wip int
		tr, vb  sql.NullString
		execute int64
	)
	err := row.Scan(&v.Number, &v.Consumer, &v.Provider, &v.PactSHA, &v.ProviderVersion, &ok, &v.BuildURL, &tr, &vb, &execute, &wip)
	v.Success = ok != 0
	v.WIP = wip != 0
	v.TestResults, v.VerifiedBy = rawJSON(tr), rawJSON(vb)
	v.ExecutionDate = toTime(execute)
	return v, err
}

// PublishVerification implements broker.Store.
func (s *Store) PublishVerification(ctx context.Context, in broker.VerificationInput) (broker.Verification, error) {
	var out broker.Verification
	err := s.write(ctx, func(tx *Tx) error {
		id, err := s.verifyTx(ctx, tx, in, nil)
		if err != nil {
			return err
		}
		if out, err = scanVerification(tx.QueryRowContext(ctx, verificationSelect+`WHERE vr.id = ?`, id)); err != nil {
			return err
		}
		return s.insertTriggers(ctx, tx, in.Webhooks, in.Consumer, in.ProviderVersion, in.PactSHA, out.Number)
	})
	return out, err
}

// verifyTx records a verification and maintains latest_verifications; it
// returns the new row id.
// A non-nil cache remembers look-ups for the rest of a Batch.
func (s *Store) verifyTx(ctx context.Context, tx *Tx, in broker.VerificationInput, cache *batchCache) (int64, error) {
	var (
		cid, pid, pvid, provVID int64
		err                     error
	)
	pvKey := [3]string{in.Consumer, in.Provider, in.PactSHA}
	if ids, ok := cache.pactVersion(pvKey); ok {
		cid, pid, pvid = ids[0], ids[1], ids[2]
	} else {
		if cid, pid, pvid, err = pactVersionID(ctx, tx, in.Consumer, in.Provider, in.PactSHA); err != nil {
			return 0, err
		}
		cache.setPactVersion(pvKey, [3]int64{cid, pid, pvid})
	}
	vKey := [2]string{in.Provider, in.ProviderVersion}
	if id, ok := cache.version(vKey); ok {
		provVID = id
	} else {
		if _, provVID, _, err = s.ensureVersion(ctx, tx, in.Provider, in.ProviderVersion); err != nil {
			return 0, err
		}
		cache.setVersion(vKey, provVID)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(number), 0) FROM verifications WHERE pact_version_id = ?`, pvid).Scan(&n); err != nil {
		return 0, err
	}
	id, err := s.insertID(ctx, tx, `INSERT INTO verifications (pact_version_id, number, provider_version_id, consumer_id, provider_id,
		success, build_url, test_results, verified_by, execution_date, wip) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		pvid, n+1, provVID, cid, pid, boolInt(in.Success), in.BuildURL, nullJSON(in.TestResults), nullJSON(in.VerifiedBy), s.nowNanos(), boolInt(in.WIP))
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO latest_verifications (pact_version_id, provider_version_id, verification_id) VALUES (?, ?, ?)
		ON CONFLICT (pact_version_id, provider_version_id) DO UPDATE SET verification_id = excluded.verification_id`,
		pvid, provVID, id); err != nil {
		return 0, err
	}
	return id, nil
}

// GetVerification implements broker.Store.
func (s *Store) GetVerification(ctx context.Context, consumer, provider, sha string, n int) (broker.Verification, error) {
	var out broker.Verification
	err := s.read(ctx, func(tx *Tx) error {
		_, _, pvid, err := pactVersionID(ctx, tx, consumer, provider, sha)
		if err != nil {
			return err
		}
		out, err = scanVerification(tx.QueryRowContext(ctx, verificationSelect+`WHERE vr.pact_version_id = ? AND vr.number = ?`, pvid, n))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("verification %d of pact version %q", n, sha)
		}
		return err
	})
	return out, err
}

// LatestVerification implements broker.Store.
func (s *Store) LatestVerification(ctx context.Context, consumer, provider, sha string) (broker.Verification, error) {
	var out broker.Verification
	err := s.read(ctx, func(tx *Tx) error {
		_, _, pvid, err := pactVersionID(ctx, tx, consumer, provider, sha)
		if err != nil {
			return err
		}
		out, err = scanVerification(tx.QueryRowContext(ctx, verificationSelect+`WHERE vr.pact_version_id = ? ORDER BY vr.number DESC LIMIT 1`, pvid))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("verification of pact version %q", sha)
		}
		return err
	})
	return out, err
}

// ListVerifications implements broker.Store.
func (s *Store) ListVerifications(ctx context.Context, consumer, provider, sha string, page broker.Page) ([]broker.Verification, error) {
	limit, offset := pageBounds(page)
	var out []broker.Verification
	err := s.read(ctx, func(tx *Tx) error {
		_, _, pvid, err := pactVersionID(ctx, tx, consumer, provider, sha)
		if err != nil {
			return err
		}
		out, err = queryAll(ctx, tx, scanVerification, verificationSelect+`WHERE vr.pact_version_id = ? ORDER BY vr.number DESC LIMIT ? OFFSET ?`, pvid, limit, offset)
		return err
	})
	return out, err
}
