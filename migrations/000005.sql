-- Email delivery: provider settings per workspace, message records, the outbox, suppressions and
-- unsubscribe feedback. Times are epoch milliseconds.

-- One provider per workspace. `settings` holds what the API may show; `secrets` (SMTP password,
-- DKIM private key) is never returned by the API.
CREATE TABLE email_providers (
  workspace_id text PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('smtp', 'outbox')),
  settings {{json}} NOT NULL,
  secrets {{json}} NOT NULL,
  updated_at bigint NOT NULL
);

-- One row per delivery, written BEFORE the provider is called and unique on the idempotency key
-- (STANDARDS.md 2), so a retry of a delivery that was sent does not send again.
CREATE TABLE messages (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  contact_id text NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  channel text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('marketing', 'transactional')),
  idempotency_key text NOT NULL,
  journey_id text,
  journey_version integer,
  run_id text,
  node_id text,
  template_id text,
  template_version integer,
  topic text,
  provider text,
  status text NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'skipped', 'bounced')),
  reason text,
  provider_message_id text,
  header_message_id text,
  to_address text,
  subject text,
  -- The original targets of the tracked links, by index: a click token names an index, never a URL.
  links {{json}} NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  -- While an attempt is with the provider: other attempts of the same delivery wait until then
  -- (a crashed attempt's lease runs out and the delivery is retried).
  lease_until bigint,
  open_count integer NOT NULL DEFAULT 0,
  click_count integer NOT NULL DEFAULT 0,
  first_opened_at bigint,
  first_clicked_at bigint,
  created_at bigint NOT NULL,
  sent_at bigint,
  updated_at bigint NOT NULL
);
CREATE UNIQUE INDEX messages_workspace_idempotency ON messages (workspace_id, idempotency_key);
CREATE INDEX messages_contact ON messages (contact_id, id);
CREATE INDEX messages_workspace ON messages (workspace_id, id);

-- What the outbox provider "sent": a fresh install without SMTP shows its drips here.
CREATE TABLE outbox (
  id {{serial}},
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  message_id text,
  from_address text NOT NULL,
  to_address text NOT NULL,
  subject text NOT NULL,
  html_body text,
  text_body text,
  headers {{json}} NOT NULL,
  raw text NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX outbox_workspace ON outbox (workspace_id, id);

-- Addresses never (hard_bounce, complaint, manual) or never for marketing (unsubscribe_all) mailed.
-- `address` is the lower-cased address, or `sha256:<hex>` of it after erasure (STANDARDS.md 17).
CREATE TABLE suppressions (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  address text NOT NULL,
  reason text NOT NULL CHECK (reason IN ('hard_bounce', 'complaint', 'manual', 'unsubscribe_all')),
  source text,
  detail text,
  created_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, address, reason)
);

-- Optional answers to "why are you leaving?" on the hosted unsubscribe page.
CREATE TABLE unsubscribe_feedback (
  id {{serial}},
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  contact_id text,
  message_id text,
  scope text NOT NULL,
  topic text NOT NULL DEFAULT '',
  answer text,
  created_at bigint NOT NULL
);
CREATE INDEX unsubscribe_feedback_workspace ON unsubscribe_feedback (workspace_id, id);
