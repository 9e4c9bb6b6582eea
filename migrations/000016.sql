-- Two lookups of the worker that read far more than they return (found by EXPLAIN QUERY PLAN of
-- every statement the test suite runs):
--
-- Enrolment (src/journeys/runtime/enroll.ts) reads a contact's latest run of one journey to apply
-- the re-entry rule. No index had (contact, journey): SQLite took journey_runs_entered
-- (workspace_id, journey_id, entered_at) and read every run of the journey for each enrolment, so
-- enrolling 20,000 contacts took 41 s where 2,000 took 0.5 s (quadratic). This index answers the
-- lookup with one probe, newest entry first.
CREATE INDEX journey_runs_contact_journey ON journey_runs (workspace_id, contact_id, journey_id, entered_at, id);

-- The segment re-check task claims the oldest dirty pairs (src/segments/task.ts). Without an index
-- on created_at each claim of 500 sorted the whole table: after an import of N contacts with S live
-- segments, N·S rows sorted N·S/500 times.
CREATE INDEX segment_dirty_created ON segment_dirty (created_at);
