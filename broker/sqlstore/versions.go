package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/contracts-dev/contracts/broker"
)

func versionID(ctx context.Context, tx *Tx, pid int64, pacticipant, number string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM versions WHERE pacticipant_id = ? AND number = ?`, pid, number).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, notFound("version %q of pacticipant %q", number, pacticipant)
	}
	return id, err
}

// lookupVersion resolves pacticipant and version names to ids.
func lookupVersion(ctx context.Context, tx *Tx, pacticipant, number string) (pid, vid int64, err error) {
	pid, err = pacticipantID(ctx, tx, pacticipant)
	if err != nil {
		return 0, 0, err
	}
	vid, err = versionID(ctx, tx, pid, pacticipant, number)
	return pid, vid, err
}

// ensureVersion creates pacticipant and version as needed.
func (s *Store) ensureVersion(ctx context.Context, tx *Tx, pacticipant, number string) (pid, vid int64, created bool, err error) {
	pid, _, err = s.ensurePacticipant(ctx, tx, pacticipant)
	if err != nil {
		return 0, 0, false, err
	}
	vid, err = versionID(ctx, tx, pid, pacticipant, number)
	if err == nil {
		return pid, vid, false, nil
	}
	if !errors.Is(err, broker.ErrNotFound) {
		return 0, 0, false, err
	}
	now := s.nowNanos()
	vid, err = s.insertID(ctx, tx, `INSERT INTO versions (pacticipant_id, number, created_at, updated_at) VALUES (?, ?, ?, ?)`, pid, number, now, now)
	if err != nil {
		return 0, 0, false, fmt.Errorf("create version %q of %q: %w", number, pacticipant, err)
	}
	return pid, vid, true, nil
}

func stringList(ctx context.Context, tx *Tx, query string, args ...any) ([]string, error) {
	return queryAll(ctx, tx, func(r scanner) (string, error) {
		var s string
		err := r.Scan(&s)
		return s, err
	}, query, args...)
}

// loadVersion reads a version by id with its branches and tags.
func loadVersion(ctx context.Context, tx *Tx, vid int64) (broker.Version, error) {
	var (
		v      broker.Version
		cr, up int64
	)
	err := tx.QueryRowContext(ctx, `SELECT p.name, v.number, v.build_url, v.created_at, v.updated_at
		FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id WHERE v.id = ?`, vid).
		Scan(&v.Pacticipant, &v.Number, &v.BuildURL, &cr, &up)
	if errors.Is(err, sql.ErrNoRows) {
		return v, notFound("version id %d", vid)
	}
	if err != nil {
		return v, err
	}
	v.CreatedAt, v.UpdatedAt = toTime(cr), toTime(up)
	if v.Branches, err = versionBranches(ctx, tx, vid); err != nil {
		return v, err
	}
	v.Tags, err = versionTags(ctx, tx, vid)
	return v, err
}

func versionBranches(ctx context.Context, tx *Tx, vid int64) ([]string, error) {
	return stringList(ctx, tx, `SELECT b.name FROM branch_versions bv JOIN branches b ON b.id = bv.branch_id
		WHERE bv.version_id = ? ORDER BY bv.created_at, b.id`, vid)
}

func versionTags(ctx context.Context, tx *Tx, vid int64) ([]string, error) {
	return stringList(ctx, tx, `SELECT name FROM tags WHERE version_id = ? ORDER BY created_at, name`, vid)
}

// PutVersion implements broker.Store.
func (s *Store) PutVersion(ctx context.Context, pacticipant, number, buildURL string) (broker.Version, bool, error) {
	var (
		out     broker.Version
		created bool
	)
	err := s.write(ctx, func(tx *Tx) error {
		_, vid, c, err := s.ensureVersion(ctx, tx, pacticipant, number)
		if err != nil {
			return err
		}
		created = c
		if buildURL != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE versions SET build_url = ?, updated_at = ? WHERE id = ?`, buildURL, s.nowNanos(), vid); err != nil {
				return err
			}
		}
		out, err = loadVersion(ctx, tx, vid)
		return err
	})
	return out, created, err
}

// GetVersion implements broker.Store.
func (s *Store) GetVersion(ctx context.Context, pacticipant, number string) (broker.Version, error) {
	var out broker.Version
	err := s.read(ctx, func(tx *Tx) error {
		_, vid, err := lookupVersion(ctx, tx, pacticipant, number)
		if err != nil {
			return err
		}
		out, err = loadVersion(ctx, tx, vid)
		return err
	})
	return out, err
}

