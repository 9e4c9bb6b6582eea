/**
 * @module The stats worker task (listed in src/worker/tasks.ts): each tick recomputes at most one
 * journey snapshot that is older than the refresh interval (./snapshots.ts).
 */
import type { AppDeps } from '../api/deps.js';
import type { WorkerTask } from '../worker/worker.js';
import { refreshStaleSnapshot, SNAPSHOT_REFRESH_MS } from './snapshots.js';

export function statsTasks(deps: AppDeps, refreshMs = SNAPSHOT_REFRESH_MS): WorkerTask {
  return { name: 'stats-snapshots', tick: () => refreshStaleSnapshot(deps, refreshMs) };
}
