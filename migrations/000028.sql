-- WhatsApp Business Cloud API messages (channel `whatsapp`, docs/whatsapp.md). Times are epoch ms.

-- When the recipient read a message (WhatsApp's `read` status): the first read only, never cleared.
ALTER TABLE messages ADD COLUMN read_at bigint;

-- The 24-hour customer-service window: when each number last wrote to the workspace. A free-form
-- message may go to `phone` only while now < last_inbound_at + 24 h (src/channels/whatsapp/window.ts).
CREATE TABLE whatsapp_windows (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  phone text NOT NULL,
  last_inbound_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, phone)
);

-- Every inbound WhatsApp message, once (the webhook may deliver it again: the key makes it a no-op),
-- with what Qatra did about it (stop, start, reply, unknown_sender).
CREATE TABLE whatsapp_inbound (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  wamid text NOT NULL,
  provider_id text NOT NULL,
  from_number text NOT NULL,
  contact_id text,
  body text NOT NULL,
  action text NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, wamid)
);

-- The messaging tier: the distinct numbers a provider (business phone number) messaged on each UTC
-- day (`day` = days since the epoch), and how many that is (`whatsapp_daily_counts.used`, raised by
-- one conditional upsert so that concurrent senders never pass the tier's cap).
CREATE TABLE whatsapp_daily_recipients (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  provider_id text NOT NULL,
  day integer NOT NULL,
  phone text NOT NULL,
  PRIMARY KEY (workspace_id, provider_id, day, phone)
);

CREATE TABLE whatsapp_daily_counts (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  provider_id text NOT NULL,
  day integer NOT NULL,
  used integer NOT NULL,
  PRIMARY KEY (workspace_id, provider_id, day)
);
