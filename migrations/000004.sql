-- Templates (email and SMS) with immutable versions. A template's id is a slug chosen by the author
-- (`welcome-1`), unique per workspace. kind: marketing | transactional (messages), layout (a shared
-- shell with a `{{ content }}` slot) or partial (a snippet for `{% render 'id' %}`).

CREATE TABLE templates (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id text NOT NULL,
  name text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('email', 'sms')),
  kind text NOT NULL CHECK (kind IN ('marketing', 'transactional', 'layout', 'partial')),
  current_version integer NOT NULL,
  -- Archived instead of deleted: sends and journeys may still refer to its versions.
  archived_at bigint,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, id)
);

-- Versions never change once written. `compiled` holds, per locale variant, the HTML that Liquid
-- renders at send time (layout applied, MJML compiled, dir/lang set): compiled ONCE, here, at save.
CREATE TABLE template_versions (
  workspace_id text NOT NULL,
  template_id text NOT NULL,
  version integer NOT NULL,
  content {{json}} NOT NULL,
  compiled {{json}} NOT NULL,
  warnings {{json}} NOT NULL,
  content_hash text NOT NULL,
  layout_id text,
  layout_version integer,
  created_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, template_id, version),
  FOREIGN KEY (workspace_id, template_id) REFERENCES templates (workspace_id, id) ON DELETE CASCADE
);
