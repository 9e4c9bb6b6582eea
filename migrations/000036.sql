-- Data lifecycle (docs/retention.md): a workspace may keep its raw events N months. What the web app
-- shows of older periods must not change when their raw rows go, so each retention batch moves the
-- events it deletes into these hourly counts IN THE SAME TRANSACTION (src/retention/delete-events.ts):
-- every event is either a row of `events` or counted here, never both, never neither.
--
-- `hour` is the UTC hour's start (epoch ms) of the events' `timestamp`; `events` how many there were
-- of that name; `revenue` the sum of their finite `revenue` properties, null when none had one (the
-- insights series, src/insights/series.ts, reads them beside the raw rows). No contact, no property:
-- nothing here is personal data, so erasure (src/privacy/) has nothing to do in it.
--
-- Online (docs/scaling.md, Online migrations): a new, empty table; nothing of `events` is touched,
-- and retention finds old rows through the existing index events_workspace_name_time, so no index is
-- built on a large table.
CREATE TABLE event_rollups (
  workspace_id text NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  hour bigint NOT NULL,
  name text NOT NULL,
  events bigint NOT NULL,
  revenue double precision,
  PRIMARY KEY (workspace_id, hour, name)
);
