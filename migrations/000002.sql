-- Journey definitions: one row per journey (its state) and one row per version of its document.
-- Versions are immutable: editing a journey's content appends a version (docs/journeys.md,
-- STANDARDS.md 3), so runs can keep reading the version they started on.

CREATE TABLE journeys (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  -- The document's own id (lowercase, chosen by the author), unique per workspace.
  id text NOT NULL,
  name text NOT NULL,
  status text NOT NULL CHECK (status IN ('draft', 'live', 'paused', 'archived')),
  current_version integer NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX journeys_workspace_status ON journeys (workspace_id, status);

CREATE TABLE journey_versions (
  workspace_id text NOT NULL,
  journey_id text NOT NULL,
  version integer NOT NULL,
  -- The validated document with defaults filled in and without `status` (state, not content).
  document {{json}} NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, journey_id, version),
  FOREIGN KEY (workspace_id, journey_id) REFERENCES journeys (workspace_id, id) ON DELETE CASCADE
);
