/**
 * @module Full evaluations of a condition (every contact of a workspace: a refresh, a preview, a
 * count) and the PostgreSQL settings they run with.
 *
 * On PostgreSQL a full evaluation sets, for the rest of its transaction (SET LOCAL):
 *  - `work_mem` 64MB: at the default 4MB the per-contact aggregate and the hash of the window's
 *    events spill (sort "external merge", hash "Batches: 2"). 118,778 groups of "sum > 100 over 90
 *    days" at 1M contacts hash in 45 MB. A bigger workspace spills gracefully, it does not fail.
 *  - `max_parallel_workers_per_gather` 1 (default 2): with a work_mem that fits the aggregate,
 *    PostgreSQL 15 plans "sum > 100" as a non-parallel Hash of the aggregate under a parallel join,
 *    so every process reads and aggregates the window's events again: with 2 workers on our 2 cores,
 *    3x the buffers and 2.2-3.2 s instead of 1.1-1.7 s. With 1 worker the aggregate is built twice for
 *    the same elapsed time as serial, and "not opened in 90 days" shares one Parallel Hash (plan
 *    seen at 200k contacts): 1.68 -> 1.23 s (scattered layout) and 1.20 -> 0.78 s (arrival) against
 *    serial (medians of 5, load 1.8-2.5).
 *  - `jit` off: compiling took 30-130 ms per query (EXPLAIN's JIT timing) for queries bound by
 *    reading heap pages and hashing, not by expression evaluation (not A/B-measured on its own).
 * Measured with EXPLAIN (ANALYZE, BUFFERS) at 1M contacts / 10M events (bench/segments.ts, docs/segments.md).
 * SQLite has no such knobs; nothing is set there.
 */
import { sql } from 'kysely';
import type { Db, DialectName, Store } from '../store/store.js';
import type { Expr } from './sql-values.js';

export const FULL_EVALUATION_SETTINGS = { work_mem: '64MB', max_parallel_workers_per_gather: '1', jit: 'off' } as const;

/** Applies FULL_EVALUATION_SETTINGS until the end of the current transaction (PostgreSQL only). */
export async function useFullEvaluationSettings(trx: Db, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  const sets = Object.entries(FULL_EVALUATION_SETTINGS).map(([name, value]) => sql`set_config(${name}, ${value}, true)`);
  await sql`SELECT ${sql.join(sets)}`.execute(trx);
}

/**
 * Runs read-only `fn` with the settings: on PostgreSQL in a transaction of its own; on SQLite
 * outside any (the store's BEGIN IMMEDIATE would take the write lock for a read).
 */
export async function readWithFullEvaluation<T>(store: Store, fn: (db: Db) => Promise<T>): Promise<T> {
  if (store.dialect !== 'postgres') return fn(store.db);
  return store.transaction(async (trx) => {
    await useFullEvaluationSettings(trx, store.dialect);
    return fn(trx);
  });
}

/** How many contacts of the workspace the compiled condition (`compileCondition`, mode full) selects. */
export async function countMatching(db: Db, workspaceId: string, pred: Expr): Promise<number> {
  const r = await sql<{ n: number }>`SELECT count(*) AS n FROM contacts c WHERE c.workspace_id = ${workspaceId} AND ${pred}`.execute(db);
  return Number(r.rows[0]!.n);
}
