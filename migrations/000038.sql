-- Email throttles, warm-up and per-domain 4xx deferral backoff (docs/email.md, "Throttles, warm-up
-- and deferrals"), shared by every worker through these rows. Times are epoch milliseconds.

-- A provider's throttle and warm-up schedule (`{ "throttle": {...}, "warmup": {...} }`, parsed by
-- src/channels/email/limits/limits.ts), and the workspace's per-recipient-domain throttles.
ALTER TABLE email_provider_list ADD COLUMN limits {{json}} NOT NULL DEFAULT '{}';
ALTER TABLE email_routing ADD COLUMN throttles {{json}} NOT NULL DEFAULT '[]';

-- One counter per scope (`provider:<id>`, `domain:<pattern>`, `warmup:<id>`): how many sends the
-- current window (`window_start`, the start of its second, minute, hour or UTC day) has used. A
-- send takes one with a conditional UPDATE (src/channels/email/limits/counters.ts), so two workers
-- can never both take the last one; a new window resets the count in the same UPDATE.
CREATE TABLE email_send_counters (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  scope text NOT NULL,
  window_start bigint NOT NULL,
  used integer NOT NULL,
  PRIMARY KEY (workspace_id, scope)
);

-- A recipient domain whose server answered 4xx (421/450/451/452, greylisting): no send to it before
-- `until_at`; `failures` in a row set the exponential delay; a success deletes the row.
CREATE TABLE email_domain_backoff (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  domain text NOT NULL,
  failures integer NOT NULL,
  until_at bigint NOT NULL,
  last_error text,
  updated_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, domain)
);
