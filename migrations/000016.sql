-- A lookup of the worker that read far more than it returned (found by EXPLAIN QUERY PLAN of every
-- statement the test suite runs, npm run audit:plans).
--
-- The segment re-check task claims the oldest dirty pairs (src/segments/task.ts). Without an index
-- on created_at each claim of 500 sorted the whole table: after an import of N contacts with S live
-- segments, N·S rows sorted N·S/500 times.
CREATE INDEX segment_dirty_created ON segment_dirty (created_at);
