/**
 * A worker in a child process, for the "killed worker" tests (src/journeys/runtime/kill.test.ts,
 * src/broadcasts/crash.test.ts): runs one task — `journeys` or `broadcasts` — against the database
 * named on the command line (a SQLite file or a postgres:// URL) with batches of 20 and a counting
 * channel that takes 200 ms per send, so the parent can SIGKILL it while it holds claims.
 *
 *   node --import tsx test/worker-child.ts DATABASE journeys|broadcasts
 */
import pino from 'pino';
import { systemClock } from '../src/core/clock.js';
import { defaults, parseConfig } from '../src/config/config.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { openStore } from '../src/store/store.js';
import { countingChannel } from '../src/channels/counting/counting.js';
import { createChannelRegistry } from '../src/channels/registry.js';
import { createRuntime } from '../src/journeys/runtime/runtime.js';
import { journeyTask } from '../src/journeys/runtime/scheduler.js';
import { broadcastTask, createBroadcastRuntime } from '../src/broadcasts/task.js';
import type { WorkerTask } from '../src/worker/worker.js';
import { defaultSignals } from '../src/server/signal-sinks.js';
import { testSecretBox } from './secret-key.js';

const [url, which] = [process.argv[2]!, process.argv[3] ?? 'journeys'];
const store = url.startsWith('postgres') ? openStore({ databaseUrl: url, pgPoolMax: 4 }) : openStore({ sqliteFile: url });
const config = parseConfig({}, { worker: { ...defaults().worker, batchSize: 20, leaseMs: 60_000 } });
const deps = { store, signals: defaultSignals(store), secretBox: testSecretBox(), clock: systemClock, log: pino({ level: 'silent' }), config, metrics: createMetrics() };
const counting = countingChannel(deps);
const slow = {
  name: 'counting',
  async send(request: Parameters<typeof counting.send>[0]) {
    const result = await counting.send(request);
    await new Promise((r) => setTimeout(r, 200));
    return result;
  },
};
const runtime = { channels: createChannelRegistry(deps, [slow]), workerId: `child${process.pid}` };
const tasks: Record<string, () => WorkerTask> = {
  journeys: () => journeyTask(createRuntime(deps, runtime)),
  broadcasts: () => broadcastTask(createBroadcastRuntime(deps, runtime)),
};
if (!tasks[which]) throw new Error(`unknown task ${which}; known: ${Object.keys(tasks).join(', ')}`);
const task = tasks[which]();
process.stdout.write('ready\n');
for (;;) {
  const n = await task.tick();
  if (n === 0) await new Promise((r) => setTimeout(r, 20));
}
