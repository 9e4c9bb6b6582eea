/**
 * @module The segments' worker task (listed in src/worker/tasks.ts). Each tick:
 *  - claims up to `batch` dirty (segment, contact) pairs and re-checks them, per segment, with the
 *    condition restricted to those contacts; the claim (a DELETE … RETURNING) and the refresh are one
 *    transaction, so a worker that dies leaves the pairs dirty for the next one. PostgreSQL claims
 *    with FOR UPDATE SKIP LOCKED so several workers share the queue;
 *  - recomputes at most one segment whose scheduled refresh is due (sliding windows), fully; not
 *    in an archived workspace (docs/workspaces.md), whose segments wait until it is unarchived.
 *
 * Reads `store.dialect` because the claim is hand-written: DELETE … USING a SKIP LOCKED pick on
 * PostgreSQL, DELETE by rowid on SQLite (which has neither USING nor row locks).
 */
import { sql } from 'kysely';
import type { AppDeps } from '../core/app-deps.js';
import type { ServiceDeps } from '../core/deps.js';
import { fromJson } from '../core/json.js';
import type { Db } from '../store/store.js';
import type { WorkerTask } from '../worker/worker.js';
import type { Condition } from './definition.js';
import { inActiveWorkspace } from '../workspaces/archived.js';
import { lockSegment, refreshMembership } from './members.js';

export const DIRTY_BATCH = 500;

type Claimed = { segment_id: string; contact_id: string; workspace_id: string };

async function claimDirty(trx: Db, dialect: ServiceDeps['store']['dialect'], batch: number): Promise<Claimed[]> {
  return (await claimDirtyQuery(dialect, batch).execute(trx)).rows;
}

/** The oldest dirty pairs, deleted as they are claimed: an ordered read of segment_dirty_created (its plan is tested). */
export function claimDirtyQuery(dialect: ServiceDeps['store']['dialect'], batch: number) {
  return dialect === 'postgres'
    ? // A MATERIALIZED CTE so the LIMIT holds (src/journeys/runtime/claim.ts says why).
      sql<Claimed>`WITH picked AS MATERIALIZED (
        SELECT segment_id, contact_id FROM segment_dirty ORDER BY created_at LIMIT ${batch} FOR UPDATE SKIP LOCKED)
      DELETE FROM segment_dirty d USING picked WHERE d.segment_id = picked.segment_id AND d.contact_id = picked.contact_id
      RETURNING d.segment_id, d.contact_id, d.workspace_id`
    : sql<Claimed>`DELETE FROM segment_dirty WHERE rowid IN (SELECT rowid FROM segment_dirty ORDER BY created_at LIMIT ${batch})
      RETURNING segment_id, contact_id, workspace_id`;
}

/** Re-checks up to `batch` dirty pairs; returns how many pairs were handled. */
export async function processDirty(deps: ServiceDeps, batch = DIRTY_BATCH): Promise<number> {
  const { store, clock } = deps;
  return store.transaction(async (trx) => {
    const claimed = await claimDirty(trx, store.dialect, batch);
    if (claimed.length === 0) return 0;
    const bySegment = new Map<string, string[]>();
    for (const c of claimed) {
      const ids = bySegment.get(c.segment_id) ?? [];
      ids.push(c.contact_id);
      bySegment.set(c.segment_id, ids);
    }
    const now = clock.now();
    for (const [segmentId, contactIds] of [...bySegment].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (!(await lockSegment(trx, store.dialect, segmentId))) continue;
      const seg = await trx.selectFrom('segments').select(['id', 'workspace_id', 'name', 'conditions']).where('id', '=', segmentId).executeTakeFirstOrThrow();
      await refreshMembership(
        trx,
        { dialect: store.dialect, signals: deps.signals },
        { id: seg.id, workspaceId: seg.workspace_id, name: seg.name, conditions: fromJson<Condition>(seg.conditions) },
        now,
        contactIds,
      );
    }
    return claimed.length;
  });
}

/** Fully recomputes one segment whose scheduled refresh is due; returns 1 if it did. */
export async function refreshDueSegment(deps: ServiceDeps): Promise<number> {
  const { store, clock } = deps;
  const now = clock.now();
  return store.transaction(async (trx) => {
    let q = trx
      .selectFrom('segments')
      .select(['id', 'workspace_id', 'name', 'conditions', 'refresh_interval_ms'])
      .where('next_refresh_at', '<=', now)
      .where(inActiveWorkspace('segments.workspace_id'))
      .orderBy('next_refresh_at')
      .limit(1);
    if (store.dialect === 'postgres') q = q.forNoKeyUpdate().skipLocked();
    const seg = await q.executeTakeFirst();
    if (!seg) return 0;
    await refreshMembership(
      trx,
      { dialect: store.dialect, signals: deps.signals },
      { id: seg.id, workspaceId: seg.workspace_id, name: seg.name, conditions: fromJson<Condition>(seg.conditions) },
      now,
    );
    await trx
      .updateTable('segments')
      .set({ computed_at: now, next_refresh_at: seg.refresh_interval_ms === null ? null : now + Number(seg.refresh_interval_ms) })
      .where('id', '=', seg.id)
      .execute();
    return 1;
  });
}

export function segmentTask(deps: ServiceDeps): WorkerTask {
  return {
    name: 'segments',
    async tick() {
      const dirty = await processDirty(deps);
      const due = await refreshDueSegment(deps);
      return dirty + due;
    },
  };
}

/** The factory src/worker/tasks.ts lists. */
export const segmentTasks = (deps: AppDeps): WorkerTask => segmentTask(deps);
