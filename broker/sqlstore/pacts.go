package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/contracts-dev/contracts/broker"
)

// pactCols reads a publication joined as l (latest_pact_publications or
// pact_publications), pp (publication), pv (content), v, c, pr.
func (s *Store) pactColsNoContent() string {
	return `c.name, pr.name, v.number, pv.sha, pp.revision, ` + s.d.NullBlob + `, pp.created_at, pv.created_at, v.id`
}

const pactCols = `c.name, pr.name, v.number, pv.sha, pp.revision, pv.content, pp.created_at, pv.created_at, v.id`

const latestPactFrom = ` FROM latest_pact_publications l
	JOIN pact_publications pp ON pp.id = l.publication_id
	JOIN pact_versions pv ON pv.id = l.pact_version_id
	JOIN versions v ON v.id = l.consumer_version_id
	JOIN pacticipants c ON c.id = l.consumer_id
	JOIN pacticipants pr ON pr.id = l.provider_id `

func scanPact(row scanner) (broker.Pact, int64, error) {
	var (
		p       broker.Pact
		content []byte
		cr, pcr int64
		vid     int64
	)
	err := row.Scan(&p.Consumer, &p.Provider, &p.ConsumerVersion, &p.SHA, &p.Revision, &content, &cr, &pcr, &vid)
	if len(content) > 0 {
		p.Content = content
	}
	p.CreatedAt, p.ContentCreatedAt = toTime(cr), toTime(pcr)
	return p, vid, err
}

// PublishContracts implements broker.Store.
func (s *Store) PublishContracts(ctx context.Context, w broker.PublishWrite) (broker.PublishResult, error) {
	var res broker.PublishResult
	err := s.write(ctx, func(tx *Tx) error {
		var err error
		res, err = s.publishTx(ctx, tx, w)
		return err
	})
	if err != nil {
		return broker.PublishResult{}, err
	}
	return res, nil
}

