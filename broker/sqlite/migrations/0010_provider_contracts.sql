-- Provider contracts (bi-directional contracts): an OpenAPI or AsyncAPI
-- document per provider version, with the provider's self-verification.
CREATE TABLE provider_contracts (
  version_id                INTEGER PRIMARY KEY REFERENCES versions(id) ON DELETE CASCADE,
  specification             TEXT NOT NULL,
  content_type              TEXT NOT NULL DEFAULT '',
  content                   BLOB NOT NULL,
  sha                       TEXT NOT NULL,
  self_success              INTEGER,
  self_content              BLOB,
  self_content_type         TEXT NOT NULL DEFAULT '',
  self_format               TEXT NOT NULL DEFAULT '',
  self_verifier             TEXT NOT NULL DEFAULT '',
  self_verifier_version     TEXT NOT NULL DEFAULT '',
  created_at                INTEGER NOT NULL
);
CREATE INDEX provider_contracts_sha ON provider_contracts (sha);

-- Comparisons of a pact version with a provider contract, by content: the
-- same pact content against the same document has one outcome.
CREATE TABLE comparisons (
  pact_sha      TEXT NOT NULL,
  contract_sha  TEXT NOT NULL,
  success       INTEGER NOT NULL,
  results       TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  PRIMARY KEY (pact_sha, contract_sha)
);
-- Deletes purge the comparisons of pact contents that are gone.
CREATE INDEX pact_versions_sha ON pact_versions (sha);
