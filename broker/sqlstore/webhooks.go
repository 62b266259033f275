package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/contracts-dev/contracts/broker"
)

const webhookSelect = `SELECT w.uuid, coalesce(c.name, ''), coalesce(p.name, ''), w.definition, w.created_at, w.updated_at
	FROM webhooks w LEFT JOIN pacticipants c ON c.id = w.consumer_id LEFT JOIN pacticipants p ON p.id = w.provider_id `

func scanWebhook(row scanner) (broker.Webhook, error) {
	var (
		w      broker.Webhook
		def    string
		cr, up int64
	)
	err := row.Scan(&w.UUID, &w.Consumer, &w.Provider, &def, &cr, &up)
	w.Definition = json.RawMessage(def)
	w.CreatedAt, w.UpdatedAt = toTime(cr), toTime(up)
	return w, err
}

// webhookParties resolves the optional consumer and provider to ids.
func webhookParties(ctx context.Context, tx *Tx, w broker.Webhook) (c, p any, err error) {
	resolve := func(field, name string) (any, error) {
		if name == "" {
			return nil, nil
		}
		id, err := pacticipantID(ctx, tx, name)
		if errors.Is(err, broker.ErrNotFound) {
			return nil, broker.Invalid(field, "pacticipant %q does not exist", name)
		}
		return id, err
	}
	if c, err = resolve("consumer.name", w.Consumer); err != nil {
		return nil, nil, err
	}
	p, err = resolve("provider.name", w.Provider)
	return c, p, err
}

func getWebhook(ctx context.Context, tx *Tx, uuid string) (broker.Webhook, error) {
	w, err := scanWebhook(tx.QueryRowContext(ctx, webhookSelect+`WHERE w.uuid = ?`, uuid))
	if errors.Is(err, sql.ErrNoRows) {
		return w, notFound("webhook %q", uuid)
	}
	return w, err
}

// CreateWebhook implements broker.Store.
func (s *Store) CreateWebhook(ctx context.Context, w broker.Webhook) (broker.Webhook, error) {
	if strings.TrimSpace(w.UUID) == "" {
		w.UUID = s.newID()
	}
	var out broker.Webhook
	err := s.write(ctx, func(tx *Tx) error {
		if _, err := getWebhook(ctx, tx, w.UUID); err == nil {
			return fmt.Errorf("webhook %q already exists: %w", w.UUID, broker.ErrConflict)
		}
		c, p, err := webhookParties(ctx, tx, w)
		if err != nil {
			return err
		}
		now := s.nowNanos()
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhooks (uuid, consumer_id, provider_id, definition, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			w.UUID, c, p, string(w.Definition), now, now); err != nil {
			return s.e.Translate(err)
		}
		out, err = getWebhook(ctx, tx, w.UUID)
		return err
	})
	return out, err
}

// PutWebhook implements broker.Store.
func (s *Store) PutWebhook(ctx context.Context, w broker.Webhook) (broker.Webhook, bool, error) {
	var (
		out     broker.Webhook
		created bool
	)
	err := s.write(ctx, func(tx *Tx) error {
		c, p, err := webhookParties(ctx, tx, w)
		if err != nil {
			return err
		}
		now := s.nowNanos()
		res, err := tx.ExecContext(ctx, `UPDATE webhooks SET consumer_id = ?, provider_id = ?, definition = ?, updated_at = ? WHERE uuid = ?`,
			c, p, string(w.Definition), now, w.UUID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			created = true
			if _, err := tx.ExecContext(ctx, `INSERT INTO webhooks (uuid, consumer_id, provider_id, definition, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
				w.UUID, c, p, string(w.Definition), now, now); err != nil {
				return err
			}
		}
		out, err = getWebhook(ctx, tx, w.UUID)
		return err
	})
	return out, created, err
}

// GetWebhook implements broker.Store.
func (s *Store) GetWebhook(ctx context.Context, uuid string) (broker.Webhook, error) {
	return readOne(ctx, s, func(tx *Tx) (broker.Webhook, error) { return getWebhook(ctx, tx, uuid) })
}

// ListWebhooks implements broker.Store.
func (s *Store) ListWebhooks(ctx context.Context, f broker.WebhookFilter) ([]broker.Webhook, error) {
	var out []broker.Webhook
	err := s.read(ctx, func(tx *Tx) error {
		var (
			conds []string
			args  []any
		)
		if f.Consumer != "" {
			conds = append(conds, "c.name = ?")
			args = append(args, f.Consumer)
		}
		if f.Provider != "" {
			conds = append(conds, "p.name = ?")
			args = append(args, f.Provider)
		}
		q := webhookSelect
		if len(conds) > 0 {
			q += "WHERE " + strings.Join(conds, " AND ")
		}
		var err error
		out, err = queryAll(ctx, tx, scanWebhook, q+` ORDER BY w.id LIMIT 1000`, args...)
		return err
	})
	return out, err
}

// DeleteWebhook implements broker.Store.
func (s *Store) DeleteWebhook(ctx context.Context, uuid string) error {
	return s.write(ctx, func(tx *Tx) error {
		return execOne(ctx, tx, notFound("webhook %q", uuid), `DELETE FROM webhooks WHERE uuid = ?`, uuid)
	})
}
