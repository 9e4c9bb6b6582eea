/**
 * @module Claiming due work with leases. A claim sets `claimed_by` (a token unique to this claim) and
 * `lease_until`; a worker that dies leaves leases that expire, and the next claim takes the runs over.
 * Every later write of the claimer is conditional on `claimed_by = token`, so a worker whose lease
 * expired cannot overwrite the work of the one that took over.
 *
 * Hand-written because it is the hot query. PostgreSQL: WITH picked AS MATERIALIZED (SELECT … FOR
 * UPDATE SKIP LOCKED) UPDATE … WHERE id IN (SELECT id FROM picked), so concurrent workers never wait
 * on each other's rows. The CTE is MATERIALIZED because a plain `id IN (SELECT … LIMIT n FOR UPDATE
 * SKIP LOCKED)` may be re-run once per outer row in a nested-loop plan, each run skipping the rows
 * the UPDATE itself just locked, so LIMIT stops limiting (seen on the broadcasts claim). SQLite: the same UPDATE …
 * RETURNING inside BEGIN IMMEDIATE (the write lock serialises claimers); `store.adapter` says which. Runs of a paused journey are
 * held: not claimed until it is resumed. Both plans range-scan the partial index journey_runs_due
 * (checked with EXPLAIN); runs of an archived workspace are held too (src/workspaces/archived.ts); with 1,000,000 runs waiting far in the future the scan still stops at the
 * first not-yet-due entry (bench/journeys.ts --size large).
 *
 * The transactional lane (issue 19; migrations/000037.sql): runs whose next step is a transactional
 * message (`lane = 1`) are picked first from their own partial index, up to all but a tenth of the
 * batch; the marketing lane fills the rest in due order. A password reset due behind 100,000
 * marketing steps goes in the next batch, and a flood of transactional steps still leaves marketing a
 * tenth of every batch. Marketing rows picked beyond the batch are only locked for the statement.
 */
import { sql } from 'kysely';
import { inActiveWorkspace } from '../../workspaces/archived.js';
import type { Store } from '../../store/store.js';
import type { RunRow } from './run.js';
import type { JourneyInboxTable } from './tables.js';
import type { Selectable } from 'kysely';

/**
 * How much of a batch the transactional lane may take: all but a tenth (at least one run), so a
 * transactional backlog never starves marketing steps of a batch entirely.
 */
export function transactionalShare(limit: number): number {
  return Math.max(1, limit - Math.max(1, Math.floor(limit / 10)));
}

export async function claimDueRuns(store: Store, token: string, now: number, leaseMs: number, limit: number): Promise<RunRow[]> {
  const lease = now + leaseMs;
  // Not a paused journey's runs, nor an archived workspace's (src/workspaces/archived.ts).
  const eligible = sql`NOT EXISTS (SELECT 1 FROM journeys j WHERE j.workspace_id = r.workspace_id AND j.id = r.journey_id AND j.status = 'paused') AND ${inActiveWorkspace('r.workspace_id')}`;
  // The lanes are literals, not parameters: SQLite uses a partial index only when its WHERE is
  // implied by the query's own text.
  const query = sql<RunRow>`
    WITH tx AS MATERIALIZED (
      SELECT r.id, r.due_at FROM journey_runs r
      WHERE r.lane = 1 AND r.due_at <= ${now} AND (r.lease_until IS NULL OR r.lease_until < ${now}) AND ${eligible}
      ORDER BY r.due_at
      LIMIT ${transactionalShare(limit)}
      ${store.adapter.skipLocked}
    ), mk AS MATERIALIZED (
      SELECT r.id, r.due_at FROM journey_runs r
      WHERE r.due_at <= ${now} AND (r.lease_until IS NULL OR r.lease_until < ${now}) AND r.lane = 0 AND ${eligible}
      ORDER BY r.due_at
      LIMIT ${limit}
      ${store.adapter.skipLocked}
    ), picked AS MATERIALIZED (
      SELECT id FROM (SELECT id, 0 AS pass, due_at FROM tx UNION ALL SELECT id, 1 AS pass, due_at FROM mk) AS u
      ORDER BY pass, due_at
      LIMIT ${limit}
    )
    UPDATE journey_runs SET claimed_by = ${token}, lease_until = ${lease}
    WHERE id IN (SELECT id FROM picked)
    RETURNING *`;
  return store.adapter.claim(store.db, store.transaction, query);
}

export type InboxRow = Selectable<JourneyInboxTable>;

export async function claimInbox(store: Store, token: string, now: number, leaseMs: number, limit: number): Promise<InboxRow[]> {
  const lease = now + leaseMs;
  const query = sql<InboxRow>`
    WITH picked AS MATERIALIZED (
      SELECT id FROM journey_inbox
      WHERE lease_until IS NULL OR lease_until < ${now}
      ORDER BY id
      LIMIT ${limit}
      ${store.adapter.skipLocked}
    )
    UPDATE journey_inbox SET claimed_by = ${token}, lease_until = ${lease}
    WHERE id IN (SELECT id FROM picked)
    RETURNING *`;
  const rows = await store.adapter.claim(store.db, store.transaction, query);
  return rows.sort((a, b) => Number(a.id) - Number(b.id));
}
