-- The transactional claim lane of journey steps (issue 19; src/journeys/runtime/claim.ts). `lane`
-- is 1 while a run's next step is a transactional message node (a password reset, an order
-- receipt), else 0; the writer of every run move sets it from the journey document. The claim
-- takes due runs of lane 1 first through their own small partial index, so they never wait behind
-- a marketing backlog of due steps in journey_runs_due.
-- Adding a column with a constant default rewrites nothing (PostgreSQL 11+, SQLite).
ALTER TABLE journey_runs ADD COLUMN lane smallint NOT NULL DEFAULT 0;
CREATE INDEX journey_runs_due_transactional ON journey_runs (due_at) WHERE due_at IS NOT NULL AND lane = 1;
