-- Deliverability, part 3 (docs/email.md): the reputation breaker, the sunset policy and their
-- settings. Times are epoch milliseconds.

-- Per workspace: the breaker's thresholds and where its alerts go, and the sunset policy
-- (src/deliverability/settings.ts parses `settings` and fills in the defaults).
CREATE TABLE deliverability_settings (
  workspace_id text PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  settings {{json}} NOT NULL,
  updated_at bigint NOT NULL
);

-- One row per time the breaker paused a journey or a broadcast: why (the rate that passed, its
-- counts and window), when its admins were told (`notified_at`, set once, before they are told) and
-- when it was resumed. At most one open trip per target: two workers evaluating at once cannot both
-- pause and notify.
CREATE TABLE reputation_trips (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id text NOT NULL,
  target_kind text NOT NULL,
  target_id text NOT NULL,
  reason text NOT NULL,
  rate double precision NOT NULL,
  threshold double precision NOT NULL,
  sent bigint NOT NULL,
  complaints bigint NOT NULL,
  hard_bounces bigint NOT NULL,
  window_start bigint NOT NULL,
  window_ms bigint NOT NULL,
  tripped_at bigint NOT NULL,
  notified_at bigint,
  resumed_at bigint,
  PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX reputation_trips_open ON reputation_trips (workspace_id, target_kind, target_id) WHERE resumed_at IS NULL;
CREATE INDEX reputation_trips_target ON reputation_trips (workspace_id, target_kind, target_id, tripped_at);

-- The re-engagement event `contact.sunsetting` fired for a contact, once per inactive stretch: a
-- human open or click after `notified_at` starts a new stretch.
CREATE TABLE sunset_notices (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  contact_id text NOT NULL,
  notified_at bigint NOT NULL,
  sunset_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, contact_id)
);

-- Human engagement of a contact (the sunset check): the newest first open or click of its messages.
CREATE INDEX messages_contact_engaged ON messages (contact_id, first_opened_at, first_clicked_at);
