/**
 * @module The deliverability worker task: every `intervalMs` (a minute by default) it runs the
 * reputation breaker (./breaker.ts) and fires the sunset policy's re-engagement events
 * (./reengage.ts). Any number of workers may run it: both are idempotent (one pause, one alert, one
 * event per inactive stretch). The last run time lives in the task object, one per worker.
 */
import type { AppDeps } from '../core/app-deps.js';
import { createChannelRegistry } from '../channels/registry.js';
import type { Channel } from '../channels/channel.js';
import type { WorkerTask } from '../worker/worker.js';
import { runBreaker } from './breaker.js';
import { fireSunsetting } from './reengage.js';

export const DELIVERABILITY_INTERVAL_MS = 60_000;

export function deliverabilityTask(deps: AppDeps, options: { email?: Channel | undefined; intervalMs?: number } = {}): WorkerTask {
  const email = options.email ?? createChannelRegistry(deps).get('email');
  const intervalMs = options.intervalMs ?? DELIVERABILITY_INTERVAL_MS;
  let lastRun: number | null = null;
  return {
    name: 'deliverability',
    async tick() {
      const now = deps.clock.now();
      if (lastRun !== null && now - lastRun < intervalMs) return 0;
      lastRun = now;
      const paused = await runBreaker({ ...deps, email });
      const fired = await fireSunsetting(deps);
      return paused + fired;
    },
  };
}
