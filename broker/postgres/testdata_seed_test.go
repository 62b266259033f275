package postgres_test

// bulkHistory grows every history table of a migrated database to tens of
// thousands of rows (100 consumer/provider pairs, 200 versions each, with
// branches, tags, deployments, releases, pacts and verifications), so the
// planner's choices are those of a large broker. The rows are consistent
// (foreign keys hold) but not meant to be read through the store.
const bulkHistory = `
INSERT INTO pacticipants (name, created_at, updated_at) SELECT 'bulk-' || g, 0, 0 FROM generate_series(1, 200) g;
INSERT INTO versions (pacticipant_id, number, created_at, updated_at)
  SELECT p.id, 'v' || g, g, g FROM pacticipants p, generate_series(1, 200) g WHERE p.name LIKE 'bulk-%';
INSERT INTO branches (pacticipant_id, name, created_at, updated_at)
  SELECT p.id, 'b' || g, 0, 0 FROM pacticipants p, generate_series(0, 4) g WHERE p.name LIKE 'bulk-%';
INSERT INTO branch_versions (branch_id, version_id, pacticipant_id, created_at)
  SELECT b.id, v.id, v.pacticipant_id, 0 FROM versions v JOIN branches b ON b.pacticipant_id = v.pacticipant_id AND b.name = 'b' || (v.id % 5)
  JOIN pacticipants p ON p.id = v.pacticipant_id WHERE p.name LIKE 'bulk-%';
INSERT INTO branch_heads (branch_id, version_id) SELECT branch_id, max(version_id) FROM branch_versions GROUP BY branch_id ON CONFLICT DO NOTHING;
INSERT INTO tags (version_id, name, pacticipant_id, created_at)
  SELECT v.id, 't' || (v.id % 7), v.pacticipant_id, v.id FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id WHERE p.name LIKE 'bulk-%';
INSERT INTO environments (uuid, name, created_at, updated_at) SELECT 'bulk-env-' || g, 'bulk-env-' || g, 0, 0 FROM generate_series(1, 3) g;
INSERT INTO deployed_versions (uuid, version_id, pacticipant_id, environment_id, application_instance, currently_deployed, created_at)
  SELECT 'bulk-d-' || v.id || '-' || e.id, v.id, v.pacticipant_id, e.id, '', CASE WHEN v.number = 'v200' THEN 1 ELSE 0 END, 0
  FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id, environments e WHERE p.name LIKE 'bulk-%' AND e.name LIKE 'bulk-env-%';
INSERT INTO released_versions (uuid, version_id, pacticipant_id, environment_id, currently_supported, created_at, updated_at)
  SELECT 'bulk-r-' || v.id || '-' || e.id, v.id, v.pacticipant_id, e.id, CASE WHEN v.number IN ('v199', 'v200') THEN 1 ELSE 0 END, 0, 0
  FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id, environments e WHERE p.name LIKE 'bulk-%' AND e.name LIKE 'bulk-env-%';
-- Odd bulk pacticipants are consumers of the next one.
CREATE TEMP TABLE bulk_pairs AS
  SELECT c.id AS consumer_id, pr.id AS provider_id FROM pacticipants c JOIN pacticipants pr ON pr.name = 'bulk-' || (substr(c.name, 6)::int + 1)
  WHERE c.name LIKE 'bulk-%' AND substr(c.name, 6)::int % 2 = 1;
INSERT INTO integrations (consumer_id, provider_id, created_at, latest_pact_created_at) SELECT consumer_id, provider_id, 0, 0 FROM bulk_pairs;
INSERT INTO pact_versions (consumer_id, provider_id, sha, content, created_at)
  SELECT bp.consumer_id, bp.provider_id, md5(v.id::text), '{}'::bytea, v.id FROM bulk_pairs bp JOIN versions v ON v.pacticipant_id = bp.consumer_id;
INSERT INTO pact_publications (consumer_version_id, consumer_id, provider_id, revision, pact_version_id, created_at)
  SELECT v.id, pv.consumer_id, pv.provider_id, 1, pv.id, v.id FROM pact_versions pv JOIN versions v ON v.pacticipant_id = pv.consumer_id AND md5(v.id::text) = pv.sha;
INSERT INTO latest_pact_publications (consumer_version_id, provider_id, consumer_id, publication_id, pact_version_id, created_at)
  SELECT consumer_version_id, provider_id, consumer_id, id, pact_version_id, created_at FROM pact_publications pp WHERE pp.revision = 1 AND pp.consumer_id IN (SELECT consumer_id FROM bulk_pairs);
INSERT INTO verifications (pact_version_id, number, provider_version_id, consumer_id, provider_id, success, execution_date)
  SELECT pv.id, n, pv2.id, pv.consumer_id, pv.provider_id, n % 2, 0
  FROM pact_versions pv JOIN bulk_pairs bp ON bp.consumer_id = pv.consumer_id, generate_series(1, 2) n,
  LATERAL (SELECT id FROM versions WHERE pacticipant_id = pv.provider_id ORDER BY id LIMIT 1 OFFSET n) pv2;
INSERT INTO latest_verifications (pact_version_id, provider_version_id, verification_id)
  SELECT pact_version_id, provider_version_id, max(id) FROM verifications WHERE consumer_id IN (SELECT consumer_id FROM bulk_pairs)
  GROUP BY pact_version_id, provider_version_id;
`
