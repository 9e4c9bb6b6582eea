/**
 * @module The stats worker task (listed in src/worker/tasks.ts): each tick recomputes at most one
 * journey snapshot that is older than its refresh interval (./snapshots.ts) and at most one
 * workspace send-time profile older than 6 hours (./send-time-lookup.ts).
 */
import type { AppDeps } from '../api/deps.js';
import type { WorkerTask } from '../worker/worker.js';
import { refreshStaleSnapshot, SNAPSHOT_REFRESH_MS } from './snapshots.js';
import { refreshWorkspaceProfile } from './send-time-lookup.js';

export function statsTasks(deps: AppDeps, refreshMs = SNAPSHOT_REFRESH_MS): WorkerTask {
  return { name: 'stats-snapshots', tick: async () => (await refreshStaleSnapshot(deps, refreshMs)) + (await refreshWorkspaceProfile(deps)) };
}
