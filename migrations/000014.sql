-- A contact's timeline (GET /api/contacts/:id/timeline) reads its events and messages newest first,
-- a page at a time, from a cursor (time, id). These indexes make each page one bounded range scan
-- backwards from the cursor, however many events the contact has (events_contact_name_time leads
-- with the event name, so it cannot serve "all names in time order"; messages_contact orders by id).
CREATE INDEX events_contact_time ON events (contact_id, timestamp, id);
CREATE INDEX messages_contact_time ON messages (contact_id, created_at, id);

-- Contact imports from the web app (POST /api/contacts/imports, then the CSV streamed to
-- PUT /api/contacts/imports/:id/file). The file is never held whole: it is parsed as it arrives and
-- upserted in batches (src/contacts/import.ts); after each batch the counters and bytes_read are
-- written here, so a browser polling GET /api/contacts/imports/:id sees the progress.
-- status: waiting (created, no file yet) | running | completed | failed (error says why; the rows
-- written before the failure stay written). failures holds the first 1000 bad rows as
-- [{ line, reason }]; failed counts them all. options: the column mapping ({ map, ignore, types }).
CREATE TABLE contact_imports (
  id text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  status text NOT NULL CHECK (status IN ('waiting', 'running', 'completed', 'failed')),
  file_name text NOT NULL,
  size_bytes bigint,
  bytes_read bigint NOT NULL DEFAULT 0,
  options {{json}} NOT NULL,
  list_id text,
  rows_read integer NOT NULL DEFAULT 0,
  created integer NOT NULL DEFAULT 0,
  updated integer NOT NULL DEFAULT 0,
  unchanged integer NOT NULL DEFAULT 0,
  failed integer NOT NULL DEFAULT 0,
  failures {{json}} NOT NULL,
  error text,
  created_by text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  finished_at bigint
);
CREATE INDEX contact_imports_workspace ON contact_imports (workspace_id, id);

-- The timeline opens a message's stored copy from the outbox by the message record's id.
CREATE INDEX outbox_message ON outbox (message_id);