func (s *Store) publishTx(ctx context.Context, tx *Tx, req broker.PublishWrite) (broker.PublishResult, error) {
	var res broker.PublishResult
	pid, vid, created, err := s.ensureVersion(ctx, tx, req.Pacticipant, req.Version)
	if err != nil {
		return res, err
	}
	res.VersionCreated = created
	if req.BuildURL != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE versions SET build_url = ?, updated_at = ? WHERE id = ?`, req.BuildURL, s.nowNanos(), vid); err != nil {
			return res, err
		}
	}
	if req.Branch.Name != "" {
		if _, err := s.addBranchVersion(ctx, tx, pid, vid, req.Branch); err != nil {
			return res, err
		}
	}
	for _, t := range req.Tags {
		if _, err := s.addTag(ctx, tx, pid, vid, t); err != nil {
			return res, err
		}
	}
	for _, pw := range req.Pacts {
		pc, err := s.publishOne(ctx, tx, pid, vid, pw)
		if err != nil {
			return res, err
		}
		res.Contracts = append(res.Contracts, pc)
		ts, err := pactTriggers(ctx, tx, pid, vid, pw.Provider, pc, req.Webhooks)
		if err != nil {
			return res, err
		}
		if err := s.insertTriggers(ctx, tx, ts, req.Pacticipant, "", pc.Pact.SHA, 0); err != nil {
			return res, err
		}
	}
	if _, res.Pacticipant, err = getPacticipant(ctx, tx, req.Pacticipant); err != nil {
		return res, err
	}
	if res.Version, err = loadVersion(ctx, tx, vid); err != nil {
		return res, err
	}
	for _, t := range res.Version.Tags {
		tag, err := getTag(ctx, tx, req.Pacticipant, req.Version, t)
		if err != nil {
			return res, err
		}
		res.Tags = append(res.Tags, tag)
	}
	return res, nil
}

func (s *Store) publishOne(ctx context.Context, tx *Tx, cid, vid int64, pw broker.PactWrite) (broker.PublishedContract, error) {
	var out broker.PublishedContract
	prid, _, err := s.ensurePacticipant(ctx, tx, pw.Provider)
	if err != nil {
		return out, err
	}
	var (
		curRev int
		curSHA string
	)
	err = tx.QueryRowContext(ctx, `SELECT pp.revision, pv.sha FROM latest_pact_publications l
		JOIN pact_publications pp ON pp.id = l.publication_id JOIN pact_versions pv ON pv.id = l.pact_version_id
		WHERE l.consumer_version_id = ? AND l.provider_id = ?`, vid, prid).Scan(&curRev, &curSHA)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return out, err
	}
	content, sha := []byte(pw.Content), pw.SHA
	outcome := broker.PublishCreated
	switch {
	case curSHA == sha:
		outcome = broker.PublishUnchanged
	case curSHA != pw.Replaces:
		return out, fmt.Errorf("pact with %q has sha %q, the publication was decided on %q: %w", pw.Provider, curSHA, pw.Replaces, broker.ErrStale)
	case curSHA != "":
		outcome = broker.PublishOverwritten
	}
	now := s.nowNanos()
	if outcome != broker.PublishUnchanged {
		var pvid int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM pact_versions WHERE consumer_id = ? AND provider_id = ? AND sha = ?`, cid, prid, sha).Scan(&pvid)
		if errors.Is(err, sql.ErrNoRows) {
			if pvid, err = s.insertID(ctx, tx, `INSERT INTO pact_versions (consumer_id, provider_id, sha, content, created_at) VALUES (?, ?, ?, ?, ?)`,
				cid, prid, sha, content, now); err != nil {
				return out, err
			}
			out.NewContent = true
		} else if err != nil {
			return out, err
		}
		pubID, err := s.insertID(ctx, tx, `INSERT INTO pact_publications (consumer_version_id, consumer_id, provider_id, revision, pact_version_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, vid, cid, prid, curRev+1, pvid, now)
		if err != nil {
			return out, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO latest_pact_publications
			(consumer_version_id, provider_id, consumer_id, publication_id, pact_version_id, created_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (consumer_version_id, provider_id) DO UPDATE SET consumer_id = excluded.consumer_id,
			publication_id = excluded.publication_id, pact_version_id = excluded.pact_version_id, created_at = excluded.created_at`,
			vid, prid, cid, pubID, pvid, now); err != nil {
			return out, err
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO integrations (consumer_id, provider_id, created_at, latest_pact_created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (consumer_id, provider_id) DO NOTHING`, cid, prid, now, now)
		if err != nil {
			return out, err
		}
		if n, _ := r.RowsAffected(); n > 0 {
			out.NewIntegration = true
		} else if _, err := tx.ExecContext(ctx, `UPDATE integrations SET latest_pact_created_at = ? WHERE consumer_id = ? AND provider_id = ?`, now, cid, prid); err != nil {
			return out, err
		}
	}
	out.Outcome = outcome
	p, _, err := scanPact(tx.QueryRowContext(ctx, `SELECT `+pactCols+latestPactFrom+`WHERE l.consumer_version_id = ? AND l.provider_id = ?`, vid, prid))
	out.Pact = p
	return out, err
}

func integrationIDs(ctx context.Context, tx *Tx, consumer, provider string) (cid, pid int64, err error) {
	if cid, err = pacticipantID(ctx, tx, consumer); err != nil {
		return 0, 0, err
	}
	pid, err = pacticipantID(ctx, tx, provider)
	return cid, pid, err
}

// GetPact implements broker.Store.
func (s *Store) GetPact(ctx context.Context, consumer, provider, consumerVersion string) (broker.Pact, error) {
	var out broker.Pact
	err := s.read(ctx, func(tx *Tx) error {
		cid, pid, err := integrationIDs(ctx, tx, consumer, provider)
		if err != nil {
			return err
		}
		vid, err := versionID(ctx, tx, cid, consumer, consumerVersion)
		if err != nil {
			return err
		}
		out, _, err = scanPact(tx.QueryRowContext(ctx, `SELECT `+pactCols+latestPactFrom+`WHERE l.consumer_version_id = ? AND l.provider_id = ?`, vid, pid))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("pact between %q version %q and %q", consumer, consumerVersion, provider)
		}
		return err
	})
	return out, err
}

func pactVersionID(ctx context.Context, tx *Tx, consumer, provider, sha string) (cid, pid, pvid int64, err error) {
	if cid, pid, err = integrationIDs(ctx, tx, consumer, provider); err != nil {
		return 0, 0, 0, err
	}
	err = tx.QueryRowContext(ctx, `SELECT id FROM pact_versions WHERE consumer_id = ? AND provider_id = ? AND sha = ?`, cid, pid, sha).Scan(&pvid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, 0, notFound("pact version %q between %q and %q", sha, consumer, provider)
	}
	return cid, pid, pvid, err
}

// GetPactBySHA implements broker.Store.
func (s *Store) GetPactBySHA(ctx context.Context, consumer, provider, sha string) (broker.Pact, error) {
	var out broker.Pact
	err := s.read(ctx, func(tx *Tx) error {
		_, _, pvid, err := pactVersionID(ctx, tx, consumer, provider, sha)
		if err != nil {
			return err
		}
		out, _, err = scanPact(tx.QueryRowContext(ctx, `SELECT `+pactCols+latestPactFrom+`WHERE l.pact_version_id = ? ORDER BY l.consumer_version_id DESC LIMIT 1`, pvid))
		if errors.Is(err, sql.ErrNoRows) {
			// Overwritten by a later revision: the newest publication of it.
			out, _, err = scanPact(tx.QueryRowContext(ctx, `SELECT `+pactCols+` FROM pact_publications pp
				JOIN pact_versions pv ON pv.id = pp.pact_version_id
				JOIN versions v ON v.id = pp.consumer_version_id
				JOIN pacticipants c ON c.id = pp.consumer_id
				JOIN pacticipants pr ON pr.id = pp.provider_id
				WHERE pp.pact_version_id = ? ORDER BY pp.id DESC LIMIT 1`, pvid))
		}
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("publication of pact version %q between %q and %q", sha, consumer, provider)
		}
		return err
	})
	return out, err
}

// latestPactQuery returns the query and args for the latest publication of
// consumer cid for provider pid whose consumer version matches f.
func (s *Store) latestPactQuery(cols string, cid, pid int64, f broker.PactFilter) (string, []any) {
	// With HeadBySubquery the branch and tag cases find the version in a
	// subquery ordered by version id with LIMIT 1: PostgreSQL then walks
	// the branch's (tag's) versions backwards and stops at the first with a
	// pact, where the joined form read and sorted every version of the
	// branch.
	switch {
	case s.d.HeadBySubquery && f.Branch != "":
		return `SELECT ` + cols + latestPactFrom + `WHERE l.provider_id = ? AND l.consumer_version_id = (
			SELECT bv.version_id FROM branch_versions bv
			JOIN latest_pact_publications l2 ON l2.consumer_version_id = bv.version_id AND l2.provider_id = ?
			WHERE bv.branch_id = (SELECT id FROM branches WHERE pacticipant_id = ? AND name = ?)
			ORDER BY bv.version_id DESC LIMIT 1)`, []any{pid, pid, cid, f.Branch}
	case s.d.HeadBySubquery && f.Tag != "":
		return `SELECT ` + cols + latestPactFrom + `WHERE l.provider_id = ? AND l.consumer_version_id = (
			SELECT t.version_id FROM tags t
			JOIN latest_pact_publications l2 ON l2.consumer_version_id = t.version_id AND l2.provider_id = ?
			WHERE t.pacticipant_id = ? AND t.name = ?
			ORDER BY t.version_id DESC LIMIT 1)`, []any{pid, pid, cid, f.Tag}
	case f.Branch != "":
		// The branch id comes from a subquery: joining branches with the
		// name bound made SQLite recompile the statement on every run
		// (sqlite3Reprepare from sqlite3_step), doubling its cost.
		return `SELECT ` + cols + latestPactFrom + `JOIN branch_versions bv ON bv.version_id = l.consumer_version_id
			WHERE bv.branch_id = (SELECT id FROM branches WHERE pacticipant_id = ? AND name = ?)
			AND l.provider_id = ? ORDER BY bv.version_id DESC LIMIT 1`, []any{cid, f.Branch, pid}
	case f.Tag != "":
		return `SELECT ` + cols + latestPactFrom + `JOIN tags t ON t.version_id = l.consumer_version_id
			WHERE t.pacticipant_id = ? AND t.name = ? AND l.provider_id = ? ORDER BY t.version_id DESC LIMIT 1`, []any{cid, f.Tag, pid}
	default:
		return `SELECT ` + cols + latestPactFrom + `WHERE l.provider_id = ? AND l.consumer_id = ? ORDER BY l.consumer_version_id DESC LIMIT 1`, []any{pid, cid}
	}
}

// LatestPact implements broker.Store.
func (s *Store) LatestPact(ctx context.Context, consumer, provider string, f broker.PactFilter) (broker.Pact, error) {
	var out broker.Pact
	err := s.read(ctx, func(tx *Tx) error {
		cid, pid, err := integrationIDs(ctx, tx, consumer, provider)
		if err != nil {
			return err
		}
		q, args := s.latestPactQuery(pactCols, cid, pid, f)
		out, _, err = scanPact(tx.QueryRowContext(ctx, q, args...))
		if errors.Is(err, sql.ErrNoRows) {
			switch {
			case f.Branch != "":
				return notFound("latest pact between %q and %q on branch %q", consumer, provider, f.Branch)
			case f.Tag != "":
				return notFound("latest pact between %q and %q with tag %q", consumer, provider, f.Tag)
			}
			return notFound("latest pact between %q and %q", consumer, provider)
		}
		return err
	})
	return out, err
}

type idPair struct{ consumer, provider int64 }

func integrationPairs(ctx context.Context, tx *Tx, providerID int64) ([]idPair, error) {
	q := `SELECT i.consumer_id, i.provider_id FROM integrations i JOIN pacticipants c ON c.id = i.consumer_id JOIN pacticipants p ON p.id = i.provider_id`
	var args []any
	if providerID != 0 {
		q += ` WHERE i.provider_id = ?`
		args = append(args, providerID)
	}
	return queryAll(ctx, tx, func(r scanner) (idPair, error) {
		var p idPair
		err := r.Scan(&p.consumer, &p.provider)
		return p, err
	}, q+` ORDER BY c.name, p.name`, args...)
}

// ListLatestPacts implements broker.Store.
func (s *Store) ListLatestPacts(ctx context.Context, provider string, f broker.PactFilter) ([]broker.Pact, error) {
	var out []broker.Pact
	err := s.read(ctx, func(tx *Tx) error {
		var pid int64
		if provider != "" {
			var err error
			if pid, err = pacticipantID(ctx, tx, provider); err != nil {
				return err
			}
		}
		pairs, err := integrationPairs(ctx, tx, pid)
		if err != nil {
			return err
		}
		for _, pr := range pairs {
			q, args := s.latestPactQuery(pactCols, pr.consumer, pr.provider, f)
			p, _, err := scanPact(tx.QueryRowContext(ctx, q, args...))
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// ListPactVersions implements broker.Store.
func (s *Store) ListPactVersions(ctx context.Context, consumer, provider string, page broker.Page) ([]broker.Pact, error) {
	limit, offset := pageBounds(page)
	var out []broker.Pact
	err := s.read(ctx, func(tx *Tx) error {
		cid, pid, err := integrationIDs(ctx, tx, consumer, provider)
		if err != nil {
			return err
		}
		out, err = queryAll(ctx, tx, func(r scanner) (broker.Pact, error) {
			p, _, err := scanPact(r)
			return p, err
		}, `SELECT `+s.pactColsNoContent()+latestPactFrom+`WHERE l.provider_id = ? AND l.consumer_id = ?
			ORDER BY l.consumer_version_id DESC LIMIT ? OFFSET ?`, pid, cid, limit, offset)
		return err
	})
	return out, err
}

// DeletePact implements broker.Store.
func (s *Store) DeletePact(ctx context.Context, consumer, provider, consumerVersion string) error {
	return s.erase(ctx, func(tx *Tx) error {
		cid, pid, err := integrationIDs(ctx, tx, consumer, provider)
		if err != nil {
			return err
		}
		vid, err := versionID(ctx, tx, cid, consumer, consumerVersion)
		if err != nil {
			return err
		}
		if err := execOne(ctx, tx, notFound("pact between %q version %q and %q", consumer, consumerVersion, provider),
			`DELETE FROM pact_publications WHERE consumer_version_id = ? AND provider_id = ?`, vid, pid); err != nil {
			return err
		}
		var one int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM latest_pact_publications WHERE provider_id = ? AND consumer_id = ? LIMIT 1`, pid, cid).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			_, err = tx.ExecContext(ctx, `DELETE FROM integrations WHERE consumer_id = ? AND provider_id = ?`, cid, pid)
		}
		return err
	})
}

