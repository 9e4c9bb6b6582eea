/**
 * @module The worker's `events-retention` task (listed in src/worker/tasks.ts). Once an hour (by the
 * injectable clock) it lists the workspaces that keep events a limited time (their setting, else the
 * server default), then each tick deletes up to `maxBatchesPerTick` batches of the first workspace's
 * expired events (./delete-events.ts) and moves on to the next once none is left, so one large
 * workspace's backlog never holds the worker's other tasks for long.
 */
import type { AppDeps } from '../core/app-deps.js';
import { fromJson, type JsonObject } from '../core/json.js';
import type { WorkerTask } from '../worker/worker.js';
import { cutoffOf, deleteExpiredEvents } from './delete-events.js';
import { effectiveMonths, retentionOf } from './settings.js';

export const RETENTION_EVERY_MS = 3_600_000;

export interface RetentionTaskOptions {
  everyMs?: number;
  maxBatchesPerTick?: number;
}

export function retentionTask(deps: Pick<AppDeps, 'store' | 'clock' | 'config'>, options: RetentionTaskOptions = {}): WorkerTask {
  const everyMs = options.everyMs ?? RETENTION_EVERY_MS;
  const maxBatches = options.maxBatchesPerTick ?? 10;
  let plannedAt = -Infinity;
  let queue: { workspaceId: string; cutoff: number }[] = [];
  return {
    name: 'events-retention',
    async tick() {
      const now = deps.clock.now();
      if (queue.length === 0) {
        if (now - plannedAt < everyMs) return 0;
        plannedAt = now;
        queue = await plan(deps, now);
      }
      // Workspaces with nothing expired cost one look each; the tick ends once it deleted something.
      for (let head = queue[0]; head; head = queue[0]) {
        const pass = await deleteExpiredEvents(deps.store, head.workspaceId, head.cutoff, { maxBatches });
        if (pass.done) queue.shift();
        if (pass.deleted > 0) return pass.deleted;
      }
      return 0;
    },
  };
}

/** The workspaces with a limit, each with its cutoff as of `now`. */
async function plan(deps: Pick<AppDeps, 'store' | 'config'>, now: number): Promise<{ workspaceId: string; cutoff: number }[]> {
  const rows = await deps.store.db.selectFrom('workspaces').select(['id', 'settings']).orderBy('id').execute();
  const out: { workspaceId: string; cutoff: number }[] = [];
  for (const row of rows) {
    const months = effectiveMonths(retentionOf(fromJson<JsonObject>(row.settings) ?? {}), deps.config.retention?.eventsMonths);
    if (months !== null) out.push({ workspaceId: row.id, cutoff: cutoffOf(now, months) });
  }
  return out;
}
