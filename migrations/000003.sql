-- Journey runtime: runs (one contact's walk through one journey), the step log that makes every step
-- execute at most once, deliveries recorded before a channel is called, the trigger inbox filled
-- inside ingesting transactions, date-trigger occurrences, and the counting test channel.
-- See docs/journey-runtime.md. All times are epoch milliseconds.

-- status: active (has a due step) | waiting (for an event; due_at = its timeout) | completed |
-- exited | converted | errored | timed_out. ended_at IS NULL exactly while the run is open.
-- contact_id has no foreign key: a deleted contact's runs stay as history, ended (contact_deleted).
CREATE TABLE journey_runs (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  journey_id text NOT NULL,
  version integer NOT NULL,
  contact_id text NOT NULL,
  status text NOT NULL,
  -- The next step to execute is (current_node, visit); visit counts every step of the run.
  current_node text,
  visit integer NOT NULL DEFAULT 1,
  due_at bigint,
  wait_event text,
  wait_filters {{json}},
  wait_started_at bigint,
  claimed_by text,
  lease_until bigint,
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  trigger_props {{json}} NOT NULL,
  event_props {{json}} NOT NULL,
  data {{json}} NOT NULL,
  entered_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  ended_at bigint,
  exit_reason text,
  goal_value double precision
);
-- At most one open run per contact per journey (STANDARDS.md 1).
CREATE UNIQUE INDEX journey_runs_one_open ON journey_runs (workspace_id, journey_id, contact_id) WHERE ended_at IS NULL;
-- The claim query: due runs in due order.
CREATE INDEX journey_runs_due ON journey_runs (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX journey_runs_contact ON journey_runs (workspace_id, contact_id, entered_at);
CREATE INDEX journey_runs_journey ON journey_runs (workspace_id, journey_id, status, id);

CREATE TABLE journey_steps (
  id {{serial}},
  run_id text NOT NULL REFERENCES journey_runs(id) ON DELETE CASCADE,
  workspace_id text NOT NULL,
  node_id text NOT NULL,
  visit integer NOT NULL,
  outcome text NOT NULL,
  due_at bigint,
  executed_at bigint NOT NULL,
  detail {{json}}
);
-- This is what makes each step execute at most once.
CREATE UNIQUE INDEX journey_steps_once ON journey_steps (run_id, node_id, visit);

-- Recorded (pending) and committed BEFORE the channel is called (STANDARDS.md 2).
CREATE TABLE deliveries (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  idempotency_key text NOT NULL,
  run_id text,
  journey_id text,
  node_id text,
  contact_id text NOT NULL,
  channel text NOT NULL,
  kind text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
  attempts integer NOT NULL DEFAULT 0,
  provider_message_id text,
  error text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  sent_at bigint
);
CREATE UNIQUE INDEX deliveries_key ON deliveries (workspace_id, idempotency_key);
-- Frequency caps count a contact's recent sends.
CREATE INDEX deliveries_contact_sent ON deliveries (contact_id, sent_at);

-- Signals waiting for the journey engine (events, contact_created, list_joined, segment_entered).
-- Inserted inside the ingesting transaction; a worker claims a row, reacts, and deletes it in one
-- transaction.
CREATE TABLE journey_inbox (
  id {{serial}},
  workspace_id text NOT NULL,
  kind text NOT NULL,
  contact_id text NOT NULL,
  payload {{json}} NOT NULL,
  created_at bigint NOT NULL,
  claimed_by text,
  lease_until bigint
);

-- One row per date-trigger occurrence fired (e.g. the 2027 birthday): fires exactly once.
CREATE TABLE journey_date_fires (
  workspace_id text NOT NULL,
  journey_id text NOT NULL,
  contact_id text NOT NULL,
  occurrence text NOT NULL,
  fired_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, journey_id, contact_id, occurrence)
);

-- The counting channel (tests and benchmarks): one row per send it was asked to make.
CREATE TABLE channel_counting_sends (
  id {{serial}},
  workspace_id text NOT NULL,
  contact_id text NOT NULL,
  idempotency_key text NOT NULL,
  sent_at bigint NOT NULL
);
