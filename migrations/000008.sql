-- Broadcasts: one-off sends of a template to a segment or a list (docs/broadcasts.md).
-- status: draft | scheduled | sending | paused | cancelled | completed. The audience is snapshotted
-- into broadcast_recipients (INSERT ... SELECT in the database) when the broadcast starts; the
-- counters are moved in the same transaction as the recipients they count, so they stay exact.
-- throttle_at is the next instant a worker may claim a batch (rate_per_s messages per second shared
-- by every worker). All times are epoch milliseconds.
CREATE TABLE broadcasts (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  channel text NOT NULL,
  template text,
  config {{json}} NOT NULL,
  kind text NOT NULL CHECK (kind IN ('marketing', 'transactional')),
  audience_type text NOT NULL CHECK (audience_type IN ('segment', 'list')),
  audience_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('draft', 'scheduled', 'sending', 'paused', 'cancelled', 'completed')),
  send_at bigint,
  local_time text,
  quiet_hours {{json}},
  frequency_cap {{json}},
  rate_per_s integer,
  throttle_at bigint NOT NULL DEFAULT 0,
  total integer NOT NULL DEFAULT 0,
  sent integer NOT NULL DEFAULT 0,
  failed integer NOT NULL DEFAULT 0,
  skipped integer NOT NULL DEFAULT 0,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  scheduled_at bigint,
  started_at bigint,
  completed_at bigint,
  cancelled_at bigint
);
CREATE INDEX broadcasts_workspace ON broadcasts (workspace_id, id);
CREATE INDEX broadcasts_status ON broadcasts (status, send_at);

-- One row per contact of a started broadcast. status: pending | sent | failed | skipped. tz is the
-- contact's zone at snapshot time (local-time delivery computes due_at per distinct zone).
-- No foreign key to contacts: a contact erased after the snapshot is skipped at send time.
CREATE TABLE broadcast_recipients (
  broadcast_id text NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
  contact_id text NOT NULL,
  workspace_id text NOT NULL,
  tz text,
  due_at bigint NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
  attempts integer NOT NULL DEFAULT 0,
  claimed_by text,
  lease_until bigint,
  error text,
  settled_at bigint,
  PRIMARY KEY (broadcast_id, contact_id)
);
-- The claim range-scans pending recipients of one broadcast in due order.
CREATE INDEX broadcast_recipients_due ON broadcast_recipients (broadcast_id, due_at) WHERE status = 'pending';
