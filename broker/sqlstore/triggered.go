package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/contracts-dev/contracts/broker"
)

const triggeredSelect = `SELECT t.uuid, w.uuid, t.event, t.consumer, t.provider, t.consumer_version, t.provider_version, t.provider_version_descriptions, t.pact_sha,
	t.verification_number, t.status, t.attempts, t.next_attempt_at, t.created_at, t.updated_at
	FROM triggered_webhooks t JOIN webhooks w ON w.id = t.webhook_id `

func scanTriggered(row scanner) (broker.TriggeredWebhook, error) {
	var (
		t          broker.TriggeredWebhook
		status     string
		nx, cr, up int64
	)
	err := row.Scan(&t.UUID, &t.WebhookUUID, &t.Event, &t.Consumer, &t.Provider, &t.ConsumerVersion, &t.ProviderVersion, &t.ProviderVersionDescriptions, &t.PactSHA,
		&t.VerificationNumber, &status, &t.Attempts, &nx, &cr, &up)
	t.Status = broker.TriggerStatus(status)
	t.NextAttemptAt, t.CreatedAt, t.UpdatedAt = toTime(nx), toTime(cr), toTime(up)
	return t, err
}

// insertTriggers records triggered webhooks in the event's transaction.
func (s *Store) insertTriggers(ctx context.Context, tx *Tx, ts []broker.WebhookTrigger, consumer, providerVersion, sha string, verification int) error {
	now := s.nowNanos()
	for _, t := range ts {
		var wid int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM webhooks WHERE uuid = ?`, t.WebhookUUID).Scan(&wid)
		if errors.Is(err, sql.ErrNoRows) {
			continue // deleted since the Service listed it
		} else if err != nil {
			return err
		}
		pv := providerVersion
		if t.ProviderVersion != "" {
			pv = t.ProviderVersion
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO triggered_webhooks (uuid, webhook_id, event, consumer, provider, consumer_version,
			provider_version, provider_version_descriptions, pact_sha, verification_number, status, attempts, next_attempt_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
			s.newID(), wid, t.Event, consumer, t.Provider, t.ConsumerVersion, pv, t.ProviderVersionDescriptions, sha, verification,
			string(broker.TriggerNotRun), now, now, now); err != nil {
			return err
		}
	}
	return nil
}

// ClaimTriggeredWebhooks implements broker.Store.
func (s *Store) ClaimTriggeredWebhooks(ctx context.Context, c broker.Claim) ([]broker.TriggeredWebhook, error) {
	var out []broker.TriggeredWebhook
	err := s.write(ctx, func(tx *Tx) error {
		now, first := c.Now.UTC().UnixNano(), c.FirstDue.UTC().UnixNano()
		// Write transactions are serialised, so selecting then updating
		// cannot race another claim; SkipLocked makes concurrent claims pass
		// over rows another has locked even without that.
		ids, err := queryAll(ctx, tx, func(r scanner) (int64, error) {
			var id int64
			return id, r.Scan(&id)
		}, `SELECT id FROM triggered_webhooks
			WHERE ((status = 'not_run' AND next_attempt_at <= ?) OR (status = 'retrying' AND next_attempt_at <= ?))
			AND (lease_until IS NULL OR lease_until <= ?)
			ORDER BY next_attempt_at, id LIMIT ?`+s.d.SkipLocked, first, now, now, c.Limit)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE triggered_webhooks SET lease_token = ?, lease_until = ? WHERE id = ?`,
				c.Token, c.Until.UTC().UnixNano(), id); err != nil {
				return err
			}
			t, err := scanTriggered(tx.QueryRowContext(ctx, triggeredSelect+`WHERE t.id = ?`, id))
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		return nil
	})
	return out, err
}

