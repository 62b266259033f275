-- Broker schema on PostgreSQL, the same tables as the SQLite store's. Times
-- are Unix nanoseconds (UTC). Ids are identity columns; writes are
-- serialised (see Store.write), so ids grow in commit order and "latest"
-- means "highest id". Every foreign key and every column used to order or
-- find the latest row is indexed; *_heads / latest_* tables are maintained
-- by the store in the same transaction as the writes they summarise.
--
-- Migrations only add (see README "PostgreSQL"): a released migration is
-- never edited, and no column or table is renamed or dropped in the same
-- release as the code that stops using it, so replicas of the previous
-- release keep working while a new one rolls out.

CREATE TABLE pacticipants (
  id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name           TEXT NOT NULL UNIQUE,
  display_name   TEXT NOT NULL DEFAULT '',
  repository_url TEXT NOT NULL DEFAULT '',
  main_branch    TEXT NOT NULL DEFAULT '',
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL
);

CREATE TABLE versions (
  id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  pacticipant_id BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  number         TEXT NOT NULL,
  build_url      TEXT NOT NULL DEFAULT '',
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL,
  UNIQUE (pacticipant_id, number)
);
CREATE INDEX versions_pacticipant_order ON versions (pacticipant_id, id);

CREATE TABLE branches (
  id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  pacticipant_id BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  name           TEXT NOT NULL,
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL,
  UNIQUE (pacticipant_id, name)
);
CREATE INDEX branches_pacticipant_updated ON branches (pacticipant_id, updated_at);
CREATE INDEX branches_updated ON branches (updated_at);

CREATE TABLE branch_versions (
  branch_id      BIGINT NOT NULL REFERENCES branches(id) ON DELETE CASCADE,
  version_id     BIGINT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  pacticipant_id BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  created_at     BIGINT NOT NULL,
  PRIMARY KEY (branch_id, version_id)
);
-- The index whose absence made the Ruby broker's publish take 13.5 s.
CREATE INDEX branch_versions_version ON branch_versions (version_id, branch_id);
CREATE INDEX branch_versions_pacticipant ON branch_versions (pacticipant_id);

-- The newest version of each branch.
CREATE TABLE branch_heads (
  branch_id  BIGINT PRIMARY KEY REFERENCES branches(id) ON DELETE CASCADE,
  version_id BIGINT NOT NULL REFERENCES versions(id) ON DELETE CASCADE
);
CREATE INDEX branch_heads_version ON branch_heads (version_id);

CREATE TABLE tags (
  version_id     BIGINT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  name           TEXT NOT NULL,
  pacticipant_id BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  created_at     BIGINT NOT NULL,
  PRIMARY KEY (version_id, name)
);
CREATE INDEX tags_pacticipant_name_version ON tags (pacticipant_id, name, version_id);

CREATE TABLE environments (
  id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  uuid         TEXT NOT NULL UNIQUE,
  name         TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL DEFAULT '',
  production   BIGINT NOT NULL DEFAULT 0,
  contacts     TEXT,
  created_at   BIGINT NOT NULL,
  updated_at   BIGINT NOT NULL
);

CREATE TABLE deployed_versions (
  id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  uuid                 TEXT NOT NULL UNIQUE,
  version_id           BIGINT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  pacticipant_id       BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  environment_id       BIGINT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
  application_instance TEXT NOT NULL DEFAULT '',
  currently_deployed   BIGINT NOT NULL,
  created_at           BIGINT NOT NULL,
  undeployed_at        BIGINT
);
-- At most one current deployment per pacticipant, environment and instance.
CREATE UNIQUE INDEX deployed_versions_current
  ON deployed_versions (environment_id, pacticipant_id, application_instance)
  WHERE currently_deployed = 1;
CREATE INDEX deployed_versions_version ON deployed_versions (version_id, environment_id);
CREATE INDEX deployed_versions_pacticipant ON deployed_versions (pacticipant_id, environment_id);
CREATE INDEX deployed_versions_environment ON deployed_versions (environment_id, currently_deployed);

CREATE TABLE released_versions (
  id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  uuid                TEXT NOT NULL UNIQUE,
  version_id          BIGINT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  pacticipant_id      BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  environment_id      BIGINT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
  currently_supported BIGINT NOT NULL,
  created_at          BIGINT NOT NULL,
  updated_at          BIGINT NOT NULL,
  support_ended_at    BIGINT,
  UNIQUE (version_id, environment_id)
);
CREATE INDEX released_versions_pacticipant ON released_versions (pacticipant_id, environment_id);
CREATE INDEX released_versions_environment ON released_versions (environment_id, currently_supported);

