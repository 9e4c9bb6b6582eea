import { freshDatabase } from '../test/backends.js';
import { sql } from 'kysely';
const d = await freshDatabase('sqlite');
const q = sql`EXPLAIN QUERY PLAN UPDATE journey_runs AS r SET status = v.status
        FROM (SELECT value ->> 'id' AS id, value ->> 'expect' AS expect, value ->> 'status' AS status FROM json_each(${'[]'})) AS v
        WHERE r.id = v.id AND r.claimed_by = ${'x'} AND r.visit = v.expect AND r.ended_at IS NULL RETURNING id`;
console.log((await q.execute(d.store.db)).rows);
const c = sql`EXPLAIN QUERY PLAN UPDATE journey_runs SET claimed_by = ${'t'}, lease_until = ${1}
    WHERE id IN (
      SELECT r.id FROM journey_runs r
      WHERE r.due_at <= ${1} AND (r.lease_until IS NULL OR r.lease_until < ${1})
        AND NOT EXISTS (SELECT 1 FROM journeys j WHERE j.workspace_id = r.workspace_id AND j.id = r.journey_id AND j.status = 'paused')
      ORDER BY r.due_at
      LIMIT ${100}
    )
    RETURNING *`;
console.log((await c.execute(d.store.db)).rows);
await d.drop();