// CompleteWebhookAttempt implements broker.Store.
func (s *Store) CompleteWebhookAttempt(ctx context.Context, uuid, token string, r broker.AttemptResult) error {
	return s.write(ctx, func(tx *Tx) error {
		var (
			id       int64
			attempts int
			lease    sql.NullString
		)
		err := tx.QueryRowContext(ctx, `SELECT id, attempts, lease_token FROM triggered_webhooks WHERE uuid = ?`+s.d.ForUpdate, uuid).Scan(&id, &attempts, &lease)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("triggered webhook %q", uuid)
		} else if err != nil {
			return err
		}
		if !lease.Valid || lease.String != token {
			return fmt.Errorf("triggered webhook %q is not leased to %q: %w", uuid, token, broker.ErrStale)
		}
		a := r.Attempt
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_attempts (triggered_webhook_id, number, success, status_code, log, started_at, duration_nanos)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, attempts+1, boolInt(a.Success), a.StatusCode, a.Log, a.StartedAt.UTC().UnixNano(), int64(a.Duration)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE triggered_webhooks SET status = ?, attempts = ?, next_attempt_at = ?, lease_token = NULL, lease_until = NULL,
			updated_at = ? WHERE id = ?`, string(r.Status), attempts+1, r.NextAttemptAt.UTC().UnixNano(), s.nowNanos(), id)
		return err
	})
}

func scanAttempt(r scanner) (broker.WebhookAttempt, error) {
	var (
		a       broker.WebhookAttempt
		success int
		st, d   int64
	)
	err := r.Scan(&a.Number, &success, &a.StatusCode, &a.Log, &st, &d)
	a.Success, a.StartedAt = success != 0, toTime(st)
	a.Duration = time.Duration(d)
	return a, err
}

// GetTriggeredWebhook implements broker.Store.
func (s *Store) GetTriggeredWebhook(ctx context.Context, uuid string) (broker.TriggeredWebhook, []broker.WebhookAttempt, error) {
	var (
		t  broker.TriggeredWebhook
		as []broker.WebhookAttempt
	)
	err := s.read(ctx, func(tx *Tx) error {
		var err error
		t, err = scanTriggered(tx.QueryRowContext(ctx, triggeredSelect+`WHERE t.uuid = ?`, uuid))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("triggered webhook %q", uuid)
		} else if err != nil {
			return err
		}
		as, err = queryAll(ctx, tx, scanAttempt, `SELECT a.number, a.success, a.status_code, a.log, a.started_at, a.duration_nanos
			FROM webhook_attempts a JOIN triggered_webhooks t ON t.id = a.triggered_webhook_id WHERE t.uuid = ? ORDER BY a.number`, uuid)
		return err
	})
	return t, as, err
}

// ListTriggeredWebhooks implements broker.Store.
func (s *Store) ListTriggeredWebhooks(ctx context.Context, f broker.TriggeredFilter, page broker.Page) ([]broker.TriggeredWebhook, error) {
	var (
		conds []string
		args  []any
	)
	add := func(cond string, v any) {
		conds = append(conds, cond)
		args = append(args, v)
	}
	if f.Consumer != "" {
		add("t.consumer = ?", f.Consumer)
	}
	if f.Provider != "" {
		add("t.provider = ?", f.Provider)
	}
	if f.ConsumerVersion != "" {
		add("t.consumer_version = ?", f.ConsumerVersion)
	}
	if f.PactSHA != "" {
		add("t.pact_sha = ?", f.PactSHA)
		add("t.verification_number = ?", f.VerificationNumber)
	}
	if f.WebhookUUID != "" {
		add("w.uuid = ?", f.WebhookUUID)
	}
	if f.Status != "" {
		add("t.status = ?", string(f.Status))
	}
	q := triggeredSelect
	if len(conds) > 0 {
		q += "WHERE " + strings.Join(conds, " AND ")
	}
	limit, offset := pageBounds(page)
	args = append(args, limit, offset)
	return readOne(ctx, s, func(tx *Tx) ([]broker.TriggeredWebhook, error) {
		return queryAll(ctx, tx, scanTriggered, q+` ORDER BY t.created_at DESC, t.id DESC LIMIT ? OFFSET ?`, args...)
	})
}

// WebhookQueueStats implements broker.Store.
func (s *Store) WebhookQueueStats(ctx context.Context) (broker.WebhookQueueStats, error) {
	var st broker.WebhookQueueStats
	err := s.read(ctx, func(tx *Tx) error {
		return tx.QueryRowContext(ctx, `SELECT
			coalesce(sum(CASE WHEN status IN ('not_run', 'retrying') THEN 1 ELSE 0 END), 0),
			coalesce(sum(CASE WHEN status = 'failure' THEN 1 ELSE 0 END), 0) FROM triggered_webhooks`).Scan(&st.Pending, &st.Dead)
	})
	return st, err
}