CREATE TABLE integrations (
  consumer_id            BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  provider_id            BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  created_at             BIGINT NOT NULL,
  latest_pact_created_at BIGINT NOT NULL,
  PRIMARY KEY (consumer_id, provider_id)
);
CREATE INDEX integrations_provider ON integrations (provider_id, consumer_id);

-- Deduplicated pact content ("pact versions").
CREATE TABLE pact_versions (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  consumer_id BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  provider_id BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  sha         TEXT NOT NULL,
  content     BYTEA NOT NULL,
  created_at  BIGINT NOT NULL,
  UNIQUE (consumer_id, provider_id, sha)
);
CREATE INDEX pact_versions_provider ON pact_versions (provider_id, consumer_id);

CREATE TABLE pact_publications (
  id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  consumer_version_id BIGINT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  consumer_id         BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  provider_id         BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  revision            BIGINT NOT NULL,
  pact_version_id     BIGINT NOT NULL REFERENCES pact_versions(id) ON DELETE CASCADE,
  created_at          BIGINT NOT NULL,
  UNIQUE (consumer_version_id, provider_id, revision)
);
CREATE INDEX pact_publications_pact_version ON pact_publications (pact_version_id);
CREATE INDEX pact_publications_consumer ON pact_publications (consumer_id);
CREATE INDEX pact_publications_provider ON pact_publications (provider_id);

-- The latest revision of each consumer version's pact with a provider.
CREATE TABLE latest_pact_publications (
  consumer_version_id BIGINT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  provider_id         BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  consumer_id         BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  publication_id      BIGINT NOT NULL REFERENCES pact_publications(id) ON DELETE CASCADE,
  pact_version_id     BIGINT NOT NULL REFERENCES pact_versions(id) ON DELETE CASCADE,
  created_at          BIGINT NOT NULL,
  PRIMARY KEY (consumer_version_id, provider_id)
);
CREATE INDEX latest_pact_publications_pact_version ON latest_pact_publications (pact_version_id, consumer_version_id);
CREATE INDEX latest_pact_publications_integration ON latest_pact_publications (provider_id, consumer_id, consumer_version_id);
CREATE INDEX latest_pact_publications_consumer ON latest_pact_publications (consumer_id, consumer_version_id);
CREATE INDEX latest_pact_publications_publication ON latest_pact_publications (publication_id);
CREATE INDEX latest_pact_publications_created ON latest_pact_publications (provider_id, created_at);

CREATE TABLE verifications (
  id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  pact_version_id     BIGINT NOT NULL REFERENCES pact_versions(id) ON DELETE CASCADE,
  number              BIGINT NOT NULL,
  provider_version_id BIGINT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  consumer_id         BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  provider_id         BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  success             BIGINT NOT NULL,
  build_url           TEXT NOT NULL DEFAULT '',
  test_results        TEXT,
  verified_by         TEXT,
  execution_date      BIGINT NOT NULL,
  UNIQUE (pact_version_id, number)
);
CREATE INDEX verifications_provider_version ON verifications (provider_version_id, pact_version_id);
CREATE INDEX verifications_pact_version_success ON verifications (pact_version_id, success, provider_version_id);
CREATE INDEX verifications_consumer ON verifications (consumer_id);
CREATE INDEX verifications_provider ON verifications (provider_id);

-- The latest verification of each pact version by each provider version.
CREATE TABLE latest_verifications (
  pact_version_id     BIGINT NOT NULL REFERENCES pact_versions(id) ON DELETE CASCADE,
  provider_version_id BIGINT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
  verification_id     BIGINT NOT NULL REFERENCES verifications(id) ON DELETE CASCADE,
  PRIMARY KEY (pact_version_id, provider_version_id)
);
CREATE INDEX latest_verifications_provider_version ON latest_verifications (provider_version_id, pact_version_id);
CREATE INDEX latest_verifications_verification ON latest_verifications (verification_id);

CREATE TABLE webhooks (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  uuid        TEXT NOT NULL UNIQUE,
  consumer_id BIGINT REFERENCES pacticipants(id) ON DELETE CASCADE,
  provider_id BIGINT REFERENCES pacticipants(id) ON DELETE CASCADE,
  definition  TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);
CREATE INDEX webhooks_consumer ON webhooks (consumer_id);
CREATE INDEX webhooks_provider ON webhooks (provider_id);
