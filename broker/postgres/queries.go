package postgres

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/contracts-dev/contracts/broker"
)

// ResolveVersions implements broker.Queries.
func (s *Store) ResolveVersions(ctx context.Context, sel broker.MatrixSelector) ([]broker.VersionRef, error) {
	var out []broker.VersionRef
	err := s.read(ctx, func(tx *txn) error {
		ids, err := resolveVersionIDs(ctx, tx, sel)
		if err != nil {
			return err
		}
		for _, id := range ids {
			var n string
			if err := tx.QueryRowContext(ctx, `SELECT number FROM versions WHERE id = ?`, id).Scan(&n); err != nil {
				return err
			}
			out = append(out, broker.VersionRef{Pacticipant: sel.Pacticipant, Number: n})
		}
		return nil
	})
	return out, err
}

func idList(ctx context.Context, tx *txn, query string, args ...any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id sql.NullInt64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		if id.Valid {
			out = append(out, id.Int64)
		}
	}
	return out, rows.Err()
}

// resolveVersionIDs returns the version ids a selector picks, newest first.
func resolveVersionIDs(ctx context.Context, tx *txn, sel broker.MatrixSelector) ([]int64, error) {
	pid, err := pacticipantID(ctx, tx, sel.Pacticipant)
	if err != nil {
		return nil, err
	}
	switch {
	case sel.Version != "":
		return idList(ctx, tx, `SELECT id FROM versions WHERE pacticipant_id = ? AND number = ?`, pid, sel.Version)
	case sel.Environment != "":
		eid, _, err := environmentByName(ctx, tx, sel.Environment)
		if err != nil {
			return nil, err
		}
		return idList(ctx, tx, `SELECT version_id FROM deployed_versions WHERE environment_id = ? AND pacticipant_id = ? AND currently_deployed = 1
			UNION SELECT version_id FROM released_versions WHERE environment_id = ? AND pacticipant_id = ? AND currently_supported = 1
			ORDER BY 1 DESC`, eid, pid, eid, pid)
	case sel.MainBranch:
		var main string
		if err := tx.QueryRowContext(ctx, `SELECT main_branch FROM pacticipants WHERE id = ?`, pid).Scan(&main); err != nil {
			return nil, err
		}
		if main == "" {
			return nil, nil
		}
		return idList(ctx, tx, `SELECT h.version_id FROM branches b JOIN branch_heads h ON h.branch_id = b.id WHERE b.pacticipant_id = ? AND b.name = ?`, pid, main)
	case sel.Branch != "" && sel.Latest:
		return idList(ctx, tx, `SELECT h.version_id FROM branches b JOIN branch_heads h ON h.branch_id = b.id WHERE b.pacticipant_id = ? AND b.name = ?`, pid, sel.Branch)
	case sel.Branch != "":
		return idList(ctx, tx, `SELECT bv.version_id FROM branches b JOIN branch_versions bv ON bv.branch_id = b.id
			WHERE b.pacticipant_id = ? AND b.name = ? ORDER BY bv.version_id DESC`, pid, sel.Branch)
	case sel.Tag != "" && sel.Latest:
		return idList(ctx, tx, `SELECT max(version_id) FROM tags WHERE pacticipant_id = ? AND name = ?`, pid, sel.Tag)
	case sel.Tag != "":
		return idList(ctx, tx, `SELECT version_id FROM tags WHERE pacticipant_id = ? AND name = ? ORDER BY version_id DESC`, pid, sel.Tag)
	case sel.Latest:
		return idList(ctx, tx, `SELECT max(id) FROM versions WHERE pacticipant_id = ?`, pid)
	default:
		return idList(ctx, tx, `SELECT id FROM versions WHERE pacticipant_id = ? ORDER BY id DESC`, pid)
	}
}

type rowBuilder struct {
	ctx      context.Context
	tx       *txn
	versions map[int64]*broker.MatrixVersion
	names    map[int64]string
}

func (b *rowBuilder) version(id int64) (*broker.MatrixVersion, error) {
	if v, ok := b.versions[id]; ok {
		return v, nil
	}
	v := &broker.MatrixVersion{Order: id}
	var cr int64
	if err := b.tx.QueryRowContext(b.ctx, `SELECT number, created_at FROM versions WHERE id = ?`, id).Scan(&v.Number, &cr); err != nil {
		return nil, err
	}
	v.CreatedAt = toTime(cr)
	var err error
	if v.Branches, err = versionBranches(b.ctx, b.tx, id); err != nil {
		return nil, err
	}
	if v.Tags, err = versionTags(b.ctx, b.tx, id); err != nil {
		return nil, err
	}
	if v.Environments, err = stringList(b.ctx, b.tx, `SELECT e.name FROM deployed_versions d JOIN environments e ON e.id = d.environment_id
		WHERE d.version_id = ? AND d.currently_deployed = 1
		UNION SELECT e.name FROM released_versions r JOIN environments e ON e.id = r.environment_id
		WHERE r.version_id = ? AND r.currently_supported = 1 ORDER BY 1`, id, id); err != nil {
		return nil, err
	}
	b.versions[id] = v
	return v, nil
}

