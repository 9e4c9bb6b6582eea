/**
 * @module The journey engine's worker tasks (registered in src/worker/tasks.ts): `journeys` reacts to
 * the inbox then runs due steps, one batch each per tick; `journey-dates` scans date-attribute
 * triggers (birthdays, renewals) at most every `scanIntervalMs` of clock time.
 */
import type { AppDeps } from '../../core/app-deps.js';
import type { WorkerTask } from '../../worker/worker.js';
import { processDueRuns } from './process-runs.js';
import { processInbox } from './process-inbox.js';
import { createRuntime, type JourneyRuntime } from './runtime.js';
import { DEFAULT_RETRY } from '../../core/retry.js';
import { scanDateTriggers } from './date-trigger.js';

export function journeyTask(rt: JourneyRuntime): WorkerTask {
  return {
    name: 'journeys',
    async tick() {
      const inbox = await processInbox(rt);
      const runs = await processDueRuns(rt);
      return inbox + runs;
    },
  };
}

export const DATE_SCAN_INTERVAL_MS = 15 * 60_000;

export function dateTriggerTask(rt: JourneyRuntime, scanIntervalMs = DATE_SCAN_INTERVAL_MS): WorkerTask {
  let lastScan = -Infinity;
  return {
    name: 'journey-dates',
    async tick() {
      const now = rt.clock.now();
      if (now - lastScan < scanIntervalMs) return 0;
      lastScan = now;
      // Enrolments are new due runs for the other task; the scan itself is not "work handled" so an
      // idle worker does not spin on it.
      await scanDateTriggers(rt);
      return 0;
    },
  };
}

/** The factory src/worker/tasks.ts lists: both tasks share one runtime (channels, catalog cache). */
export function journeyTasks(deps: AppDeps): WorkerTask {
  const base = deps.config.worker.retryBaseMs;
  const rt = createRuntime(deps, base === undefined ? {} : { retry: { ...DEFAULT_RETRY, baseBackoffMs: base } });
  const main = journeyTask(rt);
  const dates = dateTriggerTask(rt);
  return {
    name: 'journeys',
    async tick() {
      await dates.tick();
      return main.tick();
    },
  };
}
