package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/contracts-dev/contracts/broker"
)

const envCols = `id, uuid, name, display_name, production, contacts, created_at, updated_at`

func scanEnvironment(row scanner) (int64, broker.Environment, error) {
	var (
		id       int64
		e        broker.Environment
		prod     int
		contacts sql.NullString
		cr, up   int64
	)
	err := row.Scan(&id, &e.UUID, &e.Name, &e.DisplayName, &prod, &contacts, &cr, &up)
	e.Production = prod != 0
	e.Contacts = rawJSON(contacts)
	e.CreatedAt, e.UpdatedAt = toTime(cr), toTime(up)
	return id, e, err
}

func environmentByUUID(ctx context.Context, tx *Tx, uuid string) (int64, broker.Environment, error) {
	id, e, err := scanEnvironment(tx.QueryRowContext(ctx, `SELECT `+envCols+` FROM environments WHERE uuid = ?`, uuid))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, e, notFound("environment %q", uuid)
	}
	return id, e, err
}

func environmentByName(ctx context.Context, tx *Tx, name string) (int64, broker.Environment, error) {
	id, e, err := scanEnvironment(tx.QueryRowContext(ctx, `SELECT `+envCols+` FROM environments WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, e, notFound("environment named %q", name)
	}
	return id, e, err
}

// CreateEnvironment implements broker.Store.
func (s *Store) CreateEnvironment(ctx context.Context, e broker.Environment) (broker.Environment, error) {
	if e.UUID == "" {
		e.UUID = s.newID()
	}
	var out broker.Environment
	err := s.write(ctx, func(tx *Tx) error {
		if _, _, err := environmentByName(ctx, tx, e.Name); err == nil {
			return fmt.Errorf("an environment named %q already exists: %w", e.Name, broker.ErrConflict)
		}
		if _, _, err := environmentByUUID(ctx, tx, e.UUID); err == nil {
			return fmt.Errorf("an environment with uuid %q already exists: %w", e.UUID, broker.ErrConflict)
		}
		now := s.nowNanos()
		if _, err := tx.ExecContext(ctx, `INSERT INTO environments (uuid, name, display_name, production, contacts, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, e.UUID, e.Name, e.DisplayName, boolInt(e.Production), nullJSON(e.Contacts), now, now); err != nil {
			return s.e.Translate(err)
		}
		var err error
		_, out, err = environmentByUUID(ctx, tx, e.UUID)
		return err
	})
	return out, err
}

