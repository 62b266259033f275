-- Broker schema. Times are Unix nanoseconds (UTC). Row ids of versions,
-- publications and verifications only grow (AUTOINCREMENT), so "latest"
-- means "highest id". Every foreign key and every column used to order or
-- find the latest row is indexed; *_heads / latest_* tables are maintained
-- by the store in the same transaction as the writes they summarise.

CREATE TABLE pacticipants (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL UNIQUE,
  display_name   TEXT NOT NULL DEFAULT '',
  repository_url TEXT NOT NULL DEFAULT '',
  main_branch    TEXT NOT NULL DEFAULT '',
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
);

CREATE TABLE versions (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  pacticipant_id INTEGER NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  number         TEXT NOT NULL,
  build_url      TEXT NOT NULL DEFAULT '',
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  UNIQUE (pacticipant_id, number)
);
CREATE INDEX versions_pacticipant_order ON versions (pacticipant_id, id);

CREATE TABLE branches (
  id             INTEGER PRIMARY KEY,
  pacticipant_id INTEGER NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  name           TEXT NOT NULL,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL,
  UNIQUE (pacticipant_id, name)
);
CREATE INDEX branches_pacticipant_updated ON branches (pacticipant_id, updated_at);
CREATE INDEX branches_updated ON branches (updated_at);

CREATE TABLE branch_versions (
  branch_id      INTEGER NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
  version_id     INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  pacticipant_id INTEGER NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  created_at     INTEGER NOT NULL,
  PRIMARY KEY (branch_id, version_id)
) WITHOUT ROWID;
-- The index whose absence made the Ruby broker's publish take 13.5 s.
CREATE INDEX branch_versions_version ON branch_versions (version_id, branch_id);
CREATE INDEX branch_versions_pacticipant ON branch_versions (pacticipant_id);

-- The newest version of each branch.
CREATE TABLE branch_heads (
  branch_id  INTEGER PRIMARY KEY REFERENCES branches(id) ON DELETE CASCADE,
  version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE
);
CREATE INDEX branch_heads_version ON branch_heads (version_id);

CREATE TABLE tags (
  version_id     INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  name           TEXT NOT NULL,
  pacticipant_id INTEGER NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  created_at     INTEGER NOT NULL,
  PRIMARY KEY (version_id, name)
) WITHOUT ROWID;
CREATE INDEX tags_pacticipant_name_version ON tags (pacticipant_id, name, version_id);

CREATE TABLE environments (
  id           INTEGER PRIMARY KEY,
  uuid         TEXT NOT NULL UNIQUE,
  name         TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL DEFAULT '',
  production   INTEGER NOT NULL DEFAULT 0,
  contacts     TEXT,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);

CREATE TABLE deployed_versions (
  id                   INTEGER PRIMARY KEY AUTOINCREMENT,
  uuid                 TEXT NOT NULL UNIQUE,
  version_id           INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  pacticipant_id       INTEGER NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  environment_id       INTEGER NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
  application_instance TEXT NOT NULL DEFAULT '',
  currently_deployed   INTEGER NOT NULL,
  created_at           INTEGER NOT NULL,
  undeployed_at        INTEGER
);
-- At most one current deployment per pacticipant, environment and instance.
CREATE UNIQUE INDEX deployed_versions_current
  ON deployed_versions (environment_id, pacticipant_id, application_instance)
  WHERE currently_deployed = 1;
CREATE INDEX deployed_versions_version ON deployed_versions (version_id, environment_id);
CREATE INDEX deployed_versions_pacticipant ON deployed_versions (pacticipant_id, environment_id);
CREATE INDEX deployed_versions_environment ON deployed_versions (environment_id, currently_deployed);

CREATE TABLE released_versions (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  uuid                TEXT NOT NULL UNIQUE,
  version_id          INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  pacticipant_id      INTEGER NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  environment_id      INTEGER NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
  currently_supported INTEGER NOT NULL,
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL,
  support_ended_at    INTEGER,
  UNIQUE (version_id, environment_id)
);
CREATE INDEX released_versions_pacticipant ON released_versions (pacticipant_id, environment_id);
CREATE INDEX released_versions_environment ON released_versions (environment_id, currently_supported);

CREATE TABLE integrations (
  consumer_id            INTEGER NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  provider_id            INTEGER NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  created_at             INTEGER NOT NULL,
  latest_pact_created_at INTEGER NOT NULL,
  PRIMARY KEY (consumer_id, provider_id)
) WITHOUT ROWID;
CREATE INDEX integrations_provider ON integrations (provider_id, consumer_id);

