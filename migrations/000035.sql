-- Workspaces management (docs/workspaces.md). Both columns are added without a default, so neither
-- backend rewrites the table.

-- When the workspace was archived; null: active. An archived workspace keeps its data, its keys
-- ingest nothing (403) and the worker claims none of its due work, until it is unarchived.
ALTER TABLE workspaces ADD COLUMN archived_at bigint;

-- Calls per second the workspace may send to /v1 (a token bucket per server process,
-- src/events/rate-limit.ts). Null: the server's default (QATRA_INGEST_RATE_PER_WORKSPACE); 0: unlimited.
ALTER TABLE workspaces ADD COLUMN ingest_rate_per_second integer;