// UpdateEnvironment implements broker.Store.
func (s *Store) UpdateEnvironment(ctx context.Context, e broker.Environment) (broker.Environment, error) {
	var out broker.Environment
	err := s.write(ctx, func(tx *Tx) error {
		id, _, err := environmentByUUID(ctx, tx, e.UUID)
		if err != nil {
			return err
		}
		if other, _, err := environmentByName(ctx, tx, e.Name); err == nil && other != id {
			return fmt.Errorf("another environment is named %q: %w", e.Name, broker.ErrConflict)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE environments SET name = ?, display_name = ?, production = ?, contacts = ?, updated_at = ? WHERE id = ?`,
			e.Name, e.DisplayName, boolInt(e.Production), nullJSON(e.Contacts), s.nowNanos(), id); err != nil {
			return s.e.Translate(err)
		}
		_, out, err = environmentByUUID(ctx, tx, e.UUID)
		return err
	})
	return out, err
}

// GetEnvironment implements broker.Store.
func (s *Store) GetEnvironment(ctx context.Context, uuid string) (broker.Environment, error) {
	return readOne(ctx, s, func(tx *Tx) (broker.Environment, error) {
		_, out, err := environmentByUUID(ctx, tx, uuid)
		return out, err
	})
}

// GetEnvironmentByName implements broker.Store.
func (s *Store) GetEnvironmentByName(ctx context.Context, name string) (broker.Environment, error) {
	return readOne(ctx, s, func(tx *Tx) (broker.Environment, error) {
		_, out, err := environmentByName(ctx, tx, name)
		return out, err
	})
}

// ListEnvironments implements broker.Store.
func (s *Store) ListEnvironments(ctx context.Context) ([]broker.Environment, error) {
	return readOne(ctx, s, func(tx *Tx) ([]broker.Environment, error) {
		return queryAll(ctx, tx, withoutID(scanEnvironment), `SELECT `+envCols+` FROM environments ORDER BY name`)
	})
}

// DeleteEnvironment implements broker.Store.
func (s *Store) DeleteEnvironment(ctx context.Context, uuid string) error {
	return s.write(ctx, func(tx *Tx) error {
		return execOne(ctx, tx, notFound("environment %q", uuid), `DELETE FROM environments WHERE uuid = ?`, uuid)
	})
}

const deployedSelect = `SELECT d.id, d.uuid, p.name, v.number, e.uuid, e.name, d.application_instance, d.currently_deployed, d.created_at, d.undeployed_at
	FROM deployed_versions d
	JOIN versions v ON v.id = d.version_id
	JOIN pacticipants p ON p.id = d.pacticipant_id
	JOIN environments e ON e.id = d.environment_id `

func scanDeployed(row scanner) (int64, broker.DeployedVersion, error) {
	var (
		id   int64
		d    broker.DeployedVersion
		cur  int
		cr   int64
		undp sql.NullInt64
	)
	err := row.Scan(&id, &d.UUID, &d.Pacticipant, &d.Version, &d.EnvironmentUUID, &d.EnvironmentName, &d.ApplicationInstance, &cur, &cr, &undp)
	d.CurrentlyDeployed = cur != 0
	d.CreatedAt = toTime(cr)
	d.UndeployedAt = toTimePtr(undp)
	return id, d, err
}

// record is how deployments and releases of versions to environments,
// which differ in their table and columns, are read and ended.
type record[T any] struct {
	name    string // in errors: "deployed version"
	alias   string // of the table in sel
	current string // the column that is 1 while the record is current
	sel     string // SELECT ... FROM the table joined with its version, pacticipant and environment
	scan    func(scanner) (int64, T, error)
	// end ends a current record: ?1 is the time, ?2 the UUID.
	end string
}

var (
	deployments = record[broker.DeployedVersion]{name: "deployed version", alias: "d", current: "currently_deployed", sel: deployedSelect, scan: scanDeployed,
		end: `UPDATE deployed_versions SET currently_deployed = 0, undeployed_at = ?1 WHERE uuid = ?2 AND currently_deployed = 1`}
	releases = record[broker.ReleasedVersion]{name: "released version", alias: "r", current: "currently_supported", sel: releasedSelect, scan: scanReleased,
		end: `UPDATE released_versions SET currently_supported = 0, support_ended_at = ?1, updated_at = ?1 WHERE uuid = ?2 AND currently_supported = 1`}
)

// get reads the record where (a WHERE clause on the table's alias) picks.
func (r record[T]) get(ctx context.Context, tx *Tx, where string, args ...any) (T, error) {
	_, v, err := r.scan(tx.QueryRowContext(ctx, r.sel+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return v, notFound("%s %v", r.name, args)
	}
	return v, err
}

func (r record[T]) byUUID(ctx context.Context, s *Store, uuid string) (T, error) {
	return readOne(ctx, s, func(tx *Tx) (T, error) { return r.get(ctx, tx, `WHERE `+r.alias+`.uuid = ?`, uuid) })
}

// endCurrent ends the record (when current) and returns it.
func (r record[T]) endCurrent(ctx context.Context, s *Store, uuid string) (T, error) {
	var out T
	where := `WHERE ` + r.alias + `.uuid = ?`
	err := s.write(ctx, func(tx *Tx) error {
		if _, err := r.get(ctx, tx, where, uuid); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, r.end, s.nowNanos(), uuid); err != nil {
			return err
		}
		var err error
		out, err = r.get(ctx, tx, where, uuid)
		return err
	})
	return out, err
}

// list reads the newest 1,000 records f picks.
func (r record[T]) list(ctx context.Context, s *Store, f broker.DeploymentFilter) ([]T, error) {
	var out []T
	err := s.read(ctx, func(tx *Tx) error {
		where, args := deploymentWhere(f, r.alias, r.current)
		var err error
		out, err = queryAll(ctx, tx, withoutID(r.scan), r.sel+where+`ORDER BY `+r.alias+`.id DESC LIMIT 1000`, args...)
		return err
	})
	return out, err
}

// RecordDeployment implements broker.Store.
func (s *Store) RecordDeployment(ctx context.Context, pacticipant, version, environmentUUID, applicationInstance string) (broker.DeployedVersion, bool, error) {
	var (
		out     broker.DeployedVersion
		created bool
	)
	err := s.write(ctx, func(tx *Tx) error {
		pid, vid, eid, err := versionAndEnvironment(ctx, tx, pacticipant, version, environmentUUID)
		if err != nil {
			return err
		}
		var id string
		id, created, err = s.deployTx(ctx, tx, pid, vid, eid, applicationInstance)
		if err != nil {
			return err
		}
		out, err = deployments.get(ctx, tx, `WHERE d.uuid = ?`, id)
		return err
	})
	return out, created, err
}

// deployTx records a deployment (see RecordDeployment) and returns its
// UUID and whether it is new.
func (s *Store) deployTx(ctx context.Context, tx *Tx, pid, vid, eid int64, applicationInstance string) (string, bool, error) {
	var (
		curUUID string
		curID   int64
		curVer  int64
	)
	err := tx.QueryRowContext(ctx, `SELECT uuid, id, version_id FROM deployed_versions
		WHERE environment_id = ? AND pacticipant_id = ? AND application_instance = ? AND currently_deployed = 1`,
		eid, pid, applicationInstance).Scan(&curUUID, &curID, &curVer)
	switch {
	case err == nil && curVer == vid:
		return curUUID, false, nil
	case err == nil:
		if _, err := tx.ExecContext(ctx, `UPDATE deployed_versions SET currently_deployed = 0, undeployed_at = ? WHERE id = ?`, s.nowNanos(), curID); err != nil {
			return "", false, err
		}
	case !errors.Is(err, sql.ErrNoRows):
		return "", false, err
	}
	id := s.newID()
	if _, err := tx.ExecContext(ctx, `INSERT INTO deployed_versions (uuid, version_id, pacticipant_id, environment_id, application_instance, currently_deployed, created_at)
		VALUES (?, ?, ?, ?, ?, 1, ?)`, id, vid, pid, eid, applicationInstance, s.nowNanos()); err != nil {
		return "", false, err
	}
	return id, true, nil
}

// GetDeployedVersion implements broker.Store.
func (s *Store) GetDeployedVersion(ctx context.Context, uuid string) (broker.DeployedVersion, error) {
	return deployments.byUUID(ctx, s, uuid)
}

// MarkUndeployed implements broker.Store.
func (s *Store) MarkUndeployed(ctx context.Context, uuid string) (broker.DeployedVersion, error) {
	return deployments.endCurrent(ctx, s, uuid)
}

func deploymentWhere(f broker.DeploymentFilter, prefix, currentCol string) (string, []any) {
	var (
		conds []string
		args  []any
	)
	if f.EnvironmentUUID != "" {
		conds = append(conds, "e.uuid = ?")
		args = append(args, f.EnvironmentUUID)
	}
	if f.Pacticipant != "" {
		conds = append(conds, "p.name = ?")
		args = append(args, f.Pacticipant)
	}
	if f.Version != "" {
		conds = append(conds, "v.number = ?")
		args = append(args, f.Version)
	}
	if f.ApplicationInstance != nil && prefix == "d" {
		conds = append(conds, "d.application_instance = ?")
		args = append(args, *f.ApplicationInstance)
	}
	if f.CurrentOnly {
		conds = append(conds, prefix+"."+currentCol+" = 1")
	}
	if len(conds) == 0 {
		return "", nil
	}
	return "WHERE " + strings.Join(conds, " AND ") + " ", args
}

// ListDeployedVersions implements broker.Store.
func (s *Store) ListDeployedVersions(ctx context.Context, f broker.DeploymentFilter) ([]broker.DeployedVersion, error) {
	return deployments.list(ctx, s, f)
}

const releasedSelect = `SELECT r.id, r.uuid, p.name, v.number, e.uuid, e.name, r.currently_supported, r.created_at, r.updated_at, r.support_ended_at
	FROM released_versions r
	JOIN versions v ON v.id = r.version_id
	JOIN pacticipants p ON p.id = r.pacticipant_id
	JOIN environments e ON e.id = r.environment_id `

func scanReleased(row scanner) (int64, broker.ReleasedVersion, error) {
	var (
		id     int64
		r      broker.ReleasedVersion
		cur    int
		cr, up int64
		ended  sql.NullInt64
	)
	err := row.Scan(&id, &r.UUID, &r.Pacticipant, &r.Version, &r.EnvironmentUUID, &r.EnvironmentName, &cur, &cr, &up, &ended)
	r.CurrentlySupported = cur != 0
	r.CreatedAt, r.UpdatedAt = toTime(cr), toTime(up)
	r.SupportEndedAt = toTimePtr(ended)
	return id, r, err
}

// RecordRelease implements broker.Store.
func (s *Store) RecordRelease(ctx context.Context, pacticipant, version, environmentUUID string) (broker.ReleasedVersion, bool, error) {
	var (
		out     broker.ReleasedVersion
		created bool
	)
	err := s.write(ctx, func(tx *Tx) error {
		pid, vid, eid, err := versionAndEnvironment(ctx, tx, pacticipant, version, environmentUUID)
		if err != nil {
			return err
		}
		now := s.nowNanos()
		var id int64
		err = tx.QueryRowContext(ctx, `SELECT id FROM released_versions WHERE version_id = ? AND environment_id = ?`, vid, eid).Scan(&id)
		switch {
		case err == nil:
			if _, err := tx.ExecContext(ctx, `UPDATE released_versions SET currently_supported = 1, support_ended_at = NULL, updated_at = ?
				WHERE id = ? AND currently_supported = 0`, now, id); err != nil {
				return err
			}
			out, err = releases.get(ctx, tx, `WHERE r.id = ?`, id)
			return err
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		uuid := s.newID()
		if _, err := tx.ExecContext(ctx, `INSERT INTO released_versions (uuid, version_id, pacticipant_id, environment_id, currently_supported, created_at, updated_at)
			VALUES (?, ?, ?, ?, 1, ?, ?)`, uuid, vid, pid, eid, now, now); err != nil {
			return err
		}
		created = true
		out, err = releases.get(ctx, tx, `WHERE r.uuid = ?`, uuid)
		return err
	})
	return out, created, err
}

// GetReleasedVersion implements broker.Store.
func (s *Store) GetReleasedVersion(ctx context.Context, uuid string) (broker.ReleasedVersion, error) {
	return releases.byUUID(ctx, s, uuid)
}

// EndSupport implements broker.Store.
func (s *Store) EndSupport(ctx context.Context, uuid string) (broker.ReleasedVersion, error) {
	return releases.endCurrent(ctx, s, uuid)
}

// ListReleasedVersions implements broker.Store.
func (s *Store) ListReleasedVersions(ctx context.Context, f broker.DeploymentFilter) ([]broker.ReleasedVersion, error) {
	return releases.list(ctx, s, f)
}

// versionAndEnvironment looks up a pacticipant's version and an environment
// by UUID: their ids, or ErrNotFound naming the one missing.
func versionAndEnvironment(ctx context.Context, tx *Tx, pacticipant, version, environmentUUID string) (pid, vid, eid int64, err error) {
	if pid, vid, err = lookupVersion(ctx, tx, pacticipant, version); err != nil {
		return 0, 0, 0, err
	}
	eid, _, err = environmentByUUID(ctx, tx, environmentUUID)
	return pid, vid, eid, err
}
