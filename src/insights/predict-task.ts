/**
 * @module The prediction worker task (listed in src/worker/tasks.ts): each tick retrains at most one
 * workspace whose models are missing or older than the refresh interval (a day by default), oldest
 * first, by the injected clock. Workspaces without contacts, and archived ones, are left alone.
 */
import { sql } from 'kysely';
import type { AppDeps } from '../core/app-deps.js';
import type { WorkerTask } from '../worker/worker.js';
import { trainWorkspace } from './predict.js';

export const MODEL_REFRESH_MS = 24 * 3_600_000;

/** The workspace most in need of a training, or null. */
export async function dueWorkspace(deps: Pick<AppDeps, 'store' | 'clock'>, refreshMs: number): Promise<string | null> {
  const before = deps.clock.now() - refreshMs;
  const row = await sql<{ id: string }>`
    SELECT w.id AS id FROM workspaces w
    LEFT JOIN insight_models m ON m.workspace_id = w.id AND m.kind = 'conversion_30d'
    WHERE (m.trained_at IS NULL OR m.trained_at <= ${before})
      AND w.archived_at IS NULL
      AND EXISTS (SELECT 1 FROM contacts c WHERE c.workspace_id = w.id)
    ORDER BY COALESCE(m.trained_at, 0), w.id
    LIMIT 1`.execute(deps.store.db);
  return row.rows[0]?.id ?? null;
}

export function predictionTasks(deps: AppDeps, refreshMs = MODEL_REFRESH_MS): WorkerTask {
  return {
    name: 'insights-predictions',
    async tick() {
      const workspaceId = await dueWorkspace(deps, refreshMs);
      if (!workspaceId) return 0;
      const summaries = await trainWorkspace(deps, workspaceId);
      deps.log.info({ workspaceId, models: summaries.map((s) => ({ kind: s.kind, status: s.status, auc: s.auc })) }, 'insights: models trained');
      return 1;
    },
  };
}
