/**
 * @module Retention of raw events: deletes a workspace's events older than a cutoff in small
 * batches, each batch ONE short transaction that deletes up to BATCH_ROWS rows and adds them to the
 * hourly counts of `event_rollups` (migrations/000036.sql). An event is thus always either a row of
 * `events` or counted in a rollup, never both and never neither, whoever reads in between, and a
 * figure computed from both (src/insights/series.ts) is the same before and after.
 *
 * Never blocking ingestion: a batch holds the write lock (SQLite) or its rows' locks (PostgreSQL) for
 * a few milliseconds, and between batches we pause as long as the batch took, so retention takes at
 * most about half of the store's write time and ingestion's group commits (src/events/ingest.ts) get
 * their turn; a concurrent ingest test proves it (./retention-ingest.test.ts).
 *
 * Finding old rows without a new index on `events` (building one would lock or scan the largest
 * table, see docs/scaling.md): the workspace's event names are read by a loose index scan (one seek
 * per name), then each name's old rows through events_workspace_name_time (workspace_id, name,
 * timestamp). Two workers deleting at once are harmless: a row is deleted, and so counted, once
 * (PostgreSQL's second DELETE waits for the first's row lock and then skips the row).
 *
 * Hand-written SQL (DELETE … RETURNING exists on SQLite ≥ 3.35); reads `store.dialect` for how the
 * batch's ids are named, which each planner takes differently (see deleteBatch).
 */
import { sql } from 'kysely';
import type { Store } from '../store/store.js';

/**
 * Rows per batch transaction. Measured (./retention-ingest.test.ts, 2 shared cores at load 22): on
 * SQLite 2000-row batches deleted 3.8k rows/s and made concurrent 50-call ingest requests wait up to
 * 0.9 s (p50 449 ms, 70 ms alone); 500-row batches 2.2k rows/s, up to 0.5 s (p50 179 ms). 1000 is
 * between; PostgreSQL, whose batch locks only its rows, deleted 7k rows/s at 2000 with ingestion
 * p50 134 ms. On an idle machine each figure is several times better (docs/retention.md).
 */
export const BATCH_ROWS = 1000;
export const HOUR_MS = 3_600_000;

/** Keep `months` whole UTC calendar months before the current one (and the current one): the first instant kept. */
export function cutoffOf(now: number, months: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - months, 1);
}

/** The workspace's distinct event names, one index seek each (no scan of its events). */
async function eventNames(store: Store, workspaceId: string): Promise<string[]> {
  const r = await sql<{ name: string | null }>`
    WITH RECURSIVE n(name) AS (
      SELECT (SELECT min(name) FROM events WHERE workspace_id = ${workspaceId})
      UNION ALL
      SELECT (SELECT min(e.name) FROM events e WHERE e.workspace_id = ${workspaceId} AND e.name > n.name) FROM n WHERE n.name IS NOT NULL
    )
    SELECT name FROM n WHERE name IS NOT NULL`.execute(store.db);
  return r.rows.map((row) => row.name!);
}

/**
 * A `revenue` property as the insights series counts it (src/insights/series.ts,
 * addConversionEvents): its text as a number if finite, else no revenue.
 */
export function revenueValue(text: string | null): number | null {
  const v = text === null ? NaN : Number(text);
  return Number.isFinite(v) ? v : null;
}

/** Deletes up to `limit` of the name's events older than `cutoff`, moving them into the rollups; the rows deleted. */
export async function deleteBatch(store: Store, workspaceId: string, name: string, cutoff: number, limit = BATCH_ROWS): Promise<number> {
  return store.transaction(async (trx) => {
    const picked = sql`SELECT id FROM events WHERE workspace_id = ${workspaceId} AND name = ${name} AND timestamp < ${cutoff} ORDER BY timestamp LIMIT ${limit}`;
    // PostgreSQL plans `id IN (subquery)` as a hash semi-join over a SEQUENTIAL SCAN of events (seen
    // with EXPLAIN ANALYZE on 200k rows: 650 ms a batch, growing with the table); `= ANY(ARRAY(…))`
    // is a list of keys probed through the primary key. SQLite probes the rowid for `IN (subquery)`.
    const which = store.dialect === 'postgres' ? sql`id = ANY(ARRAY(${picked}))` : sql`id IN (${picked})`;
    const deleted = await sql<{ timestamp: number | string; revenue: string | null }>`
      DELETE FROM events WHERE ${which}
      RETURNING timestamp, ${store.adapter.jsonText('properties', 'revenue')} AS revenue`.execute(trx);
    if (deleted.rows.length === 0) return 0;
    const byHour = new Map<number, { events: number; revenue: number | null }>();
    for (const row of deleted.rows) {
      const hour = Math.floor(Number(row.timestamp) / HOUR_MS) * HOUR_MS;
      const r = byHour.get(hour) ?? { events: 0, revenue: null };
      r.events += 1;
      const v = revenueValue(row.revenue);
      if (v !== null) r.revenue = (r.revenue ?? 0) + v;
      byHour.set(hour, r);
    }
    await trx
      .insertInto('event_rollups')
      .values([...byHour].map(([hour, r]) => ({ workspace_id: workspaceId, hour, name, events: r.events, revenue: r.revenue })))
      .onConflict((oc) =>
        oc.columns(['workspace_id', 'hour', 'name']).doUpdateSet({
          events: sql`event_rollups.events + excluded.events`,
          revenue: sql`CASE WHEN event_rollups.revenue IS NULL AND excluded.revenue IS NULL THEN NULL ELSE COALESCE(event_rollups.revenue, 0) + COALESCE(excluded.revenue, 0) END`,
        }),
      )
      .execute();
    return deleted.rows.length;
  });
}

export interface RetentionPass {
  /** Events deleted (and rolled up) by this pass. */
  deleted: number;
  /** True when no event older than the cutoff is left; false when the batch budget ran out first. */
  done: boolean;
}

/**
 * Deletes the workspace's events older than `cutoff`, batch by batch, at most `maxBatches` batches
 * (the worker's tick then hands over to the other tasks and comes back).
 */
export async function deleteExpiredEvents(store: Store, workspaceId: string, cutoff: number, options: { maxBatches?: number; batchRows?: number } = {}): Promise<RetentionPass> {
  const maxBatches = options.maxBatches ?? Infinity;
  const limit = options.batchRows ?? BATCH_ROWS;
  let deleted = 0;
  let batches = 0;
  for (const name of await eventNames(store, workspaceId)) {
    for (;;) {
      if (batches >= maxBatches) return { deleted, done: false };
      const started = performance.now();
      const n = await deleteBatch(store, workspaceId, name, cutoff, limit);
      batches++;
      deleted += n;
      // Yield as long as the batch took: ingestion (and other processes on the SQLite file) write meanwhile.
      await new Promise((resolve) => setTimeout(resolve, Math.min(50, performance.now() - started)));
      if (n < limit) break;
    }
  }
  return { deleted, done: true };
}
