-- Site visits (issue 20, docs/segments.md "Visits and sessions", docs/ingestion.md "Bot traffic").

-- A call from a known crawler (src/events/bots.ts) is stored with bot = 1 and emits no signal: it
-- starts no journey and counts toward no visit or session condition. Adding a column with a
-- constant default rewrites no rows on either backend.
ALTER TABLE events ADD COLUMN bot integer NOT NULL DEFAULT 0;

-- Where a page view was (src/events/page-url.ts): host (lower case), path and query string, read at
-- ingestion from the page call's url/path/search, so URL patterns are plain LIKE tests. NULL for
-- other events.
ALTER TABLE events ADD COLUMN page_host text;
ALTER TABLE events ADD COLUMN page_path text;
ALTER TABLE events ADD COLUMN page_query text;
-- Page views stored before this migration: their path is properties.path when the library sent one
-- (analytics.js always does); host and query stay unknown. The same SQL on both backends.
UPDATE events SET page_path = properties->>'path' WHERE type = 'page' AND substr(properties->>'path', 1, 1) = '/';

-- Human page views per contact in time order: visit conditions ("visited /pricing twice in 7 days")
-- and session counts (page views less than 30 min apart are one session) read a workspace's or a
-- contact's page views in a window from this partial index, in the order the session count walks
-- them, and never touch track events or bot traffic.
CREATE INDEX events_page_views ON events (workspace_id, contact_id, timestamp) WHERE type = 'page' AND bot = 0;
