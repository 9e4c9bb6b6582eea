-- ESP HTTP providers (src/channels/email/providers/{ses,postmark,sendgrid,mailgun}/).
--
-- 1. email_providers.kind no longer restates the provider kinds in a CHECK: the kinds are the one
--    list in src/channels/email/providers/registry.ts, checked by the settings schema where rows are
--    written (as 000026 did for templates.channel). SQLite needs a table rebuild; it holds one row
--    per workspace.
-- 2. email_webhook_nonces: what a signed event webhook has already presented (Mailgun's token,
--    SendGrid's signature, an SNS MessageId), so a captured request replayed inside its time
--    window is refused. Rows older than a day are pruned as new ones arrive (the windows are minutes).
--@postgres
ALTER TABLE email_providers DROP CONSTRAINT IF EXISTS email_providers_kind_check
--@end
--@sqlite
CREATE TABLE email_providers_new (
  workspace_id text PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  kind text NOT NULL,
  settings {{json}} NOT NULL,
  secrets {{json}} NOT NULL,
  updated_at bigint NOT NULL
)
--@end
--@sqlite
INSERT INTO email_providers_new (workspace_id, kind, settings, secrets, updated_at)
  SELECT workspace_id, kind, settings, secrets, updated_at FROM email_providers
--@end
--@sqlite
DROP TABLE email_providers
--@end
--@sqlite
ALTER TABLE email_providers_new RENAME TO email_providers
--@end

CREATE TABLE email_webhook_nonces (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  provider text NOT NULL,
  nonce text NOT NULL,
  seen_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, provider, nonce)
);

CREATE INDEX email_webhook_nonces_seen ON email_webhook_nonces (seen_at);
