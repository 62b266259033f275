package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/contracts-dev/contracts/broker"
)

// ResolveVersions implements broker.Queries.
func (s *Store) ResolveVersions(ctx context.Context, sel broker.MatrixSelector) ([]broker.VersionRef, error) {
	var out []broker.VersionRef
	err := s.read(ctx, func(tx *Tx) error {
		numbers, err := resolveVersions(ctx, tx, sel)
		for _, n := range numbers {
			out = append(out, broker.VersionRef{Pacticipant: sel.Pacticipant, Number: n})
		}
		return err
	})
	return out, err
}

func idList(ctx context.Context, tx *Tx, query string, args ...any) ([]int64, error) {
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

// resolveVersions returns the numbers of the versions a selector picks,
// newest first, each statement reading them with the versions it picks
// (can-i-deploy resolves a selector per pacticipant involved, and a
// look-up per version was a round trip each on PostgreSQL).
func resolveVersions(ctx context.Context, tx *Tx, sel broker.MatrixSelector) ([]string, error) {
	pid, err := pacticipantID(ctx, tx, sel.Pacticipant)
	if err != nil {
		return nil, err
	}
	const heads = `SELECT v.number FROM branches b JOIN branch_heads h ON h.branch_id = b.id JOIN versions v ON v.id = h.version_id `
	switch {
	case sel.Version != "":
		return stringList(ctx, tx, `SELECT number FROM versions WHERE pacticipant_id = ? AND number = ?`, pid, sel.Version)
	case sel.Environment != "":
		eid, _, err := environmentByName(ctx, tx, sel.Environment)
		if err != nil {
			return nil, err
		}
		return stringList(ctx, tx, `SELECT v.number FROM versions v WHERE v.id IN (
				SELECT version_id FROM deployed_versions WHERE environment_id = ? AND pacticipant_id = ? AND currently_deployed = 1
				UNION SELECT version_id FROM released_versions WHERE environment_id = ? AND pacticipant_id = ? AND currently_supported = 1)
			ORDER BY v.id DESC`, eid, pid, eid, pid)
	case sel.MainBranch:
		// A pacticipant without a main branch ("") has no branch of that name.
		return stringList(ctx, tx, heads+`JOIN pacticipants p ON p.id = b.pacticipant_id AND b.name = p.main_branch WHERE p.id = ?`, pid)
	case sel.Branch != "" && sel.Latest:
		return stringList(ctx, tx, heads+`WHERE b.pacticipant_id = ? AND b.name = ?`, pid, sel.Branch)
	case sel.Branch != "":
		return stringList(ctx, tx, `SELECT v.number FROM branches b JOIN branch_versions bv ON bv.branch_id = b.id JOIN versions v ON v.id = bv.version_id
			WHERE b.pacticipant_id = ? AND b.name = ? ORDER BY bv.version_id DESC`, pid, sel.Branch)
	case sel.Tag != "" && sel.Latest:
		return stringList(ctx, tx, `SELECT v.number FROM versions v WHERE v.id = (SELECT max(version_id) FROM tags WHERE pacticipant_id = ? AND name = ?)`, pid, sel.Tag)
	case sel.Tag != "":
		return stringList(ctx, tx, `SELECT v.number FROM tags t JOIN versions v ON v.id = t.version_id WHERE t.pacticipant_id = ? AND t.name = ? ORDER BY t.version_id DESC`, pid, sel.Tag)
	case sel.Latest:
		return stringList(ctx, tx, `SELECT v.number FROM versions v WHERE v.id = (SELECT max(id) FROM versions WHERE pacticipant_id = ?)`, pid)
	default:
		return stringList(ctx, tx, `SELECT number FROM versions WHERE pacticipant_id = ? ORDER BY id DESC`, pid)
	}
}

// matrixQueries returns the statements of MatrixRows in dialect d: the
// rows involving the versions, and the rows between them.
func matrixQueries(d Dialect) (involving, between string) {
	// matrixVersions are the distinct versions named by the query's JSON
	// array of [pacticipant, number] pairs (unknown ones are left out).
	matrixVersions := `vs AS MATERIALIZED (
	SELECT DISTINCT v.id AS vid, v.pacticipant_id AS pid
	FROM ` + d.JSONRows(`?1`) + `
	JOIN pacticipants p ON p.name = ` + d.JSONItem(`j.value`, 0) + `
	JOIN versions v ON v.pacticipant_id = p.id AND v.number = ` + d.JSONItem(`j.value`, 1) + `
),
cons AS MATERIALIZED (
	SELECT l.publication_id AS pub, l.pact_version_id AS pvid, l.provider_id AS prid
	FROM vs ` + d.Join + ` latest_pact_publications l ON l.consumer_version_id = vs.vid
)`

	// matrixPairsInvolving: the versions as consumer versions (each latest
	// publication with its latest verifications, newest provider version
	// first, at most ?2 per publication, or unverified), and as provider
	// versions (the pacts they verified, for at most ?2 consumer versions per
	// pact whose latest publication has that content).
	matrixPairsInvolving := `pairs AS MATERIALIZED (
	SELECT pub, ver, 0 AS prov FROM (
		SELECT c.pub, coalesce(lv.verification_id, 0) AS ver,
			row_number() OVER (PARTITION BY c.pub ORDER BY lv.provider_version_id DESC) AS rn
		FROM cons c LEFT JOIN latest_verifications lv ON lv.pact_version_id = c.pvid
	) AS x WHERE rn <= ?2
	UNION
	SELECT pub, ver, 0 FROM (
		SELECT l.publication_id AS pub, lv.verification_id AS ver,
			row_number() OVER (PARTITION BY lv.provider_version_id, lv.pact_version_id ORDER BY l.consumer_version_id DESC) AS rn
		FROM vs ` + d.Join + ` latest_verifications lv ON lv.provider_version_id = vs.vid
		` + d.Join + ` latest_pact_publications l ON l.pact_version_id = lv.pact_version_id
	) AS y WHERE rn <= ?2
)`

	// matrixPairsBetween: each latest publication of the versions as
	// consumer versions, once per version of its provider among the versions,
	// with that provider version's latest verification or unverified.
	matrixPairsBetween := `pairs AS MATERIALIZED (
	SELECT DISTINCT c.pub, coalesce(lv.verification_id, 0) AS ver, pv.vid AS prov
	FROM cons c ` + d.Join + ` vs pv ON pv.pid = c.prid
	LEFT JOIN latest_verifications lv ON lv.pact_version_id = c.pvid AND lv.provider_version_id = pv.vid
	WHERE ` + d.SameInt(`?2`) + `
)`

	// matrixRowsSelect reads the rows of pairs with their version details;
	// versions are described once each.
	matrixRowsSelect := `,
rowids AS MATERIALIZED (
	SELECT p.pub, p.ver, pp.consumer_version_id AS cvid,
		CASE WHEN p.ver != 0 THEN (SELECT provider_version_id FROM verifications WHERE id = p.ver) ELSE p.prov END AS pvid
	FROM pairs p ` + d.Join + ` pact_publications pp ON pp.id = p.pub
),
vids AS MATERIALIZED (SELECT cvid AS id FROM rowids UNION SELECT pvid FROM rowids WHERE pvid != 0),
vdet AS MATERIALIZED (
	SELECT v.id, v.number, v.created_at,
		(SELECT ` + d.JSONArray(`b.name ORDER BY bv.created_at, b.id`) + ` FROM branch_versions bv JOIN branches b ON b.id = bv.branch_id WHERE bv.version_id = v.id) AS branches,
		(SELECT ` + d.JSONArray(`t.name ORDER BY t.created_at, t.name`) + ` FROM tags t WHERE t.version_id = v.id) AS tags,
		(SELECT ` + d.JSONArray(`n ORDER BY n`) + ` FROM (
			SELECT e.name AS n FROM deployed_versions dep JOIN environments e ON e.id = dep.environment_id WHERE dep.version_id = v.id AND dep.currently_deployed = 1
			UNION SELECT e.name FROM released_versions rel JOIN environments e ON e.id = rel.environment_id WHERE rel.version_id = v.id AND rel.currently_supported = 1) AS env_names) AS envs
	FROM vids ` + d.Join + ` versions v ON v.id = vids.id
)
SELECT c.name, pr.name, pv.sha, pp.revision, pp.created_at,
	cv.id, cv.number, cv.created_at, cv.branches, cv.tags, cv.envs,
	provv.id, provv.number, provv.created_at, provv.branches, provv.tags, provv.envs,
	vr.number, vr.success, vr.build_url, vr.test_results, vr.verified_by, vr.execution_date, vr.wip
FROM rowids r
` + d.Join + ` pact_publications pp ON pp.id = r.pub
` + d.Join + ` pact_versions pv ON pv.id = pp.pact_version_id
` + d.Join + ` pacticipants c ON c.id = pp.consumer_id
` + d.Join + ` pacticipants pr ON pr.id = pp.provider_id
` + d.Join + ` vdet cv ON cv.id = r.cvid
LEFT JOIN vdet provv ON provv.id = r.pvid
LEFT JOIN verifications vr ON vr.id = r.ver`

	involving = `WITH ` + matrixVersions + `,
` + matrixPairsInvolving + matrixRowsSelect
	between = `WITH ` + matrixVersions + `,
` + matrixPairsBetween + matrixRowsSelect
	return involving, between
}

// jsonNames decodes a JSON array of names; empty is nil.
func jsonNames(s sql.NullString) ([]string, error) {
	if !s.Valid || s.String == "[]" {
		return nil, nil
	}
	var out []string
	err := json.Unmarshal([]byte(s.String), &out)
	return out, err
}

// matrixVersion scans a version's columns of the matrix query; ok is false
// when they are NULL (no provider version).
type matrixVersionCols struct {
	id                   sql.NullInt64
	number               sql.NullString
	created              sql.NullInt64
	branches, tags, envs sql.NullString
}

func (c *matrixVersionCols) dest() []any {
	return []any{&c.id, &c.number, &c.created, &c.branches, &c.tags, &c.envs}
}

func (c *matrixVersionCols) version() (*broker.MatrixVersion, error) {
	if !c.id.Valid {
		return nil, nil
	}
	v := &broker.MatrixVersion{Number: c.number.String, CreatedAt: toTime(c.created.Int64), Order: c.id.Int64}
	var err error
	if v.Branches, err = jsonNames(c.branches); err != nil {
		return nil, err
	}
	if v.Tags, err = jsonNames(c.tags); err != nil {
		return nil, err
	}
	v.Environments, err = jsonNames(c.envs)
	return v, err
}

// MatrixRows implements broker.Queries in one statement.
func (s *Store) MatrixRows(ctx context.Context, q broker.MatrixRowQuery) ([]broker.MatrixRow, error) {
	refs := make([][2]string, len(q.Versions))
	for i, v := range q.Versions {
		refs[i] = [2]string{v.Pacticipant, v.Number}
	}
	versions, err := json.Marshal(refs)
	if err != nil {
		return nil, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 1 << 30
	}
	query := s.matrixRowsInvolvingQuery
	if q.Mode == broker.RowsBetween {
		query = s.matrixRowsBetweenQuery
	}
	var out []broker.MatrixRow
	err = s.read(ctx, func(tx *Tx) error {
		var err error
		out, err = queryAll(ctx, tx, scanMatrixRow, query, string(versions), limit)
		return err
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

func scanMatrixRow(row scanner) (broker.MatrixRow, error) {
	var (
		r           broker.MatrixRow
		pactCreated int64
		cv, pv      matrixVersionCols
		vnum        sql.NullInt64
		ok, wip     sql.NullInt64
		buildURL    sql.NullString
		tr, vb      sql.NullString
		executed    sql.NullInt64
	)
	dest := []any{&r.Consumer, &r.Provider, &r.PactSHA, &r.PactRevision, &pactCreated}
	dest = append(dest, cv.dest()...)
	dest = append(dest, pv.dest()...)
	dest = append(dest, &vnum, &ok, &buildURL, &tr, &vb, &executed, &wip)
	if err := row.Scan(dest...); err != nil {
		return r, err
	}
	r.PactCreatedAt = toTime(pactCreated)
	c, err := cv.version()
	if err != nil {
		return r, err
	}
	r.ConsumerVersion = *c
	if r.ProviderVersion, err = pv.version(); err != nil {
		return r, err
	}
	if vnum.Valid {
		r.Verification = &broker.Verification{
			Number: int(vnum.Int64), Consumer: r.Consumer, Provider: r.Provider, PactSHA: r.PactSHA,
			ProviderVersion: r.ProviderVersion.Number, Success: ok.Int64 != 0, BuildURL: buildURL.String,
			TestResults: rawJSON(tr), VerifiedBy: rawJSON(vb), ExecutionDate: toTime(executed.Int64), WIP: wip.Int64 != 0,
		}
	}
	return r, nil
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
	err := s.read(ctx, func(tx *Tx) error {
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
	err := s.read(ctx, func(tx *Tx) error {
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

func selectedList(ctx context.Context, tx *Tx, fill func(*broker.SelectedPact, string), query string, args ...any) ([]broker.SelectedPact, error) {
	return queryAll(ctx, tx, func(r scanner) (broker.SelectedPact, error) {
		var extra string
		p, err := scanSelected(r, &extra)
		if err == nil && fill != nil {
			fill(&p, extra)
		}
		return p, err
	}, query, args...)
}

// SelectPacts implements broker.Queries in one statement for all of the
// provider's consumers (selectionQuery); it used to run one per consumer,
// each after two look-ups, and pacts-for-verification runs several
// selections per request.
func (s *Store) SelectPacts(ctx context.Context, q broker.PactSelection) ([]broker.SelectedPact, error) {
	var out []broker.SelectedPact
	err := s.read(ctx, func(tx *Tx) error {
		pid, err := pacticipantID(ctx, tx, q.Provider)
		if err != nil {
			return err
		}
		query, args, fill, err := s.selectionQuery(q, pid)
		if err != nil {
			return err
		}
		out, err = selectedList(ctx, tx, fill, query, args...)
		return err
	})
	return out, err
}

// selectionFrom starts a selection from the provider's integrations, one
// row per consumer (c); selectionJoins then joins what the selected
// latest publication (l) refers to.
const (
	selectionFrom  = ` FROM integrations i JOIN pacticipants c ON c.id = i.consumer_id `
	selectionJoins = `JOIN pact_publications pp ON pp.id = l.publication_id
	JOIN pact_versions pv ON pv.id = l.pact_version_id
	JOIN versions v ON v.id = l.consumer_version_id
	JOIN pacticipants pr ON pr.id = l.provider_id `
	// latestOfIntegration joins the integration's latest publication for
	// the consumer version that follows.
	latestOfIntegration = ` latest_pact_publications l ON l.provider_id = i.provider_id AND l.consumer_id = i.consumer_id AND l.consumer_version_id = `
)

// selectionQuery is the statement of one selection over every consumer of
// provider pid (or q.Consumer alone), ordered by consumer name and, within
// a consumer, newest version first. The heads (latest, branch, main
// branch, latest with a tag) are found first, once per consumer, by a
// subquery that walks the branch's (tag's) versions backwards and stops at
// the first with a pact for the provider: the heads are materialised, as
// PostgreSQL otherwise ran the subquery for every publication of the
// integration. fill sets what matched from the extra column.
func (s *Store) selectionQuery(q broker.PactSelection, pid int64) (string, []any, func(*broker.SelectedPact, string), error) {
	var (
		extra, head, from, order string
		args                     []any
		fill                     func(*broker.SelectedPact, string)
		distinct                 string
	)
	branchHead := func(name string) string {
		return `SELECT bv.version_id FROM branch_versions bv
			WHERE bv.branch_id = (SELECT b.id FROM branches b WHERE b.pacticipant_id = i.consumer_id AND b.name = ` + name + `)
			AND EXISTS (SELECT 1 FROM latest_pact_publications l2 WHERE l2.consumer_version_id = bv.version_id AND l2.provider_id = i.provider_id)
			ORDER BY bv.version_id DESC LIMIT 1`
	}
	switch q.Kind {
	case broker.SelectLatest:
		extra, head = `''`, `SELECT max(l2.consumer_version_id) FROM latest_pact_publications l2 WHERE l2.provider_id = i.provider_id AND l2.consumer_id = i.consumer_id`
	case broker.SelectBranchHead:
		extra, head = `''`, branchHead(`?`)
		args = append(args, q.Branch)
		fill = func(p *broker.SelectedPact, _ string) { p.Branch = q.Branch }
	case broker.SelectMainBranchHead:
		extra, head = `c.main_branch`, branchHead(`c.main_branch`)
		fill = func(p *broker.SelectedPact, main string) { p.Branch = main }
	case broker.SelectTagLatest:
		extra, head = `''`, `SELECT t.version_id FROM tags t WHERE t.pacticipant_id = i.consumer_id AND t.name = ?
			AND EXISTS (SELECT 1 FROM latest_pact_publications l2 WHERE l2.consumer_version_id = t.version_id AND l2.provider_id = i.provider_id)
			ORDER BY t.version_id DESC LIMIT 1`
		args = append(args, q.Tag)
		fill = func(p *broker.SelectedPact, _ string) { p.Tag = q.Tag }
	case broker.SelectTagAll:
		extra = `''`
		// The joins in this order (Dialect.Join): without statistics SQLite
		// would read every publication of the provider first.
		from = s.d.Join + ` tags t ON t.pacticipant_id = i.consumer_id AND t.name = ? ` + s.d.Join + latestOfIntegration + `t.version_id `
		args = append(args, q.Tag)
		order = `, v.id DESC`
		fill = func(p *broker.SelectedPact, _ string) { p.Tag = q.Tag }
	case broker.SelectDeployed, broker.SelectReleased:
		table, current := "deployed_versions", "currently_deployed"
		if q.Kind == broker.SelectReleased {
			table, current = "released_versions", "currently_supported"
		}
		extra, distinct, order = `e.name`, `DISTINCT `, `, v.id DESC, e.name`
		from = s.d.Join + ` ` + table + ` d ON d.pacticipant_id = i.consumer_id AND d.` + current + ` = 1 ` +
			s.d.Join + latestOfIntegration + `d.version_id JOIN environments e ON e.id = d.environment_id `
		if q.Environment != "" {
			from += `AND e.name = ? `
			args = append(args, q.Environment)
		}
		fill = func(p *broker.SelectedPact, env string) { p.Environment = env }
	default:
		return "", nil, nil, broker.Invalid("kind", "unknown pact selection kind %d", q.Kind)
	}
	// Ids as Dialect.ID: see there.
	where := `WHERE i.provider_id = ` + s.d.ID
	args = append(args, pid)
	if q.Consumer != "" {
		where += ` AND c.name = ?`
		args = append(args, q.Consumer)
	}
	if head != "" {
		return `WITH heads AS MATERIALIZED (SELECT i.consumer_id, i.provider_id, (` + head + `) AS version_id` + selectionFrom + where + `)
			SELECT ` + selectedCols + `, ` + extra + ` FROM heads h JOIN pacticipants c ON c.id = h.consumer_id
			JOIN latest_pact_publications l ON l.provider_id = h.provider_id AND l.consumer_id = h.consumer_id AND l.consumer_version_id = h.version_id
			` + selectionJoins + `ORDER BY c.name`, args, fill, nil
	}
	return `SELECT ` + distinct + selectedCols + `, ` + extra + selectionFrom + from + selectionJoins + where + ` ORDER BY c.name` + order, args, fill, nil
}

// SuccessfullyVerified implements broker.Queries.
func (s *Store) SuccessfullyVerified(ctx context.Context, q broker.VerifiedQuery) (bool, error) {
	ref := broker.PactRef{Consumer: q.Consumer, SHA: q.SHA}
	got, err := s.VerifiedPacts(ctx, q, []broker.PactRef{ref})
	return got[ref], err
}

// VerifiedPacts implements broker.Queries in one statement, whatever the
// number of pacts and consumers: the pact versions (by hash) and the
// verification test are read together. It runs for the pending status of
// every pacts-for-verification request.
func (s *Store) VerifiedPacts(ctx context.Context, q broker.VerifiedQuery, pacts []broker.PactRef) (map[broker.PactRef]bool, error) {
	out := make(map[broker.PactRef]bool, len(pacts))
	if len(pacts) == 0 {
		return out, nil
	}
	err := s.read(ctx, func(tx *Tx) error {
		pid, err := pacticipantID(ctx, tx, q.Provider)
		if err != nil {
			return err
		}
		test, args, err := s.verifiedTest(ctx, tx, q, pid)
		if err != nil {
			return err
		}
		pairs := make([][2]string, len(pacts))
		for i, p := range pacts {
			pairs[i] = [2]string{p.Consumer, p.SHA}
		}
		list, err := json.Marshal(pairs)
		if err != nil {
			return err
		}
		type row struct {
			ref      broker.PactRef
			verified int64
		}
		// Each pact version is found from its consumer, provider and hash
		// (the unique index), in this order (Dialect.Join): a hash alone is
		// shared by every integration with the same interactions.
		rows, err := queryAll(ctx, tx, func(r scanner) (row, error) {
			var v row
			err := r.Scan(&v.ref.Consumer, &v.ref.SHA, &v.verified)
			return v, err
		}, `SELECT c.name, pv.sha, CASE WHEN EXISTS (`+test+`) THEN 1 ELSE 0 END
			FROM `+s.d.JSONRows(`?`)+`
			`+s.d.Join+` pacticipants c ON c.name = `+s.d.JSONItem(`j.value`, 0)+`
			`+s.d.Join+` pact_versions pv ON pv.consumer_id = c.id AND pv.provider_id = `+s.d.ID+` AND pv.sha = `+s.d.JSONItem(`j.value`, 1),
			append(args, string(list), pid)...)
		if err != nil {
			return err
		}
		found := make(map[broker.PactRef]bool, len(rows))
		for _, r := range rows {
			found[r.ref] = r.verified == 1
		}
		for _, p := range pacts {
			ok, exists := found[p]
			if !exists {
				return notFound("pact version %q between %q and %q", p.SHA, p.Consumer, q.Provider)
			}
			out[p] = ok
		}
		return nil
	})
	return out, err
}

// verifiedTest is the subquery that finds a successful verification of
// pact version pv matching q, and its arguments.
func (s *Store) verifiedTest(ctx context.Context, tx *Tx, q broker.VerifiedQuery, pid int64) (string, []any, error) {
	var (
		join     string
		joinArgs []any
		conds    = []string{"vr.pact_version_id = pv.id", "vr.success = 1"}
		args     []any
	)
	switch {
	case q.ProviderBranch != "":
		var bid int64 // 0 (no such branch) matches no version
		err := tx.QueryRowContext(ctx, `SELECT id FROM branches WHERE pacticipant_id = ? AND name = ?`, pid, q.ProviderBranch).Scan(&bid)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", nil, err
		}
		if q.OtherBranches {
			conds = append(conds, "EXISTS (SELECT 1 FROM branch_versions bv WHERE bv.version_id = vr.provider_version_id AND bv.branch_id != ?)")
			args = append(args, bid)
		} else {
			join = `JOIN branch_versions bv ON bv.version_id = vr.provider_version_id AND bv.branch_id = ` + s.d.ID + ` `
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
	return `SELECT 1 FROM verifications vr ` + join + `WHERE ` + strings.Join(conds, " AND "), append(joinArgs, args...), nil
}

// TagFirstUsed implements broker.Queries.
func (s *Store) TagFirstUsed(ctx context.Context, pacticipant, tag string) (time.Time, error) {
	var out time.Time
	err := s.read(ctx, func(tx *Tx) error {
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

// WIPCandidates implements broker.Queries, in the dialect's way
// (Dialect.WIPByHeads).
func (s *Store) WIPCandidates(ctx context.Context, provider string, since time.Time) ([]broker.SelectedPact, error) {
	var out []broker.SelectedPact
	err := s.read(ctx, func(tx *Tx) error {
		pid, err := pacticipantID(ctx, tx, provider)
		if err != nil {
			return err
		}
		if s.d.WIPByHeads {
			out, err = s.wipCandidatesByHeads(ctx, tx, pid, since)
		} else {
			out, err = s.wipCandidatesSince(ctx, tx, pid, since)
		}
		return err
	})
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Consumer != out[j].Consumer {
			return out[i].Consumer < out[j].Consumer
		}
		return out[i].ConsumerVersionOrder > out[j].ConsumerVersionOrder
	})
	return out, err
}

// wipCandidatesByHeads finds the WIP candidates in one statement: the
// head (latest version with a pact for the provider) of every branch and
// every tag of the provider's consumers, kept when published since the
// date. Each head is one probe walking its branch's (tag's) versions
// backwards from the newest, so the cost grows with the number of branches
// and tag names, not with the versions or publications made since the date.
// A head published since the date is exactly a branch or tag touched since
// then whose head is that recent, so the result is wipCandidatesSince's.
// Tag names are enumerated by a recursive skip over the (pacticipant,
// name, version) index rather than a DISTINCT that would read every tagged
// version.
func (s *Store) wipCandidatesByHeads(ctx context.Context, tx *Tx, pid int64, since time.Time) ([]broker.SelectedPact, error) {
	// Ids as Dialect.ID: see there.
	return queryAll(ctx, tx, func(r scanner) (broker.SelectedPact, error) {
		var branch, tag string
		p, err := scanSelected(r, &branch, &tag)
		p.Branch, p.Tag = branch, tag
		return p, err
	}, `WITH RECURSIVE tag_names(consumer_id, name) AS (
			SELECT i.consumer_id, (SELECT min(t.name) FROM tags t WHERE t.pacticipant_id = i.consumer_id)
			FROM integrations i WHERE i.provider_id = ?
		UNION ALL
			SELECT n.consumer_id, (SELECT min(t.name) FROM tags t WHERE t.pacticipant_id = n.consumer_id AND t.name > n.name)
			FROM tag_names n WHERE n.name IS NOT NULL
		), heads(version_id, branch, tag) AS (
			SELECT (SELECT bv.version_id FROM branch_versions bv
				JOIN latest_pact_publications l2 ON l2.consumer_version_id = bv.version_id AND l2.provider_id = `+s.d.ID+`
				WHERE bv.branch_id = b.id ORDER BY bv.version_id DESC LIMIT 1), b.name, `+s.d.EmptyText+`
			FROM integrations i JOIN branches b ON b.pacticipant_id = i.consumer_id WHERE i.provider_id = ?
		UNION ALL
			SELECT (SELECT t.version_id FROM tags t
				JOIN latest_pact_publications l2 ON l2.consumer_version_id = t.version_id AND l2.provider_id = `+s.d.ID+`
				WHERE t.pacticipant_id = n.consumer_id AND t.name = n.name ORDER BY t.version_id DESC LIMIT 1), `+s.d.EmptyText+`, n.name
			FROM tag_names n WHERE n.name IS NOT NULL
		)
		SELECT `+selectedCols+`, h.branch, h.tag FROM heads h
		`+s.d.Join+` latest_pact_publications l ON l.consumer_version_id = h.version_id AND l.provider_id = `+s.d.ID+`
		JOIN pact_publications pp ON pp.id = l.publication_id
		JOIN pact_versions pv ON pv.id = l.pact_version_id
		JOIN versions v ON v.id = l.consumer_version_id
		JOIN pacticipants c ON c.id = l.consumer_id
		JOIN pacticipants pr ON pr.id = l.provider_id
		WHERE pp.created_at >= ?
		ORDER BY v.id DESC, h.branch, h.tag`, pid, pid, pid, pid, pid, since.UTC().UnixNano())
}

// wipCandidatesSince finds the WIP candidates from the publications made
// since the date (index on provider and creation time): the branches and
// tags touched since then, then each one's head. Its cost grows with the
// publications since the date.
func (s *Store) wipCandidatesSince(ctx context.Context, tx *Tx, pid int64, since time.Time) ([]broker.SelectedPact, error) {
	var out []broker.SelectedPact
	{
		sinceNanos := since.UTC().UnixNano()
		type head struct {
			consumer int64
			f        broker.PactFilter
		}
		heads, err := queryAll(ctx, tx, func(r scanner) (head, error) {
			var h head
			err := r.Scan(&h.consumer, &h.f.Branch, &h.f.Tag)
			return h, err
		}, `SELECT DISTINCT l.consumer_id, b.name, `+s.d.EmptyText+` FROM latest_pact_publications l`+s.d.ByCreation+`
				JOIN branch_versions bv ON bv.version_id = l.consumer_version_id
				JOIN branches b ON b.id = bv.branch_id
				WHERE l.provider_id = ? AND l.created_at >= ?
			UNION
			SELECT DISTINCT l.consumer_id, `+s.d.EmptyText+`, t.name FROM latest_pact_publications l`+s.d.ByCreation+`
				JOIN tags t ON t.version_id = l.consumer_version_id
				WHERE l.provider_id = ? AND l.created_at >= ?`, pid, sinceNanos, pid, sinceNanos)
		if err != nil {
			return nil, err
		}
		for _, h := range heads {
			f := h.f
			query, args := s.latestPactQuery(selectedCols+`, ''`, h.consumer, pid, f)
			got, err := selectedList(ctx, tx, func(p *broker.SelectedPact, _ string) { p.Branch, p.Tag = f.Branch, f.Tag }, query, args...)
			if err != nil {
				return nil, err
			}
			for _, p := range got {
				if !p.CreatedAt.Before(since) {
					out = append(out, p)
				}
			}
		}
	}
	return out, nil
}
