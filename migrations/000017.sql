-- The channel platform (docs/channels.md) and SMS on it. Times are epoch milliseconds.

-- What a message cost and how far it got after the provider took it. `segments` and `cost_micros`
-- (millionths of the workspace's currency) are set when it is sent; `delivery_status`
-- (delivered | undelivered | failed), `delivered_at` and `error_code` come from the provider's
-- receipts (SMS delivery reports, …) and never move a message back from `sent`.
ALTER TABLE messages ADD COLUMN segments integer;
ALTER TABLE messages ADD COLUMN cost_micros bigint;
ALTER TABLE messages ADD COLUMN delivery_status text;
ALTER TABLE messages ADD COLUMN delivered_at bigint;
ALTER TABLE messages ADD COLUMN error_code text;
-- (A receipt names the provider's id for the message: found by messages_provider_message_id, 000007.)

-- An inbound SMS names the sender's number: its contact is found by this index, never by a scan.
CREATE INDEX contacts_workspace_phone ON contacts (workspace_id, phone);

-- The dev outbox holds every channel's messages (an SMS has no subject and no HTML).
ALTER TABLE outbox ADD COLUMN channel text NOT NULL DEFAULT 'email';

-- What the contact wrote when a consent changed by a reply ("stop texting me", «لغو»).
ALTER TABLE consent_history ADD COLUMN detail text;

-- Providers of the channels other than email (email keeps email_providers), several per channel and
-- workspace in order of `priority`. `settings` is what the API shows; `secrets` is sealed with the
-- workspace secret key (src/secrets/) and never returned.
CREATE TABLE channel_providers (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  channel text NOT NULL,
  kind text NOT NULL,
  name text NOT NULL,
  priority integer NOT NULL DEFAULT 0,
  settings {{json}} NOT NULL,
  secrets text NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE INDEX channel_providers_workspace ON channel_providers (workspace_id, channel, priority);

-- Per-workspace SMS settings: default country, sender ids per country, keywords, help text, quiet
-- hours, maximum segments, country rule overrides.
CREATE TABLE sms_settings (
  workspace_id text PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  settings {{json}} NOT NULL,
  updated_at bigint NOT NULL
);

-- A provider's throughput limit shared by every worker: messages taken in each second.
CREATE TABLE provider_rate (
  provider_key text NOT NULL,
  second bigint NOT NULL,
  used integer NOT NULL,
  PRIMARY KEY (provider_key, second)
);

-- Short tracked links of SMS (`/s/TOKEN`): the token names the message and the link's index.
CREATE TABLE short_links (
  token text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  message_id text NOT NULL,
  link_index integer NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX short_links_message ON short_links (message_id);

-- Every inbound SMS (replies, keywords), with what Qatra did about it.
CREATE TABLE sms_inbound (
  id {{serial}},
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  contact_id text,
  provider text NOT NULL,
  provider_message_id text,
  from_number text NOT NULL,
  to_number text,
  body text NOT NULL,
  action text NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX sms_inbound_workspace ON sms_inbound (workspace_id, id);
CREATE UNIQUE INDEX sms_inbound_provider_message ON sms_inbound (workspace_id, provider, provider_message_id);
