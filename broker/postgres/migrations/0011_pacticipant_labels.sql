-- Pacticipant labels: webhooks name a consumer or provider by label. A
-- label goes with its pacticipant.
CREATE TABLE labels (
  pacticipant_id BIGINT NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  name           TEXT NOT NULL,
  created_at     BIGINT NOT NULL,
  PRIMARY KEY (pacticipant_id, name)
);
CREATE INDEX labels_name ON labels (name, pacticipant_id);
