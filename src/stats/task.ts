/**
 * @module The stats worker task (listed in src/worker/tasks.ts): each tick recomputes at most one
 * journey snapshot that is older than its refresh interval (./snapshots.ts) and at most one
 * workspace send-time profile older than 6 hours (./send-time-lookup.ts); every 10 minutes it also
 * gives live journeys with an auto-promoting split a snapshot to keep fresh (./promotion.ts).
 */
import type { AppDeps } from '../core/app-deps.js';
import type { WorkerTask } from '../worker/worker.js';
import { refreshStaleSnapshot, SNAPSHOT_REFRESH_MS } from './snapshots.js';
import { refreshWorkspaceProfile } from './send-time-lookup.js';
import { watchAutoPromotingJourneys } from './promotion.js';

/** How often live journeys are scanned for auto-promoting splits. */
export const WATCH_INTERVAL_MS = 10 * 60_000;

export function statsTasks(deps: AppDeps, refreshMs = SNAPSHOT_REFRESH_MS): WorkerTask {
  let watchedAt = -Infinity;
  return {
    name: 'stats-snapshots',
    async tick() {
      const now = deps.clock.now();
      if (now - watchedAt >= WATCH_INTERVAL_MS) {
        watchedAt = now;
        await watchAutoPromotingJourneys(deps);
      }
      return (await refreshStaleSnapshot(deps, refreshMs)) + (await refreshWorkspaceProfile(deps));
    },
  };
}
