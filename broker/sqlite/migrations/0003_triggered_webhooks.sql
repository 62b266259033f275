-- Triggered webhooks: one row per webhook and event, written in the
-- transaction of the event, leased by the worker that runs an attempt.
-- Names and version numbers are text so a trigger outlives what it was
-- about; the webhook's deletion removes its triggers.
CREATE TABLE triggered_webhooks (
  id                  INTEGER PRIMARY KEY,
  uuid                TEXT NOT NULL UNIQUE,
  webhook_id          INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  event               TEXT NOT NULL,
  consumer            TEXT NOT NULL,
  provider            TEXT NOT NULL,
  consumer_version    TEXT NOT NULL,
  provider_version    TEXT NOT NULL,
  provider_version_descriptions TEXT NOT NULL,
  pact_sha            TEXT NOT NULL,
  verification_number INTEGER NOT NULL,
  status              TEXT NOT NULL,
  attempts            INTEGER NOT NULL,
  next_attempt_at     INTEGER NOT NULL,
  lease_token         TEXT,
  lease_until         INTEGER,
  created_at          INTEGER NOT NULL,
  updated_at          INTEGER NOT NULL
);
CREATE INDEX triggered_webhooks_due ON triggered_webhooks (status, next_attempt_at);
CREATE INDEX triggered_webhooks_webhook ON triggered_webhooks (webhook_id);
CREATE INDEX triggered_webhooks_integration ON triggered_webhooks (consumer, provider, created_at);
CREATE INDEX triggered_webhooks_verification ON triggered_webhooks (pact_sha, verification_number);

CREATE TABLE webhook_attempts (
  id                   INTEGER PRIMARY KEY,
  triggered_webhook_id INTEGER NOT NULL REFERENCES triggered_webhooks(id) ON DELETE CASCADE,
  number               INTEGER NOT NULL,
  success              INTEGER NOT NULL,
  status_code          INTEGER NOT NULL,
  log                  TEXT NOT NULL,
  started_at           INTEGER NOT NULL,
  duration_nanos       INTEGER NOT NULL,
  UNIQUE (triggered_webhook_id, number)
);
