-- Segments: condition trees (docs/segments.md) with materialised membership, the queue of
-- (segment, contact) pairs to re-check after an identify/track, and the transitions a refresh found
-- (read back in pages to record segment.entered / segment.exited events and signals, then deleted).

CREATE TABLE segments (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  description text,
  -- The validated condition tree.
  conditions {{json}} NOT NULL,
  -- Set when the conditions depend on time (sliding windows, relative dates) or on data that emits
  -- no signal (consent, unsubscribes, messages sent): the segment is fully recomputed this often.
  refresh_interval_ms bigint,
  next_refresh_at bigint,
  computed_at bigint,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE UNIQUE INDEX segments_workspace_name ON segments (workspace_id, name);
CREATE INDEX segments_workspace_id ON segments (workspace_id, id);
CREATE INDEX segments_due ON segments (next_refresh_at);

CREATE TABLE segment_members (
  segment_id text NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
  contact_id text NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  workspace_id text NOT NULL,
  entered_at bigint NOT NULL,
  PRIMARY KEY (segment_id, contact_id)
);
CREATE INDEX segment_members_contact ON segment_members (contact_id);

-- Filled inside ingesting transactions (one row per pair, however many events touch it).
CREATE TABLE segment_dirty (
  segment_id text NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
  contact_id text NOT NULL,
  workspace_id text NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (segment_id, contact_id)
);

CREATE TABLE segment_transitions (
  id {{serial}},
  run_id text NOT NULL,
  workspace_id text NOT NULL,
  segment_id text NOT NULL,
  contact_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('entered', 'exited')),
  at bigint NOT NULL
);
CREATE INDEX segment_transitions_run ON segment_transitions (run_id, kind, id);

-- Event conditions select a workspace's events by name and time window (set-based, across contacts).
CREATE INDEX events_workspace_name_time ON events (workspace_id, name, timestamp);
