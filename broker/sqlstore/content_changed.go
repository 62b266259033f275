package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/contracts-dev/contracts/broker"
)

// pactTriggers returns the triggers of ts for pc, the publication just
// written for consumer version versionID of consumerID with provider:
// those about provider, the IfContentChanged ones only when the
// publication changed the content (see contentChanged).
func pactTriggers(ctx context.Context, tx *Tx, consumerID, versionID int64, provider string, pc broker.PublishedContract, ts []broker.WebhookTrigger) ([]broker.WebhookTrigger, error) {
	var (
		out     []broker.WebhookTrigger
		decided bool
		changed bool
	)
	for _, t := range ts {
		if t.Provider != provider {
			continue
		}
		if t.IfContentChanged && !decided {
			var err error
			if changed, err = contentChanged(ctx, tx, consumerID, versionID, provider, pc); err != nil {
				return nil, err
			}
			decided = true
		}
		if !t.IfContentChanged || changed {
			out = append(out, t)
		}
	}
	return out, nil
}

// contentChanged decides contract_content_changed for pc, the publication
// just written for consumer version versionID of consumerID with
// provider. A republication of the same content changes nothing; one that
// replaced the version's pact with other content changes it. Otherwise
// the content changed when it differs from (or there is no) previous
// publication, by an older consumer version, for any of the version's
// tags or branches, or, for a version with neither, by an older version
// with neither (the Pact Broker's "untagged" predecessor).
func contentChanged(ctx context.Context, tx *Tx, consumerID, versionID int64, provider string, pc broker.PublishedContract) (bool, error) {
	switch pc.Outcome {
	case broker.PublishUnchanged:
		return false, nil
	case broker.PublishOverwritten:
		return true, nil
	}
	providerID, err := pacticipantID(ctx, tx, provider)
	if err != nil {
		return false, err
	}
	const previous = `SELECT pv.sha FROM latest_pact_publications l JOIN pact_versions pv ON pv.id = l.pact_version_id
		WHERE l.consumer_id = ? AND l.provider_id = ? AND l.consumer_version_id < ? AND `
	const newest = ` ORDER BY l.consumer_version_id DESC LIMIT 1`
	differs := func(query string, args ...any) (bool, error) {
		var sha string
		err := tx.QueryRowContext(ctx, previous+query+newest, append([]any{consumerID, providerID, versionID}, args...)...).Scan(&sha)
		if errors.Is(err, sql.ErrNoRows) {
			return true, nil // the first publication for it
		}
		return sha != pc.Pact.SHA, err
	}
	names := func(query string) ([]string, error) {
		return queryAll(ctx, tx, func(r scanner) (string, error) {
			var n string
			return n, r.Scan(&n)
		}, query, versionID)
	}
	tags, err := names(`SELECT name FROM tags WHERE version_id = ? ORDER BY name`)
	if err != nil {
		return false, err
	}
	branches, err := names(`SELECT b.name FROM branch_versions bv JOIN branches b ON b.id = bv.branch_id WHERE bv.version_id = ? ORDER BY b.name`)
	if err != nil {
		return false, err
	}
	if len(tags) == 0 && len(branches) == 0 {
		return differs(`NOT EXISTS (SELECT 1 FROM tags t WHERE t.version_id = l.consumer_version_id)
			AND NOT EXISTS (SELECT 1 FROM branch_versions bv WHERE bv.version_id = l.consumer_version_id)`)
	}
	for _, t := range tags {
		if changed, err := differs(`l.consumer_version_id IN (SELECT version_id FROM tags WHERE pacticipant_id = ? AND name = ?)`, consumerID, t); err != nil || changed {
			return changed, err
		}
	}
	for _, b := range branches {
		if changed, err := differs(`l.consumer_version_id IN (SELECT bv.version_id FROM branch_versions bv JOIN branches b ON b.id = bv.branch_id
			WHERE b.pacticipant_id = ? AND b.name = ?)`, consumerID, b); err != nil || changed {
			return changed, err
		}
	}
	return false, nil
}
