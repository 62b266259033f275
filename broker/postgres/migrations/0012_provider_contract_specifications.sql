-- Mirrors SQLite's 0012_provider_contract_specifications.sql.
-- A provider version holds one provider contract per specification (an
-- OpenAPI and an AsyncAPI document). provider_contracts stays as it is, one
-- row per version holding the document published last, so that replicas of
-- the previous release keep reading and writing it; this release reads both
-- tables (a provider_contracts row newer than the row of its specification
-- here was written by such a replica and wins).
CREATE TABLE provider_contract_documents (
  version_id                BIGINT NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
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
  created_at                BIGINT NOT NULL,
  PRIMARY KEY (version_id, specification)
);
CREATE INDEX provider_contract_documents_sha ON provider_contract_documents (sha);
INSERT INTO provider_contract_documents (version_id, specification, content_type, content, sha, self_success,
  self_content, self_content_type, self_format, self_verifier, self_verifier_version, created_at)
  SELECT version_id, specification, content_type, content, sha, self_success, self_content, self_content_type,
    self_format, self_verifier, self_verifier_version, created_at FROM provider_contracts;

-- A comparison is now made with all the documents of a provider version:
-- comparisons.contract_sha is then the key of that set of documents, and
-- this table lists the documents (by sha) of each such key, so that deletes
-- purge the comparisons of documents that are gone. Comparisons without
-- rows here are those of one document (previous release).
CREATE TABLE comparison_documents (
  contract_sha  TEXT NOT NULL,
  document_sha  TEXT NOT NULL,
  PRIMARY KEY (contract_sha, document_sha)
);
CREATE INDEX comparison_documents_document_sha ON comparison_documents (document_sha);
CREATE INDEX comparisons_contract_sha ON comparisons (contract_sha);
