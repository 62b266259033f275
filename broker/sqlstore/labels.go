package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/contracts-dev/contracts/broker"
)

func getLabel(ctx context.Context, tx *Tx, pacticipant, label string) (broker.Label, error) {
	l := broker.Label{Pacticipant: pacticipant, Name: label}
	var cr int64
	err := tx.QueryRowContext(ctx, `SELECT l.created_at FROM labels l JOIN pacticipants p ON p.id = l.pacticipant_id
		WHERE p.name = ? AND l.name = ?`, pacticipant, label).Scan(&cr)
	if errors.Is(err, sql.ErrNoRows) {
		return l, notFound("label %q of pacticipant %q", label, pacticipant)
	}
	l.CreatedAt = toTime(cr)
	return l, err
}

// PutLabel implements broker.Store.
func (s *Store) PutLabel(ctx context.Context, pacticipant, label string) (broker.Label, bool, error) {
	var (
		out     broker.Label
		created bool
	)
	err := s.write(ctx, func(tx *Tx) error {
		pid, _, err := s.ensurePacticipant(ctx, tx, pacticipant)
		if err != nil {
			return err
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO labels (pacticipant_id, name, created_at) VALUES (?, ?, ?)
			ON CONFLICT (pacticipant_id, name) DO NOTHING`, pid, label, s.nowNanos())
		if err != nil {
			return err
		}
		n, err := r.RowsAffected()
		if err != nil {
			return err
		}
		created = n > 0
		out, err = getLabel(ctx, tx, pacticipant, label)
		return err
	})
	return out, created, err
}

// GetLabel implements broker.Store.
func (s *Store) GetLabel(ctx context.Context, pacticipant, label string) (broker.Label, error) {
	return readOne(ctx, s, func(tx *Tx) (broker.Label, error) { return getLabel(ctx, tx, pacticipant, label) })
}

// DeleteLabel implements broker.Store.
func (s *Store) DeleteLabel(ctx context.Context, pacticipant, label string) error {
	return s.write(ctx, func(tx *Tx) error {
		return execOne(ctx, tx, notFound("label %q of pacticipant %q", label, pacticipant),
			`DELETE FROM labels WHERE name = ? AND pacticipant_id = (SELECT id FROM pacticipants WHERE name = ?)`, label, pacticipant)
	})
}

// ListLabels implements broker.Store.
func (s *Store) ListLabels(ctx context.Context, pacticipant string) ([]broker.Label, error) {
	var out []broker.Label
	err := s.read(ctx, func(tx *Tx) error {
		var err error
		out, err = queryAll(ctx, tx, func(r scanner) (broker.Label, error) {
			l := broker.Label{Pacticipant: pacticipant}
			var cr int64
			err := r.Scan(&l.Name, &cr)
			l.CreatedAt = toTime(cr)
			return l, err
		}, `SELECT l.name, l.created_at FROM labels l JOIN pacticipants p ON p.id = l.pacticipant_id WHERE p.name = ? ORDER BY l.name`, pacticipant)
		return err
	})
	return out, err
}

// ListLabelledPacticipants implements broker.Store.
func (s *Store) ListLabelledPacticipants(ctx context.Context, label string, page broker.Page) ([]broker.Pacticipant, error) {
	limit, offset := pageBounds(page)
	var out []broker.Pacticipant
	err := s.read(ctx, func(tx *Tx) error {
		var err error
		out, err = queryAll(ctx, tx, withoutID(scanPacticipant), `SELECT `+pacticipantCols+` FROM pacticipants
			WHERE id IN (SELECT pacticipant_id FROM labels WHERE name = ?) ORDER BY name LIMIT ? OFFSET ?`, label, limit, offset)
		return err
	})
	return out, err
}

// ListLabelNames implements broker.Store.
func (s *Store) ListLabelNames(ctx context.Context, page broker.Page) ([]string, error) {
	limit, offset := pageBounds(page)
	var out []string
	err := s.read(ctx, func(tx *Tx) error {
		var err error
		out, err = queryAll(ctx, tx, func(r scanner) (string, error) {
			var n string
			return n, r.Scan(&n)
		}, `SELECT DISTINCT name FROM labels ORDER BY name LIMIT ? OFFSET ?`, limit, offset)
		return err
	})
	return out, err
}
