-- Provider contracts (bi-directional contracts): an OpenAPI or AsyncAPI
-- document per provider version, with the provider's self-verification
-- (mirrors SQLite's 0010_provider_contracts.sql).
CREATE TABLE provider_contracts (
  version_id                BIGINT PRIMARY KEY REFERENCES versions(id) ON DELETE CASCADE,
  specification             TEXT NOT NULL,
  content_type              TEXT NOT NULL DEFAULT '',
  content                   BYTEA NOT NULL,
  sha                       TEXT NOT NULL,
  self_success              BOOLEAN,
  self_content              BYTEA,
  self_content_type         TEXT NOT NULL DEFAULT '',
  self_format               TEXT NOT NULL DEFAULT '',
  self_verifier             TEXT NOT NULL DEFAULT '',
  self_verifier_version     TEXT NOT NULL DEFAULT '',
  created_at                BIGINT NOT NULL
);
CREATE INDEX provider_contracts_sha ON provider_contracts (sha);

-- Comparisons of a pact version with a provider contract, by content.
CREATE TABLE comparisons (
  pact_sha      TEXT NOT NULL,
  contract_sha  TEXT NOT NULL,
  success       BOOLEAN NOT NULL,
  results       TEXT NOT NULL,
  created_at    BIGINT NOT NULL,
  PRIMARY KEY (pact_sha, contract_sha)
);
-- Deletes purge the comparisons of pact contents that are gone.
CREATE INDEX pact_versions_sha ON pact_versions (sha);
