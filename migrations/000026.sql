-- A template's channel is one of the channels Qatra has (src/channels/descriptors.ts, the one list),
-- checked where templates are written (src/templates/routes.ts, files.ts). The database's own CHECK
-- restated that list and had to be rebuilt on SQLite for every new channel (000021 did it for
-- `mail`); this migration removes it once, so a channel is added in code alone. Templates are a
-- workspace's few hundred rows at most: the SQLite rebuild is quick.
--@postgres
ALTER TABLE templates DROP CONSTRAINT IF EXISTS templates_channel_check
--@end
--@sqlite
CREATE TABLE templates_new (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id text NOT NULL,
  name text NOT NULL,
  channel text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('marketing', 'transactional', 'layout', 'partial')),
  current_version integer NOT NULL,
  archived_at bigint,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, id)
)
--@end
--@sqlite
INSERT INTO templates_new (workspace_id, id, name, channel, kind, current_version, archived_at, created_at, updated_at)
  SELECT workspace_id, id, name, channel, kind, current_version, archived_at, created_at, updated_at FROM templates
--@end
--@sqlite
CREATE TABLE template_versions_new (
  workspace_id text NOT NULL,
  template_id text NOT NULL,
  version integer NOT NULL,
  content text NOT NULL,
  compiled text NOT NULL,
  warnings text NOT NULL,
  content_hash text NOT NULL,
  layout_id text,
  layout_version integer,
  created_at bigint NOT NULL,
  PRIMARY KEY (workspace_id, template_id, version),
  FOREIGN KEY (workspace_id, template_id) REFERENCES templates_new (workspace_id, id) ON DELETE CASCADE
)
--@end
--@sqlite
INSERT INTO template_versions_new (workspace_id, template_id, version, content, compiled, warnings, content_hash, layout_id, layout_version, created_at)
  SELECT workspace_id, template_id, version, content, compiled, warnings, content_hash, layout_id, layout_version, created_at FROM template_versions
--@end
--@sqlite
DROP TABLE template_versions
--@end
--@sqlite
DROP TABLE templates
--@end
--@sqlite
ALTER TABLE templates_new RENAME TO templates
--@end
--@sqlite
ALTER TABLE template_versions_new RENAME TO template_versions
--@end
