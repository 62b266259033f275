package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/contracts-dev/contracts/broker"
)

// Page-level read models: each answers one page of a view in one
// statement, so that a page makes no query per row.

// ListIntegrationSummaries implements broker.Store.
func (s *Store) ListIntegrationSummaries(ctx context.Context, page broker.Page) ([]broker.IntegrationSummary, error) {
	limit, offset := pageBounds(page)
	var out []broker.IntegrationSummary
	err := s.read(ctx, func(tx *Tx) error {
		var err error
		out, err = queryAll(ctx, tx, scanIntegrationSummary, `WITH ints AS MATERIALIZED (
			SELECT i.consumer_id, i.provider_id, c.name AS consumer, p.name AS provider, i.created_at, i.latest_pact_created_at,
				(SELECT l.publication_id FROM latest_pact_publications l WHERE l.provider_id = i.provider_id AND l.consumer_id = i.consumer_id
					ORDER BY l.consumer_version_id DESC LIMIT 1) AS pub
			FROM integrations i JOIN pacticipants c ON c.id = i.consumer_id JOIN pacticipants p ON p.id = i.provider_id
			ORDER BY c.name, p.name LIMIT ? OFFSET ?
		), latest AS MATERIALIZED (
			SELECT ints.*, pp.pact_version_id AS pvid, pp.revision, pp.created_at AS pub_created, v.number AS cv,
				(SELECT vr.id FROM verifications vr WHERE vr.pact_version_id = pp.pact_version_id ORDER BY vr.number DESC LIMIT 1) AS ver
			FROM ints LEFT JOIN pact_publications pp ON pp.id = ints.pub LEFT JOIN versions v ON v.id = pp.consumer_version_id
		)
		SELECT lt.consumer, lt.provider, lt.created_at, lt.latest_pact_created_at,
			lt.cv, pv.sha, lt.revision, lt.pub_created, pv.created_at,
			vr.number, pvv.number, vr.success, vr.build_url, vr.test_results, vr.verified_by, vr.execution_date, vr.wip
		FROM latest lt
		LEFT JOIN pact_versions pv ON pv.id = lt.pvid
		LEFT JOIN verifications vr ON vr.id = lt.ver
		LEFT JOIN versions pvv ON pvv.id = vr.provider_version_id
		ORDER BY lt.consumer, lt.provider`, limit, offset)
		return err
	})
	return out, err
}

func scanIntegrationSummary(r scanner) (broker.IntegrationSummary, error) {
	var (
		i                       broker.IntegrationSummary
		cr, lpc                 int64
		cv, sha                 sql.NullString
		rev, pubCr, contentCr   sql.NullInt64
		vnum, ok, executed, wip sql.NullInt64
		provVersion, buildURL   sql.NullString
		testResults, verifiedBy sql.NullString
	)
	if err := r.Scan(&i.Consumer, &i.Provider, &cr, &lpc,
		&cv, &sha, &rev, &pubCr, &contentCr,
		&vnum, &provVersion, &ok, &buildURL, &testResults, &verifiedBy, &executed, &wip); err != nil {
		return i, err
	}
	i.CreatedAt, i.LatestPactCreatedAt = toTime(cr), toTime(lpc)
	if cv.Valid {
		i.LatestPact = &broker.Pact{Consumer: i.Consumer, Provider: i.Provider, ConsumerVersion: cv.String, SHA: sha.String,
			Revision: int(rev.Int64), CreatedAt: toTime(pubCr.Int64), ContentCreatedAt: toTime(contentCr.Int64)}
	}
	if vnum.Valid && i.LatestPact != nil {
		i.LatestVerification = &broker.Verification{Number: int(vnum.Int64), Consumer: i.Consumer, Provider: i.Provider,
			PactSHA: sha.String, ProviderVersion: provVersion.String, Success: ok.Int64 != 0, BuildURL: buildURL.String,
			TestResults: rawJSON(testResults), VerifiedBy: rawJSON(verifiedBy), ExecutionDate: toTime(executed.Int64), WIP: wip.Int64 != 0}
	}
	return i, nil
}

// ListPacticipantIntegrations implements broker.Store.
func (s *Store) ListPacticipantIntegrations(ctx context.Context, pacticipant string) ([]broker.Integration, error) {
	var out []broker.Integration
	err := s.read(ctx, func(tx *Tx) error {
		var err error
		out, err = queryAll(ctx, tx, scanIntegration, `SELECT c.name, p.name, i.created_at, i.latest_pact_created_at
			FROM pacticipants x
			`+s.d.Join+` integrations i ON i.consumer_id = x.id OR i.provider_id = x.id
			JOIN pacticipants c ON c.id = i.consumer_id JOIN pacticipants p ON p.id = i.provider_id
			WHERE x.name = ? ORDER BY c.name, p.name`, pacticipant)
		return err
	})
	return out, err
}

// ProvidersOfVersions implements broker.Store.
func (s *Store) ProvidersOfVersions(ctx context.Context, pacticipant string, numbers []string) (map[string][]string, error) {
	list, err := json.Marshal(numbers)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	err = s.read(ctx, func(tx *Tx) error {
		rows, err := queryAll(ctx, tx, func(r scanner) ([2]string, error) {
			var np [2]string
			err := r.Scan(&np[0], &np[1])
			return np, err
		}, `SELECT v.number, p.name
			FROM pacticipants x
			CROSS JOIN `+s.d.JSONTextRows(`?`)+`
			`+s.d.Join+` versions v ON v.pacticipant_id = x.id AND v.number = j.value
			`+s.d.Join+` latest_pact_publications l ON l.consumer_version_id = v.id
			JOIN pacticipants p ON p.id = l.provider_id
			WHERE x.name = ? ORDER BY v.id, p.name`, string(list), pacticipant)
		for _, np := range rows {
			out[np[0]] = append(out[np[0]], np[1])
		}
		return err
	})
	return out, err
}
