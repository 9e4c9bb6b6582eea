-- Foundation: workspaces, API keys, contacts, events, lists, consent.
-- Portable SQL: {{json}} is jsonb on PostgreSQL and text on SQLite, {{serial}} is an auto-increment
-- bigint primary key. All times are epoch milliseconds (bigint).

CREATE TABLE workspaces (
  id text PRIMARY KEY,
  name text NOT NULL,
  timezone text NOT NULL DEFAULT 'UTC',
  settings {{json}} NOT NULL,
  created_at bigint NOT NULL
);

CREATE TABLE api_keys (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('write', 'admin')),
  name text NOT NULL,
  -- The first characters of the secret, shown in listings so a user can tell keys apart.
  prefix text NOT NULL,
  -- SHA-256 of the secret. Keys are 192-bit random tokens, so a fast hash is safe and lets us look them up.
  hash text NOT NULL UNIQUE,
  created_at bigint NOT NULL,
  last_used_at bigint,
  revoked_at bigint
);
CREATE INDEX api_keys_workspace ON api_keys (workspace_id);

CREATE TABLE contacts (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  user_id text,
  email text,
  phone text,
  timezone text,
  locale text,
  attributes {{json}} NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE UNIQUE INDEX contacts_workspace_user_id ON contacts (workspace_id, user_id);
CREATE UNIQUE INDEX contacts_workspace_email ON contacts (workspace_id, email);
CREATE INDEX contacts_workspace_id ON contacts (workspace_id, id);

CREATE TABLE contact_anonymous_ids (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  anonymous_id text NOT NULL,
  contact_id text NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  created_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, anonymous_id)
);
CREATE INDEX contact_anonymous_ids_contact ON contact_anonymous_ids (contact_id);

-- Append-only. `type` is the Segment call (track, identify, page, screen, group, alias); `name` is the
-- event name for track and the call type (or page/screen name) otherwise.
CREATE TABLE events (
  id {{serial}},
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  contact_id text NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  type text NOT NULL,
  name text NOT NULL,
  properties {{json}} NOT NULL,
  context {{json}},
  message_id text NOT NULL,
  timestamp bigint NOT NULL,
  received_at bigint NOT NULL
);
CREATE UNIQUE INDEX events_workspace_message_id ON events (workspace_id, message_id);
CREATE INDEX events_contact_name_time ON events (contact_id, name, timestamp);

CREATE TABLE lists (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name text NOT NULL,
  description text,
  double_opt_in integer NOT NULL DEFAULT 0,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE UNIQUE INDEX lists_workspace_name ON lists (workspace_id, name);

CREATE TABLE list_memberships (
  list_id text NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
  contact_id text NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  workspace_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('subscribed', 'pending', 'unsubscribed')),
  source text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (list_id, contact_id)
);
CREATE INDEX list_memberships_contact ON list_memberships (contact_id);

-- Current consent per contact, channel and topic ('' = the whole channel). Kept in step with
-- consent_history in the same transaction (STANDARDS.md 18).
CREATE TABLE consents (
  workspace_id text NOT NULL,
  contact_id text NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  channel text NOT NULL,
  topic text NOT NULL DEFAULT '',
  status text NOT NULL CHECK (status IN ('subscribed', 'unsubscribed', 'pending')),
  source text,
  updated_at bigint NOT NULL,
  PRIMARY KEY (contact_id, channel, topic)
);

CREATE TABLE consent_history (
  id {{serial}},
  workspace_id text NOT NULL,
  contact_id text NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  channel text NOT NULL,
  topic text NOT NULL DEFAULT '',
  status text NOT NULL,
  source text,
  ip text,
  user_agent text,
  text_version text,
  created_at bigint NOT NULL
);
CREATE INDEX consent_history_contact ON consent_history (contact_id, id);