// latestVersionID finds the latest version of pid matching f (0 if none).
func latestVersionID(ctx context.Context, tx *Tx, pid int64, f broker.VersionFilter) (int64, error) {
	var (
		id  sql.NullInt64
		err error
	)
	switch {
	case f.Branch != "":
		err = tx.QueryRowContext(ctx, `SELECT h.version_id FROM branches b JOIN branch_heads h ON h.branch_id = b.id
			WHERE b.pacticipant_id = ? AND b.name = ?`, pid, f.Branch).Scan(&id)
	case f.Tag != "":
		err = tx.QueryRowContext(ctx, `SELECT max(version_id) FROM tags WHERE pacticipant_id = ? AND name = ?`, pid, f.Tag).Scan(&id)
	default:
		err = tx.QueryRowContext(ctx, `SELECT max(id) FROM versions WHERE pacticipant_id = ?`, pid).Scan(&id)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id.Int64, err
}

// LatestVersion implements broker.Store.
func (s *Store) LatestVersion(ctx context.Context, pacticipant string, f broker.VersionFilter) (broker.Version, error) {
	var out broker.Version
	err := s.read(ctx, func(tx *Tx) error {
		pid, err := pacticipantID(ctx, tx, pacticipant)
		if err != nil {
			return err
		}
		vid, err := latestVersionID(ctx, tx, pid, f)
		if err != nil {
			return err
		}
		if vid == 0 {
			switch {
			case f.Branch != "":
				return notFound("no version of %q on branch %q", pacticipant, f.Branch)
			case f.Tag != "":
				return notFound("no version of %q with tag %q", pacticipant, f.Tag)
			}
			return notFound("no version of %q", pacticipant)
		}
		out, err = loadVersion(ctx, tx, vid)
		return err
	})
	return out, err
}

func (s *Store) listVersionIDs(ctx context.Context, tx *Tx, query string, args ...any) ([]broker.Version, error) {
	ids, err := idList(ctx, tx, query, args...)
	if err != nil {
		return nil, err
	}
	return s.loadVersions(ctx, tx, ids)
}

// loadVersions reads versions by id with their branches and tags in one
// statement, in the order of ids.
func (s *Store) loadVersions(ctx context.Context, tx *Tx, ids []int64) ([]broker.Version, error) {
	if len(ids) == 0 {
		return []broker.Version{}, nil
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]broker.Version, len(ids))
	_, err = queryAll(ctx, tx, func(r scanner) (struct{}, error) {
		var (
			id             int64
			v              broker.Version
			cr, up         int64
			branches, tags sql.NullString
		)
		if err := r.Scan(&id, &v.Pacticipant, &v.Number, &v.BuildURL, &cr, &up, &branches, &tags); err != nil {
			return struct{}{}, err
		}
		v.CreatedAt, v.UpdatedAt = toTime(cr), toTime(up)
		var err error
		if v.Branches, err = jsonNames(branches); err != nil {
			return struct{}{}, err
		}
		if v.Tags, err = jsonNames(tags); err != nil {
			return struct{}{}, err
		}
		byID[id] = v
		return struct{}{}, nil
	}, `SELECT v.id, p.name, v.number, v.build_url, v.created_at, v.updated_at,
		(SELECT `+s.d.JSONArray(`b.name ORDER BY bv.created_at, b.id`)+` FROM branch_versions bv JOIN branches b ON b.id = bv.branch_id WHERE bv.version_id = v.id),
		(SELECT `+s.d.JSONArray(`t.name ORDER BY t.created_at, t.name`)+` FROM tags t WHERE t.version_id = v.id)
		FROM `+s.d.JSONTextRows(`?`)+` `+s.d.Join+` versions v ON v.id = `+s.d.JSONInt(`j.value`)+` JOIN pacticipants p ON p.id = v.pacticipant_id`, string(list))
	if err != nil {
		return nil, err
	}
	out := make([]broker.Version, 0, len(ids))
	for _, id := range ids {
		if v, ok := byID[id]; ok {
			out = append(out, v)
		}
	}
	return out, nil
}

