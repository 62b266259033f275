package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/contracts-dev/contracts/broker"
)

const pacticipantCols = `id, name, display_name, repository_url, main_branch, created_at, updated_at`

func scanPacticipant(row scanner) (int64, broker.Pacticipant, error) {
	var (
		id     int64
		p      broker.Pacticipant
		cr, up int64
	)
	err := row.Scan(&id, &p.Name, &p.DisplayName, &p.RepositoryURL, &p.MainBranch, &cr, &up)
	p.CreatedAt, p.UpdatedAt = toTime(cr), toTime(up)
	return id, p, err
}

func pacticipantID(ctx context.Context, tx *Tx, name string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM pacticipants WHERE name = ?`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, notFound("pacticipant %q", name)
	}
	return id, err
}

func (s *Store) ensurePacticipant(ctx context.Context, tx *Tx, name string) (int64, bool, error) {
	id, err := pacticipantID(ctx, tx, name)
	if err == nil {
		return id, false, nil
	}
	if !errors.Is(err, broker.ErrNotFound) {
		return 0, false, err
	}
	now := s.nowNanos()
	id, err = s.insertID(ctx, tx, `INSERT INTO pacticipants (name, created_at, updated_at) VALUES (?, ?, ?)`, name, now, now)
	if err != nil {
		return 0, false, fmt.Errorf("create pacticipant %q: %w", name, err)
	}
	return id, true, nil
}

func getPacticipant(ctx context.Context, tx *Tx, name string) (int64, broker.Pacticipant, error) {
	id, p, err := scanPacticipant(tx.QueryRowContext(ctx, `SELECT `+pacticipantCols+` FROM pacticipants WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, p, notFound("pacticipant %q", name)
	}
	return id, p, err
}

// CreatePacticipant implements broker.Store.
func (s *Store) CreatePacticipant(ctx context.Context, p broker.Pacticipant) (broker.Pacticipant, error) {
	var out broker.Pacticipant
	err := s.write(ctx, func(tx *Tx) error {
		if _, err := pacticipantID(ctx, tx, p.Name); err == nil {
			return fmt.Errorf("pacticipant %q already exists: %w", p.Name, broker.ErrConflict)
		}
		now := s.nowNanos()
		_, err := tx.ExecContext(ctx, `INSERT INTO pacticipants (name, display_name, repository_url, main_branch, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)`, p.Name, p.DisplayName, p.RepositoryURL, p.MainBranch, now, now)
		if err != nil {
			return fmt.Errorf("create pacticipant %q: %w", p.Name, s.e.Translate(err))
		}
		_, out, err = getPacticipant(ctx, tx, p.Name)
		return err
	})
	return out, err
}

// PutPacticipant implements broker.Store.
func (s *Store) PutPacticipant(ctx context.Context, p broker.Pacticipant) (broker.Pacticipant, bool, error) {
	var (
		out     broker.Pacticipant
		created bool
	)
	err := s.write(ctx, func(tx *Tx) error {
		now := s.nowNanos()
		res, err := tx.ExecContext(ctx, `UPDATE pacticipants SET display_name = ?, repository_url = ?, main_branch = ?, updated_at = ? WHERE name = ?`,
			p.DisplayName, p.RepositoryURL, p.MainBranch, now, p.Name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			created = true
			if _, err := tx.ExecContext(ctx, `INSERT INTO pacticipants (name, display_name, repository_url, main_branch, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?)`, p.Name, p.DisplayName, p.RepositoryURL, p.MainBranch, now, now); err != nil {
				return err
			}
		}
		_, out, err = getPacticipant(ctx, tx, p.Name)
		return err
	})
	return out, created, err
}

// GetPacticipant implements broker.Store.
func (s *Store) GetPacticipant(ctx context.Context, name string) (broker.Pacticipant, error) {
	return readOne(ctx, s, func(tx *Tx) (broker.Pacticipant, error) {
		_, out, err := getPacticipant(ctx, tx, name)
		return out, err
	})
}

// ListPacticipants implements broker.Store.
func (s *Store) ListPacticipants(ctx context.Context, page broker.Page) ([]broker.Pacticipant, error) {
	limit, offset := pageBounds(page)
	return readOne(ctx, s, func(tx *Tx) ([]broker.Pacticipant, error) {
		return queryAll(ctx, tx, withoutID(scanPacticipant), `SELECT `+pacticipantCols+` FROM pacticipants ORDER BY name LIMIT ? OFFSET ?`, limit, offset)
	})
}

// DeletePacticipant implements broker.Store.
func (s *Store) DeletePacticipant(ctx context.Context, name string) error {
	return s.erase(ctx, func(tx *Tx) error {
		return execOne(ctx, tx, notFound("pacticipant %q", name), `DELETE FROM pacticipants WHERE name = ?`, name)
	})
}
