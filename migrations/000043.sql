-- Connection caps of email providers and recipient domains (docs/email.md, "Throttles, warm-up and
-- deferrals"): one row per slot of a scope (`provider:<id>`, `domain:<pattern>`). A send takes a
-- free slot (its lease run out) with a conditional UPDATE and frees it when its call has answered;
-- a worker killed mid-send holds its slot only until `lease_until` (src/channels/email/limits/slots.ts).
CREATE TABLE email_send_slots (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  scope text NOT NULL,
  slot integer NOT NULL,
  holder text,
  lease_until bigint NOT NULL,
  PRIMARY KEY (workspace_id, scope, slot)
);
