-- Measurement (docs/stats.md). Every figure is computed from messages, journey_runs, journey_steps
-- and consent_history rows: no counters of our own. Indexes the stats queries read, snapshots of
-- whole recomputations, and auto-promoted A/B winners.

-- A journey's messages (a workspace has many journeys; for one big journey the planner scans).
CREATE INDEX messages_journey ON messages (workspace_id, journey_id, created_at);
-- Template stats and template attribution.
CREATE INDEX messages_template ON messages (workspace_id, template_id, created_at);
-- Attribution (the messages of a converted run) and A/B variants (the messages of a variant's runs).
CREATE INDEX messages_run ON messages (run_id);
-- Unsubscribes are attributed to the contact's last message sent before them.
CREATE INDEX messages_contact_sent ON messages (contact_id, sent_at);
CREATE INDEX consent_history_unsubscribes ON consent_history (workspace_id, created_at) WHERE status = 'unsubscribed';
-- Runs of a journey that entered in a range.
CREATE INDEX journey_runs_entered ON journey_runs (workspace_id, journey_id, entered_at);

-- The last computed figures of a journey (the default query, no range), so the stats endpoint
-- answers from one row. Refreshed by the worker (src/stats/task.ts) once older than the refresh
-- interval, only for journeys someone has asked about; `refreshing_until` is the refresh claim.
-- A cache of a recomputation from the raw rows, never updated incrementally (so it cannot drift).
CREATE TABLE stats_snapshots (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  scope text NOT NULL,
  scope_id text NOT NULL,
  body {{json}} NOT NULL,
  computed_at bigint NOT NULL,
  compute_ms integer NOT NULL,
  refreshing_until bigint,
  PRIMARY KEY (workspace_id, scope, scope_id)
);
CREATE INDEX stats_snapshots_age ON stats_snapshots (computed_at);

-- Auto-promoted A/B winners (a split's `autoPromote`, off by default): decided once by the stats
-- worker (src/stats/promotion.ts), read by the split node. Final: a decision is never revised.
CREATE TABLE stats_promotions (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  journey_id text NOT NULL,
  node_id text NOT NULL,
  variant text NOT NULL,
  probability double precision NOT NULL,
  runs integer NOT NULL,
  decided_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, journey_id, node_id)
);
