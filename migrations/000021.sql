-- Direct mail (docs/mail.md "Addresses"): a contact's postal address, structured
-- (src/contacts/postal-address.ts: name, lines, city, region, postcode, country), validated per
-- country before it is stored. One JSON value rather than six columns: it is always read and written
-- whole, its parts vary by country (no region or postcode in some), and the one query over a part
-- (presort by postcode) sorts a print batch already in memory. NULL: no address.
ALTER TABLE contacts ADD COLUMN postal_address {{json}};

-- Templates may be written for channel `mail` (src/templates/validate-mail.ts). PostgreSQL changes
-- the CHECK in place; SQLite cannot alter a CHECK, so it rebuilds both template tables inside this
-- migration's transaction: the versions first (a DROP of `templates` would otherwise cascade to
-- them), then the templates; renaming `templates_new` re-points the new versions' foreign key.
--@postgres
ALTER TABLE templates DROP CONSTRAINT IF EXISTS templates_channel_check
--@end
--@postgres
ALTER TABLE templates ADD CONSTRAINT templates_channel_check CHECK (channel IN ('email', 'sms', 'mail'))
--@end
--@sqlite
CREATE TABLE templates_new (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  id text NOT NULL,
  name text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('email', 'sms', 'mail')),
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