func (b *rowBuilder) name(pid int64) (string, error) {
	if n, ok := b.names[pid]; ok {
		return n, nil
	}
	var n string
	if err := b.tx.QueryRowContext(b.ctx, `SELECT name FROM pacticipants WHERE id = ?`, pid).Scan(&n); err != nil {
		return "", err
	}
	b.names[pid] = n
	return n, nil
}

// row builds a matrix row for publication pubID and verification verID
// (0: unverified, then provVID names the provider version in scope, if any).
func (b *rowBuilder) row(pubID, verID, provVID int64) (broker.MatrixRow, error) {
	var (
		r             broker.MatrixRow
		cvid, cid, pr int64
		cr            int64
	)
	err := b.tx.QueryRowContext(b.ctx, `SELECT pp.consumer_version_id, pp.consumer_id, pp.provider_id, pv.sha, pp.revision, pp.created_at
		FROM pact_publications pp JOIN pact_versions pv ON pv.id = pp.pact_version_id WHERE pp.id = ?`, pubID).
		Scan(&cvid, &cid, &pr, &r.PactSHA, &r.PactRevision, &cr)
	if err != nil {
		return r, err
	}
	r.PactCreatedAt = toTime(cr)
	if r.Consumer, err = b.name(cid); err != nil {
		return r, err
	}
	if r.Provider, err = b.name(pr); err != nil {
		return r, err
	}
	cv, err := b.version(cvid)
	if err != nil {
		return r, err
	}
	r.ConsumerVersion = *cv
	if verID != 0 {
		v, err := scanVerification(b.tx.QueryRowContext(b.ctx, verificationSelect+`WHERE vr.id = ?`, verID))
		if err != nil {
			return r, err
		}
		r.Verification = &v
		var pvid int64
		if err := b.tx.QueryRowContext(b.ctx, `SELECT provider_version_id FROM verifications WHERE id = ?`, verID).Scan(&pvid); err != nil {
			return r, err
		}
		pv, err := b.version(pvid)
		if err != nil {
			return r, err
		}
		cp := *pv
		r.ProviderVersion = &cp
	} else if provVID != 0 {
		pv, err := b.version(provVID)
		if err != nil {
			return r, err
		}
		cp := *pv
		r.ProviderVersion = &cp
	}
	return r, nil
}

// pubVer is a matrix row to build: a publication, the verification (0:
// none) and the provider version in scope (0: none).
type pubVer struct{ pub, ver, provVersion int64 }