-- Deduplicated pact content ("pact versions").
CREATE TABLE pact_versions (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  consumer_id INTEGER NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  provider_id INTEGER NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  sha         TEXT NOT NULL,
  content     BLOB NOT NULL,
  created_at  INTEGER NOT NULL,
  UNIQUE (consumer_id, provider_id, sha)
);
CREATE INDEX pact_versions_provider ON pact_versions (provider_id, consumer_id);

CREATE TABLE pact_publications (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  consumer_version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  consumer_id         INTEGER NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  provider_id         INTEGER NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  revision            INTEGER NOT NULL,
  pact_version_id     INTEGER NOT NULL REFERENCES pact_versions(id) ON DELETE CASCADE,
  created_at          INTEGER NOT NULL,
  UNIQUE (consumer_version_id, provider_id, revision)
);
CREATE INDEX pact_publications_pact_version ON pact_publications (pact_version_id);
CREATE INDEX pact_publications_consumer ON pact_publications (consumer_id);
CREATE INDEX pact_publications_provider ON pact_publications (provider_id);

-- The latest revision of each consumer version's pact with a provider.
CREATE TABLE latest_pact_publications (
  consumer_version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  provider_id         INTEGER NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  consumer_id         INTEGER NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  publication_id      INTEGER NOT NULL REFERENCES pact_publications(id) ON DELETE CASCADE,
  pact_version_id     INTEGER NOT NULL REFERENCES pact_versions(id) ON DELETE CASCADE,
  created_at          INTEGER NOT NULL,
  PRIMARY KEY (consumer_version_id, provider_id)
) WITHOUT ROWID;
CREATE INDEX latest_pact_publications_pact_version ON latest_pact_publications (pact_version_id, consumer_version_id);
CREATE INDEX latest_pact_publications_integration ON latest_pact_publications (provider_id, consumer_id, consumer_version_id);
CREATE INDEX latest_pact_publications_consumer ON latest_pact_publications (consumer_id, consumer_version_id);
CREATE INDEX latest_pact_publications_publication ON latest_pact_publications (publication_id);
CREATE INDEX latest_pact_publications_created ON latest_pact_publications (provider_id, created_at);

CREATE TABLE verifications (
  id                  INTEGER PRIMARY KEY AUTOINCREMENT,
  pact_version_id     INTEGER NOT NULL REFERENCES pact_versions(id) ON DELETE CASCADE,
  number              INTEGER NOT NULL,
  provider_version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  consumer_id         INTEGER NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  provider_id         INTEGER NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  success             INTEGER NOT NULL,
  build_url           TEXT NOT NULL DEFAULT '',
  test_results        TEXT,
  verified_by         TEXT,
  execution_date      INTEGER NOT NULL,
  UNIQUE (pact_version_id, number)
);
CREATE INDEX verifications_provider_version ON verifications (provider_version_id, pact_version_id);
CREATE INDEX verifications_pact_version_success ON verifications (pact_version_id, success, provider_version_id);
CREATE INDEX verifications_consumer ON verifications (consumer_id);
CREATE INDEX verifications_provider ON verifications (provider_id);

-- The latest verification of each pact version by each provider version.
CREATE TABLE latest_verifications (
  pact_version_id     INTEGER NOT NULL REFERENCES pact_versions(id) ON DELETE CASCADE,
  provider_version_id INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  verification_id     INTEGER NOT NULL REFERENCES verifications(id) ON DELETE CASCADE,
  PRIMARY KEY (pact_version_id, provider_version_id)
) WITHOUT ROWID;
CREATE INDEX latest_verifications_provider_version ON latest_verifications (provider_version_id, pact_version_id);
CREATE INDEX latest_verifications_verification ON latest_verifications (verification_id);

CREATE TABLE webhooks (
  id          INTEGER PRIMARY KEY,
  uuid        TEXT NOT NULL UNIQUE,
  consumer_id INTEGER REFERENCES pacticipants(id) ON DELETE CASCADE,
  provider_id INTEGER REFERENCES pacticipants(id) ON DELETE CASCADE,
  definition  TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE INDEX webhooks_consumer ON webhooks (consumer_id);
CREATE INDEX webhooks_provider ON webhooks (provider_id);
