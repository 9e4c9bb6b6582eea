-- Bounces, complaints and provider events (docs/bounces.md); hosted signup forms (docs/forms.md).
-- Times are epoch milliseconds.

-- Consecutive soft bounces per address (RFC 3463 4.x.x and mailbox full): a delivery, open or click
-- resets the count; reaching the configured limit suppresses the address (STANDARDS.md 12).
CREATE TABLE email_soft_bounces (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  address text NOT NULL,
  consecutive integer NOT NULL,
  last_message_id text,
  last_status text,
  updated_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, address)
);

-- The per-workspace secret a mail provider presents on POST /api/webhooks/email-events instead of
-- an admin key. Stored as SHA-256 (a 256-bit random secret, so a fast hash is safe, as for API keys).
CREATE TABLE email_event_webhooks (
  workspace_id text PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  secret_hash text NOT NULL UNIQUE,
  created_at bigint NOT NULL
);

-- Bounces and provider events name the message by its Message-ID header or the provider's id.
CREATE INDEX messages_header_message_id ON messages (header_message_id);
CREATE INDEX messages_provider_message_id ON messages (provider_message_id);

-- Hosted signup forms. Double opt-in follows the list. `fields` is a JSON array of
-- { name, label, type, required } (email is always present); values become contact attributes.
CREATE TABLE forms (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  list_id text NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
  name text NOT NULL,
  title text NOT NULL,
  fields {{json}} NOT NULL,
  consent_text text,
  consent_text_version text,
  thank_you_text text,
  redirect_url text,
  confirmation_template_id text,
  lang text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE INDEX forms_workspace ON forms (workspace_id, id);