// ListVersions implements broker.Store.
func (s *Store) ListVersions(ctx context.Context, pacticipant string, page broker.Page) ([]broker.Version, error) {
	limit, offset := pageBounds(page)
	var out []broker.Version
	err := s.read(ctx, func(tx *Tx) error {
		pid, err := pacticipantID(ctx, tx, pacticipant)
		if err != nil {
			return err
		}
		out, err = s.listVersionIDs(ctx, tx, `SELECT id FROM versions WHERE pacticipant_id = ? ORDER BY id DESC LIMIT ? OFFSET ?`, pid, limit, offset)
		return err
	})
	return out, err
}

// DeleteVersion implements broker.Store.
func (s *Store) DeleteVersion(ctx context.Context, pacticipant, number string) error {
	return s.erase(ctx, func(tx *Tx) error {
		_, vid, err := lookupVersion(ctx, tx, pacticipant, number)
		if err != nil {
			return err
		}
		heads, err := idList(ctx, tx, `SELECT branch_id FROM branch_heads WHERE version_id = ?`, vid)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM versions WHERE id = ?`, vid); err != nil {
			return err
		}
		for _, b := range heads {
			if err := refreshBranchHead(ctx, tx, b); err != nil {
				return err
			}
		}
		return nil
	})
}

func refreshBranchHead(ctx context.Context, tx *Tx, branchID int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO branch_heads (branch_id, version_id)
		SELECT branch_id, max(version_id) FROM branch_versions WHERE branch_id = ? GROUP BY branch_id
		ON CONFLICT (branch_id) DO UPDATE SET version_id = excluded.version_id`, branchID)
	return err
}

// addBranchVersion puts vid on the branch and maintains the branch head.
func (s *Store) addBranchVersion(ctx context.Context, tx *Tx, pid, vid int64, b broker.BranchWrite) (created bool, err error) {
	branch := b.Name
	now := s.nowNanos()
	var bid int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM branches WHERE pacticipant_id = ? AND name = ?`, pid, branch).Scan(&bid)
	if errors.Is(err, sql.ErrNoRows) {
		if bid, err = s.insertID(ctx, tx, `INSERT INTO branches (pacticipant_id, name, created_at, updated_at) VALUES (?, ?, ?, ?)`, pid, branch, now, now); err != nil {
			return false, err
		}
	} else if err != nil {
		return false, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO branch_versions (branch_id, version_id, pacticipant_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, bid, vid, pid, now)
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	if b.SetMainBranch {
		if err := s.setMainBranchIfNone(ctx, tx, pid, branch); err != nil {
			return false, err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO branch_heads (branch_id, version_id) VALUES (?, ?)
		ON CONFLICT (branch_id) DO UPDATE SET version_id = `+s.d.Greatest+`(branch_heads.version_id, excluded.version_id)`, bid, vid); err != nil {
		return false, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE branches SET updated_at = ? WHERE id = ?`, now, bid)
	return true, err
}

// AddBranchVersion implements broker.Store.
func (s *Store) AddBranchVersion(ctx context.Context, pacticipant, version string, b broker.BranchWrite) (broker.BranchVersion, bool, error) {
	var (
		out     broker.BranchVersion
		created bool
	)
	err := s.write(ctx, func(tx *Tx) error {
		pid, vid, _, err := s.ensureVersion(ctx, tx, pacticipant, version)
		if err != nil {
			return err
		}
		if created, err = s.addBranchVersion(ctx, tx, pid, vid, b); err != nil {
			return err
		}
		out, err = getBranchVersion(ctx, tx, pacticipant, b.Name, version)
		return err
	})
	return out, created, err
}

func getBranchVersion(ctx context.Context, tx *Tx, pacticipant, branch, version string) (broker.BranchVersion, error) {
	var cr int64
	err := tx.QueryRowContext(ctx, `SELECT bv.created_at FROM branch_versions bv
		JOIN branches b ON b.id = bv.branch_id
		JOIN versions v ON v.id = bv.version_id
		JOIN pacticipants p ON p.id = b.pacticipant_id
		WHERE p.name = ? AND b.name = ? AND v.number = ? AND v.pacticipant_id = p.id`, pacticipant, branch, version).Scan(&cr)
	if errors.Is(err, sql.ErrNoRows) {
		return broker.BranchVersion{}, notFound("version %q of %q on branch %q", version, pacticipant, branch)
	}
	return broker.BranchVersion{Pacticipant: pacticipant, Branch: branch, Version: version, CreatedAt: toTime(cr)}, err
}

// GetBranchVersion implements broker.Store.
func (s *Store) GetBranchVersion(ctx context.Context, pacticipant, branch, version string) (broker.BranchVersion, error) {
	return readOne(ctx, s, func(tx *Tx) (broker.BranchVersion, error) {
		return getBranchVersion(ctx, tx, pacticipant, branch, version)
	})
}

const branchSelect = `SELECT b.id, p.name, b.name, coalesce(v.number, ''), b.created_at, b.updated_at
	FROM branches b JOIN pacticipants p ON p.id = b.pacticipant_id
	LEFT JOIN branch_heads h ON h.branch_id = b.id
	LEFT JOIN versions v ON v.id = h.version_id `

func scanBranch(row scanner) (int64, broker.Branch, error) {
	var (
		id     int64
		b      broker.Branch
		cr, up int64
	)
	err := row.Scan(&id, &b.Pacticipant, &b.Name, &b.Head, &cr, &up)
	b.CreatedAt, b.UpdatedAt = toTime(cr), toTime(up)
	return id, b, err
}

func getBranch(ctx context.Context, tx *Tx, pacticipant, branch string) (int64, broker.Branch, error) {
	id, b, err := scanBranch(tx.QueryRowContext(ctx, branchSelect+`WHERE p.name = ? AND b.name = ?`, pacticipant, branch))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, b, notFound("branch %q of pacticipant %q", branch, pacticipant)
	}
	return id, b, err
}

// GetBranch implements broker.Store.
func (s *Store) GetBranch(ctx context.Context, pacticipant, branch string) (broker.Branch, error) {
	return readOne(ctx, s, func(tx *Tx) (broker.Branch, error) {
		_, out, err := getBranch(ctx, tx, pacticipant, branch)
		return out, err
	})
}

// ListBranches implements broker.Store.
func (s *Store) ListBranches(ctx context.Context, pacticipant string, page broker.Page) ([]broker.Branch, error) {
	limit, offset := pageBounds(page)
	var out []broker.Branch
	err := s.read(ctx, func(tx *Tx) error {
		pid, err := pacticipantID(ctx, tx, pacticipant)
		if err != nil {
			return err
		}
		out, err = queryAll(ctx, tx, withoutID(scanBranch), branchSelect+`WHERE b.pacticipant_id = ? ORDER BY b.updated_at DESC, b.id DESC LIMIT ? OFFSET ?`, pid, limit, offset)
		return err
	})
	return out, err
}

// ListBranchVersions implements broker.Store.
func (s *Store) ListBranchVersions(ctx context.Context, pacticipant, branch string, page broker.Page) ([]broker.Version, error) {
	limit, offset := pageBounds(page)
	var out []broker.Version
	err := s.read(ctx, func(tx *Tx) error {
		if _, err := pacticipantID(ctx, tx, pacticipant); err != nil {
			return err
		}
		bid, _, err := getBranch(ctx, tx, pacticipant, branch)
		if err != nil {
			return err
		}
		out, err = s.listVersionIDs(ctx, tx, `SELECT version_id FROM branch_versions WHERE branch_id = ? ORDER BY version_id DESC LIMIT ? OFFSET ?`, bid, limit, offset)
		return err
	})
	return out, err
}

// DeleteBranch implements broker.Store.
func (s *Store) DeleteBranch(ctx context.Context, pacticipant, branch string) error {
	return s.write(ctx, func(tx *Tx) error {
		bid, _, err := getBranch(ctx, tx, pacticipant, branch)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM branches WHERE id = ?`, bid)
		return err
	})
}

