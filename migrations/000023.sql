-- Insights (docs/insights.md): anomalies the scan flagged, its settings and where it got to. Times are
-- epoch milliseconds.

-- One row per incident: a metric of a scope (`hard_bounce_rate` of `channel:email`) breaking its
-- weekly baseline, from the bucket it was first flagged in (`started_at`) to the last (`last_seen_at`).
-- A continuing incident updates its row instead of adding one, so it alerts once (`alerted_at`);
-- `(workspace_id, fingerprint, started_at)` is unique so two scanners cannot both open it.
CREATE TABLE insight_anomalies (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id text NOT NULL,
  fingerprint text NOT NULL,
  metric text NOT NULL,
  scope_kind text NOT NULL,
  scope_id text NOT NULL,
  direction text NOT NULL,
  bucket_ms bigint NOT NULL,
  started_at bigint NOT NULL,
  last_seen_at bigint NOT NULL,
  observed double precision NOT NULL,
  expected double precision NOT NULL,
  score double precision NOT NULL,
  volume bigint NOT NULL,
  drill_down {{json}} NOT NULL,
  status text NOT NULL,
  alerted_at bigint,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX insight_anomalies_incident ON insight_anomalies (workspace_id, fingerprint, started_at);
CREATE INDEX insight_anomalies_recent ON insight_anomalies (workspace_id, last_seen_at);

-- Per workspace: what counts as a conversion, where alerts go (an email template sent to owners and
-- admins through the transactional path, a webhook URL), and the last day the scan has looked at.
CREATE TABLE insight_settings (
  workspace_id text PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  conversion_event text,
  alert_template_id text,
  webhook_url text,
  scanned_through bigint,
  scanning_until bigint,
  updated_at bigint NOT NULL
);

-- The scan reads the last weeks of a workspace's messages by send time, whatever its history holds.
CREATE INDEX messages_workspace_created ON messages (workspace_id, created_at);
