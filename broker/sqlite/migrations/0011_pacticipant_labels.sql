-- Pacticipant labels: webhooks name a consumer or provider by label. A
-- label goes with its pacticipant.
CREATE TABLE labels (
  pacticipant_id INTEGER NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
  name           TEXT NOT NULL,
  created_at     INTEGER NOT NULL,
  PRIMARY KEY (pacticipant_id, name)
) WITHOUT ROWID;
CREATE INDEX labels_name ON labels (name, pacticipant_id);