// addTag tags vid and applies t's effects when the tag is new.
func (s *Store) addTag(ctx context.Context, tx *Tx, pid, vid int64, t broker.TagWrite) (bool, error) {
	tag := t.Name
	res, err := tx.ExecContext(ctx, `INSERT INTO tags (version_id, name, pacticipant_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, vid, tag, pid, s.nowNanos())
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		return false, nil
	}
	if t.SetMainBranch {
		if err := s.setMainBranchIfNone(ctx, tx, pid, tag); err != nil {
			return false, err
		}
	}
	if t.BranchWithin > 0 {
		if err := s.branchIfFirstTag(ctx, tx, pid, vid, t); err != nil {
			return false, err
		}
	}
	if t.RecordDeployment {
		if err := s.deployToNamed(ctx, tx, pid, vid, tag); err != nil {
			return false, err
		}
	}
	return true, nil
}

// deployToNamed records a deployment of vid to the environment named
// name, when there is one.
func (s *Store) deployToNamed(ctx context.Context, tx *Tx, pid, vid int64, name string) error {
	var eid int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM environments WHERE name = ?`, name).Scan(&eid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	_, _, err = s.deployTx(ctx, tx, pid, vid, eid, "")
	return err
}

// branchIfFirstTag puts vid on a branch named t.Name when it has no
// branch, t is its only tag and it was created at most t.BranchWithin ago
// (see broker.TagWrite).
func (s *Store) branchIfFirstTag(ctx context.Context, tx *Tx, pid, vid int64, t broker.TagWrite) error {
	var created int64
	var branches, tags int
	if err := tx.QueryRowContext(ctx, `SELECT created_at,
		(SELECT count(*) FROM branch_versions WHERE version_id = versions.id),
		(SELECT count(*) FROM tags WHERE version_id = versions.id)
		FROM versions WHERE id = ?`, vid).Scan(&created, &branches, &tags); err != nil {
		return err
	}
	if branches > 0 || tags != 1 || s.nowNanos()-created > int64(t.BranchWithin) {
		return nil
	}
	_, err := s.addBranchVersion(ctx, tx, pid, vid, broker.BranchWrite{Name: t.Name, SetMainBranch: t.SetMainBranch})
	return err
}

// setMainBranchIfNone gives a pacticipant without a main branch this one.
func (s *Store) setMainBranchIfNone(ctx context.Context, tx *Tx, pid int64, name string) error {
	_, err := tx.ExecContext(ctx, `UPDATE pacticipants SET main_branch = ?, updated_at = ? WHERE id = ? AND main_branch = ''`, name, s.nowNanos(), pid)
	return err
}

func getTag(ctx context.Context, tx *Tx, pacticipant, version, tag string) (broker.Tag, error) {
	_, vid, err := lookupVersion(ctx, tx, pacticipant, version)
	if err != nil {
		return broker.Tag{}, err
	}
	var cr int64
	err = tx.QueryRowContext(ctx, `SELECT created_at FROM tags WHERE version_id = ? AND name = ?`, vid, tag).Scan(&cr)
	if errors.Is(err, sql.ErrNoRows) {
		return broker.Tag{}, notFound("tag %q on version %q of %q", tag, version, pacticipant)
	}
	return broker.Tag{Pacticipant: pacticipant, Version: version, Name: tag, CreatedAt: toTime(cr)}, err
}

// AddTag implements broker.Store.
func (s *Store) AddTag(ctx context.Context, pacticipant, version string, t broker.TagWrite) (broker.Tag, bool, error) {
	var (
		out     broker.Tag
		created bool
	)
	err := s.write(ctx, func(tx *Tx) error {
		pid, vid, _, err := s.ensureVersion(ctx, tx, pacticipant, version)
		if err != nil {
			return err
		}
		if created, err = s.addTag(ctx, tx, pid, vid, t); err != nil {
			return err
		}
		out, err = getTag(ctx, tx, pacticipant, version, t.Name)
		return err
	})
	return out, created, err
}

// GetTag implements broker.Store.
func (s *Store) GetTag(ctx context.Context, pacticipant, version, tag string) (broker.Tag, error) {
	return readOne(ctx, s, func(tx *Tx) (broker.Tag, error) { return getTag(ctx, tx, pacticipant, version, tag) })
}

// ListTags implements broker.Store.
func (s *Store) ListTags(ctx context.Context, pacticipant, version string) ([]broker.Tag, error) {
	var out []broker.Tag
	err := s.read(ctx, func(tx *Tx) error {
		_, vid, err := lookupVersion(ctx, tx, pacticipant, version)
		if err != nil {
			return err
		}
		out, err = queryAll(ctx, tx, func(r scanner) (broker.Tag, error) {
			t := broker.Tag{Pacticipant: pacticipant, Version: version}
			var cr int64
			err := r.Scan(&t.Name, &cr)
			t.CreatedAt = toTime(cr)
			return t, err
		}, `SELECT name, created_at FROM tags WHERE version_id = ? ORDER BY created_at, name`, vid)
		return err
	})
	return out, err
}

// DeleteTag implements broker.Store.
func (s *Store) DeleteTag(ctx context.Context, pacticipant, version, tag string) error {
	return s.write(ctx, func(tx *Tx) error {
		_, vid, err := lookupVersion(ctx, tx, pacticipant, version)
		if err != nil {
			return err
		}
		return execOne(ctx, tx, notFound("tag %q on version %q of %q", tag, version, pacticipant), `DELETE FROM tags WHERE version_id = ? AND name = ?`, vid, tag)
	})
}
