-- Contact data rights (docs/privacy.md, STANDARDS.md 17): the audit log of exports and erasures, and
-- the mark an erased contact's anonymised row keeps. Times are epoch milliseconds.

-- Who did what to whom, without personal data: `subject` is an id (a contact id), `details` holds
-- counts and flags only, never an address, trait or event property.
CREATE TABLE audit_log (
  id {{serial}},
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  -- The API key id that acted, or NULL when the person acted (e.g. a double opt-in confirmation).
  actor text,
  action text NOT NULL,
  subject text NOT NULL,
  details {{json}} NOT NULL,
  at bigint NOT NULL
);
CREATE INDEX audit_log_workspace ON audit_log (workspace_id, id);

-- An erased contact's row stays (its events and messages reference it, ON DELETE CASCADE, and keep
-- the statistics right) with every identifier and attribute cleared; erased_at marks it so the API
-- no longer shows it as a contact.
ALTER TABLE contacts ADD COLUMN erased_at bigint;
