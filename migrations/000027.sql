-- Telegram one-to-one messages (docs/telegram.md). Times are epoch milliseconds.

-- A contact's handle on a channel whose address is not a contact field (a Telegram chat id), stored
-- when the contact links their account. One handle per contact and channel; a handle belongs to at
-- most one contact of the workspace. `provider_id` is the bot the chat talks to.
CREATE TABLE channel_handles (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  channel text NOT NULL,
  contact_id text NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  handle text NOT NULL,
  provider_id text NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, channel, contact_id)
);
CREATE UNIQUE INDEX channel_handles_handle ON channel_handles (workspace_id, channel, handle);

-- Deep-link tokens that linked a chat: a token is good for the chat that used it first, never for another.
CREATE TABLE telegram_link_uses (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  signature text NOT NULL,
  contact_id text NOT NULL,
  chat_id text NOT NULL,
  used_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, signature)
);

-- Updates a bot's webhook handled, by Telegram's update_id: a redelivered update changes nothing twice.
CREATE TABLE telegram_updates (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  provider_id text NOT NULL,
  update_id bigint NOT NULL,
  received_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, provider_id, update_id)
);
