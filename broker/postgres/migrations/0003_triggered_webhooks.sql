-- Triggered webhooks: one row per webhook and event, written in the
-- transaction of the event, leased by the worker that runs an attempt.
-- Names and version numbers are text so a trigger outlives what it was
-- about; the webhook's deletion removes its triggers.
CREATE TABLE triggered_webhooks (
  id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  uuid                TEXT NOT NULL UNIQUE,
  webhook_id          BIGINT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  event               TEXT NOT NULL,
  consumer            TEXT NOT NULL,
  provider            TEXT NOT NULL,
  consumer_version    TEXT NOT NULL,
  provider_version    TEXT NOT NULL,
  provider_version_descriptions TEXT NOT NULL,
  pact_sha            TEXT NOT NULL,
  verification_number BIGINT NOT NULL,
  status              TEXT NOT NULL,
  attempts            BIGINT NOT NULL,
  next_attempt_at     BIGINT NOT NULL,
  lease_token         TEXT,
  lease_until         BIGINT,
  created_at          BIGINT NOT NULL,
  updated_at          BIGINT NOT NULL
);
CREATE INDEX triggered_webhooks_due ON triggered_webhooks (status, next_attempt_at);
CREATE INDEX triggered_webhooks_webhook ON triggered_webhooks (webhook_id);
CREATE INDEX triggered_webhooks_integration ON triggered_webhooks (consumer, provider, created_at);
CREATE INDEX triggered_webhooks_verification ON triggered_webhooks (pact_sha, verification_number);

CREATE TABLE webhook_attempts (
  id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  triggered_webhook_id BIGINT NOT NULL REFERENCES triggered_webhooks(id) ON DELETE CASCADE,
  number               BIGINT NOT NULL,
  success              BIGINT NOT NULL,
  status_code          BIGINT NOT NULL,
  log                  TEXT NOT NULL,
  started_at           BIGINT NOT NULL,
  duration_nanos       BIGINT NOT NULL,
  UNIQUE (triggered_webhook_id, number)
);