// scanIntegration reads consumer and provider names, created_at and
// latest_pact_created_at of an integration.
func scanIntegration(r scanner) (broker.Integration, error) {
	var (
		i       broker.Integration
		cr, lpc int64
	)
	err := r.Scan(&i.Consumer, &i.Provider, &cr, &lpc)
	i.CreatedAt, i.LatestPactCreatedAt = toTime(cr), toTime(lpc)
	return i, err
}

// ListIntegrations implements broker.Store.
func (s *Store) ListIntegrations(ctx context.Context, page broker.Page) ([]broker.Integration, error) {
	limit, offset := pageBounds(page)
	var out []broker.Integration
	err := s.read(ctx, func(tx *Tx) error {
		var err error
		out, err = queryAll(ctx, tx, scanIntegration, `SELECT c.name, p.name, i.created_at, i.latest_pact_created_at FROM integrations i
			JOIN pacticipants c ON c.id = i.consumer_id JOIN pacticipants p ON p.id = i.provider_id
			ORDER BY c.name, p.name LIMIT ? OFFSET ?`, limit, offset)
		return err
	})
	return out, err
}

// DeleteIntegration implements broker.Store.
func (s *Store) DeleteIntegration(ctx context.Context, consumer, provider string) error {
	return s.erase(ctx, func(tx *Tx) error {
		cid, pid, err := integrationIDs(ctx, tx, consumer, provider)
		if err != nil {
			return err
		}
		if err := execOne(ctx, tx, notFound("integration between %q and %q", consumer, provider),
			`DELETE FROM integrations WHERE consumer_id = ? AND provider_id = ?`, cid, pid); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM pact_versions WHERE consumer_id = ? AND provider_id = ?`, cid, pid)
		return err
	})
}