// MatrixRows implements broker.Queries.
func (s *Store) MatrixRows(ctx context.Context, q broker.MatrixRowQuery) ([]broker.MatrixRow, error) {
	var out []broker.MatrixRow
	err := s.read(ctx, func(tx *txn) error {
		type ver struct{ pid, vid int64 }
		var vs []ver
		seen := map[int64]bool{}
		byPacticipant := map[int64][]int64{}
		for _, ref := range q.Versions {
			pid, vid, err := lookupVersion(ctx, tx, ref.Pacticipant, ref.Number)
			if errors.Is(err, broker.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if seen[vid] {
				continue
			}
			seen[vid] = true
			vs = append(vs, ver{pid, vid})
			byPacticipant[pid] = append(byPacticipant[pid], vid)
		}
		limit := q.Limit
		if limit <= 0 {
			limit = 1 << 30
		}
		var pairs []pubVer
		pairSeen := map[pubVer]bool{}
		add := func(p pubVer) {
			if !pairSeen[p] {
				pairSeen[p] = true
				pairs = append(pairs, p)
			}
		}
		for _, v := range vs {
			// v as consumer version: its latest publications.
			type pub struct{ provider, pactVersion, id int64 }
			pubs, err := queryAll(ctx, tx, func(r scanner) (pub, error) {
				var p pub
				err := r.Scan(&p.provider, &p.pactVersion, &p.id)
				return p, err
			}, `SELECT provider_id, pact_version_id, publication_id FROM latest_pact_publications WHERE consumer_version_id = ?`, v.vid)
			if err != nil {
				return err
			}
			for _, p := range pubs {
				var verIDs []int64
				if q.Mode == broker.RowsBetween {
					provVersions, ok := byPacticipant[p.provider]
					if !ok {
						continue
					}
					for _, pv := range provVersions {
						ids, err := idList(ctx, tx, `SELECT verification_id FROM latest_verifications WHERE pact_version_id = ? AND provider_version_id = ?`, p.pactVersion, pv)
						if err != nil {
							return err
						}
						if len(ids) == 0 {
							add(pubVer{p.id, 0, pv}) // not verified by this provider version
						}
						for _, id := range ids {
							add(pubVer{p.id, id, pv})
						}
					}
					continue
				} else {
					ids, err := idList(ctx, tx, `SELECT verification_id FROM latest_verifications WHERE pact_version_id = ? ORDER BY provider_version_id DESC LIMIT ?`, p.pactVersion, limit)
					if err != nil {
						return err
					}
					verIDs = ids
				}
				if len(verIDs) == 0 {
					add(pubVer{p.id, 0, 0})
				}
				for _, id := range verIDs {
					add(pubVer{p.id, id, 0})
				}
			}
			if q.Mode != broker.RowsInvolving {
				continue
			}
			// v as provider version: the pacts it verified, for every
			// consumer version whose latest publication has that content.
			verified, err := queryAll(ctx, tx, func(r scanner) ([2]int64, error) {
				var pv [2]int64
				err := r.Scan(&pv[0], &pv[1])
				return pv, err
			}, `SELECT pact_version_id, verification_id FROM latest_verifications WHERE provider_version_id = ?`, v.vid)
			if err != nil {
				return err
			}
			for _, pv := range verified {
				ids, err := idList(ctx, tx, `SELECT publication_id FROM latest_pact_publications WHERE pact_version_id = ? ORDER BY consumer_version_id DESC LIMIT ?`, pv[0], limit)
				if err != nil {
					return err
				}
				for _, pub := range ids {
					add(pubVer{pub, pv[1], 0})
				}
			}
		}
		b := &rowBuilder{ctx: ctx, tx: tx, versions: map[int64]*broker.MatrixVersion{}, names: map[int64]string{}}
		for _, p := range pairs {
			r, err := b.row(p.pub, p.ver, p.provVersion)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sortRows(out)
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// sortRows orders rows newest consumer version first, then newest provider
// version (unverified rows after verified ones).
func sortRows(rows []broker.MatrixRow) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.ConsumerVersion.Order != b.ConsumerVersion.Order {
			return a.ConsumerVersion.Order > b.ConsumerVersion.Order
		}
		if a.Provider != b.Provider {
			return a.Provider < b.Provider
		}
		ao, bo := int64(-1), int64(-1)
		if a.ProviderVersion != nil {
			ao = a.ProviderVersion.Order
		}
		if b.ProviderVersion != nil {
			bo = b.ProviderVersion.Order
		}
		return ao > bo
	})
}

// ProvidersOfVersion implements broker.Queries.
func (s *Store) ProvidersOfVersion(ctx context.Context, consumer, version string) ([]string, error) {
	var out []string
	err := s.read(ctx, func(tx *txn) error {
		_, vid, err := lookupVersion(ctx, tx, consumer, version)
		if err != nil {
			return err
		}
		out, err = stringList(ctx, tx, `SELECT p.name FROM latest_pact_publications l JOIN pacticipants p ON p.id = l.provider_id
			WHERE l.consumer_version_id = ? ORDER BY p.name`, vid)
		return err
	})
	return out, err
}

// ConsumersOf implements broker.Queries.
func (s *Store) ConsumersOf(ctx context.Context, provider string) ([]string, error) {
	var out []string
	err := s.read(ctx, func(tx *txn) error {
		pid, err := pacticipantID(ctx, tx, provider)
		if err != nil {
			return err
		}
		out, err = stringList(ctx, tx, `SELECT c.name FROM integrations i JOIN pacticipants c ON c.id = i.consumer_id
			WHERE i.provider_id = ? ORDER BY c.name`, pid)
		return err
	})
	return out, err
}

const selectedCols = `c.name, pr.name, v.number, v.id, pv.sha, pp.created_at`

func scanSelected(rows scanner, extra ...any) (broker.SelectedPact, error) {
	var (
		p  broker.SelectedPact
		cr int64
	)
	dest := append([]any{&p.Consumer, &p.Provider, &p.ConsumerVersion, &p.ConsumerVersionOrder, &p.SHA, &cr}, extra...)
	err := rows.Scan(dest...)
	p.CreatedAt = toTime(cr)
	return p, err
}

func selectedList(ctx context.Context, tx *txn, fill func(*broker.SelectedPact, string), query string, args ...any) ([]broker.SelectedPact, error) {
	return queryAll(ctx, tx, func(r scanner) (broker.SelectedPact, error) {
		var extra string
		p, err := scanSelected(r, &extra)
		if err == nil && fill != nil {
			fill(&p, extra)
		}
		return p, err
	}, query, args...)
}

// SelectPacts implements broker.Queries.
func (s *Store) SelectPacts(ctx context.Context, q broker.PactSelection) ([]broker.SelectedPact, error) {
	var out []broker.SelectedPact
	err := s.read(ctx, func(tx *txn) error {
		pid, err := pacticipantID(ctx, tx, q.Provider)
		if err != nil {
			return err
		}
		pairs, err := integrationPairs(ctx, tx, pid)
		if err != nil {
			return err
		}
		for _, pair := range pairs {
			name, err := (&rowBuilder{ctx: ctx, tx: tx, names: map[int64]string{}}).name(pair.consumer)
			if err != nil {
				return err
			}
			if q.Consumer != "" && name != q.Consumer {
				continue
			}
			got, err := selectForConsumer(ctx, tx, q, pair.consumer, pid)
			if err != nil {
				return err
			}
			out = append(out, got...)
		}
		return nil
	})
	return out, err
}

func selectForConsumer(ctx context.Context, tx *txn, q broker.PactSelection, cid, pid int64) ([]broker.SelectedPact, error) {
	single := func(f broker.PactFilter) ([]broker.SelectedPact, error) {
		query, args := latestPactQuery(selectedCols+`, ''`, cid, pid, f)
		return selectedList(ctx, tx, func(p *broker.SelectedPact, _ string) { p.Branch, p.Tag = f.Branch, f.Tag }, query, args...)
	}
	switch q.Kind {
	case broker.SelectLatest:
		return single(broker.PactFilter{})
	case broker.SelectBranchHead:
		return single(broker.PactFilter{Branch: q.Branch})
	case broker.SelectMainBranchHead:
		var main string
		if err := tx.QueryRowContext(ctx, `SELECT main_branch FROM pacticipants WHERE id = ?`, cid).Scan(&main); err != nil {
			return nil, err
		}
		if main == "" {
			return nil, nil
		}
		return single(broker.PactFilter{Branch: main})
	case broker.SelectTagLatest:
		return single(broker.PactFilter{Tag: q.Tag})
	case broker.SelectTagAll:
		return selectedList(ctx, tx, func(p *broker.SelectedPact, _ string) { p.Tag = q.Tag },
			`SELECT `+selectedCols+`, ''`+latestPactFrom+`JOIN tags t ON t.version_id = l.consumer_version_id
			WHERE t.pacticipant_id = ? AND t.name = ? AND l.provider_id = ? ORDER BY t.version_id DESC`, cid, q.Tag, pid)
	case broker.SelectDeployed, broker.SelectReleased:
		table, current := "deployed_versions", "currently_deployed"
		if q.Kind == broker.SelectReleased {
			table, current = "released_versions", "currently_supported"
		}
		query := `SELECT DISTINCT ` + selectedCols + `, e.name` + latestPactFrom + `JOIN ` + table + ` d ON d.version_id = l.consumer_version_id
			JOIN environments e ON e.id = d.environment_id
			WHERE d.pacticipant_id = ? AND d.` + current + ` = 1 AND l.provider_id = ?`
		args := []any{cid, pid}
		if q.Environment != "" {
			query += ` AND e.name = ?`
			args = append(args, q.Environment)
		}
		return selectedList(ctx, tx, func(p *broker.SelectedPact, env string) { p.Environment = env }, query+` ORDER BY v.id DESC, e.name`, args...)
	}
	return nil, broker.Invalid("kind", "unknown pact selection kind %d", q.Kind)
}

// SuccessfullyVerified implements broker.Queries.
func (s *Store) SuccessfullyVerified(ctx context.Context, q broker.VerifiedQuery) (bool, error) {
	var ok bool
	err := s.read(ctx, func(tx *txn) error {
		_, pid, pvid, err := pactVersionID(ctx, tx, q.Consumer, q.Provider, q.SHA)
		if err != nil {
			return err
		}
		var (
			join     string
			joinArgs []any
			conds    = []string{"vr.pact_version_id = ?", "vr.success = 1"}
			args     = []any{pvid}
		)
		switch {
		case q.ProviderBranch != "":
			var bid int64
			err := tx.QueryRowContext(ctx, `SELECT id FROM branches WHERE pacticipant_id = ? AND name = ?`, pid, q.ProviderBranch).Scan(&bid)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if q.OtherBranches {
				conds = append(conds, "EXISTS (SELECT 1 FROM branch_versions bv WHERE bv.version_id = vr.provider_version_id AND bv.branch_id != ?)")
				args = append(args, bid)
			} else {
				if bid == 0 {
					return nil // no such branch: nothing verified from it
				}
				join = `JOIN branch_versions bv ON bv.version_id = vr.provider_version_id AND bv.branch_id = ? `
				joinArgs = append(joinArgs, bid)
			}
		case q.ProviderTag != "" && q.OtherTags:
			conds = append(conds, "EXISTS (SELECT 1 FROM tags t WHERE t.version_id = vr.provider_version_id AND t.name != ?)")
			args = append(args, q.ProviderTag)
		case q.ProviderTag != "":
			join = `JOIN tags t ON t.version_id = vr.provider_version_id AND t.name = ? `
			joinArgs = append(joinArgs, q.ProviderTag)
		}
		if q.Before != nil {
			conds = append(conds, "vr.execution_date < ?")
			args = append(args, q.Before.UTC().UnixNano())
		}
		if q.ExcludeWIP {
			conds = append(conds, "vr.wip = 0")
		}
		var one int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM verifications vr `+join+`WHERE `+strings.Join(conds, " AND ")+` LIMIT 1`,
			append(joinArgs, args...)...).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		ok = true
		return nil
	})
	return ok, err
}

// TagFirstUsed implements broker.Queries.
func (s *Store) TagFirstUsed(ctx context.Context, pacticipant, tag string) (time.Time, error) {
	var out time.Time
	err := s.read(ctx, func(tx *txn) error {
		pid, err := pacticipantID(ctx, tx, pacticipant)
		if err != nil {
			return err
		}
		var first sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT min(created_at) FROM tags WHERE pacticipant_id = ? AND name = ?`, pid, tag).Scan(&first); err != nil {
			return err
		}
		if !first.Valid {
			return notFound("tag %q of %q", tag, pacticipant)
		}
		out = toTime(first.Int64)
		return nil
	})
	return out, err
}

// WIPCandidates implements broker.Queries. It only reads publications
// made since the date (index on provider and creation time) to find the
// branches and tags touched since then, then looks up each one's head.
func (s *Store) WIPCandidates(ctx context.Context, provider string, since time.Time) ([]broker.SelectedPact, error) {
	var out []broker.SelectedPact
	err := s.read(ctx, func(tx *txn) error {
		pid, err := pacticipantID(ctx, tx, provider)
		if err != nil {
			return err
		}
		sinceNanos := since.UTC().UnixNano()
		type head struct {
			consumer int64
			f        broker.PactFilter
		}
		heads, err := queryAll(ctx, tx, func(r scanner) (head, error) {
			var h head
			err := r.Scan(&h.consumer, &h.f.Branch, &h.f.Tag)
			return h, err
		}, `SELECT DISTINCT l.consumer_id, b.name, ''::text FROM latest_pact_publications l
				JOIN branch_versions bv ON bv.version_id = l.consumer_version_id
				JOIN branches b ON b.id = bv.branch_id
				WHERE l.provider_id = ? AND l.created_at >= ?
			UNION
			SELECT DISTINCT l.consumer_id, ''::text, t.name FROM latest_pact_publications l
				JOIN tags t ON t.version_id = l.consumer_version_id
				WHERE l.provider_id = ? AND l.created_at >= ?`, pid, sinceNanos, pid, sinceNanos)
		if err != nil {
			return err
		}
		for _, h := range heads {
			f := h.f
			query, args := latestPactQuery(selectedCols+`, ''`, h.consumer, pid, f)
			got, err := selectedList(ctx, tx, func(p *broker.SelectedPact, _ string) { p.Branch, p.Tag = f.Branch, f.Tag }, query, args...)
			if err != nil {
				return err
			}
			for _, p := range got {
				if !p.CreatedAt.Before(since) {
					out = append(out, p)
				}
			}
		}
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Consumer != out[j].Consumer {
			return out[i].Consumer < out[j].Consumer
		}
		return out[i].ConsumerVersionOrder > out[j].ConsumerVersionOrder
	})
	return out, err
}
