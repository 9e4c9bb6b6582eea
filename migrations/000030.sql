-- Several email providers per workspace, routing rules between them, and a circuit breaker per
-- provider shared by all workers (docs/email.md, "Several providers, routing and failover").
--
-- `email_providers` keeps the workspace's sending settings (From, tracking, DKIM, topics); the
-- providers that carry its mail are the rows of `email_provider_list`, tried in `position` order
-- after the routing rules. A workspace's existing provider becomes the first of its list, with id
-- `primary` (`PUT /api/email/provider` keeps editing that one). `secrets` is sealed as in
-- `email_providers` (`{ "sealed": "v1:…" }`); the DKIM key stays with the workspace.
CREATE TABLE email_provider_list (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id text NOT NULL,
  name text NOT NULL,
  position integer NOT NULL,
  kind text NOT NULL,
  settings {{json}} NOT NULL,
  secrets {{json}} NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, id)
);

-- The routing rules and circuit policy of a workspace (JSON validated by src/channels/email/routing/rules.ts).
CREATE TABLE email_routing (
  workspace_id text PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
  rules {{json}} NOT NULL,
  policy {{json}} NOT NULL,
  updated_at bigint NOT NULL
);

-- One circuit per provider: closed (sending), open (skipped since `opened_at`), half_open (one
-- probe, claimed at `probe_at`, decides). `failures` counts consecutive retryable failures since
-- `first_failure_at`.
CREATE TABLE email_circuits (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  provider_id text NOT NULL,
  state text NOT NULL CHECK (state IN ('closed', 'open', 'half_open')),
  failures integer NOT NULL,
  first_failure_at bigint,
  opened_at bigint,
  probe_at bigint,
  last_error text,
  updated_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, provider_id)
);

--@postgres
INSERT INTO email_provider_list (workspace_id, id, name, position, kind, settings, secrets, created_at, updated_at)
  SELECT workspace_id, 'primary', 'primary', 0, kind,
    CASE WHEN settings ? 'smtp' THEN jsonb_build_object('smtp', settings->'smtp') ELSE '{}'::jsonb END,
    secrets, updated_at, updated_at
  FROM email_providers
--@end
--@sqlite
INSERT INTO email_provider_list (workspace_id, id, name, position, kind, settings, secrets, created_at, updated_at)
  SELECT workspace_id, 'primary', 'primary', 0, kind,
    CASE WHEN json_extract(settings, '$.smtp') IS NOT NULL THEN json_object('smtp', json(json_extract(settings, '$.smtp'))) ELSE '{}' END,
    secrets, updated_at, updated_at
  FROM email_providers
--@end
