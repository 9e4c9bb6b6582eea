/**
 * A broadcast worker in a child process, for the "killed worker" test (crash.test.ts): runs the
 * broadcast task against the database named on the command line (a SQLite file or a postgres:// URL)
 * with batches of 20 and a counting channel that takes 200 ms per send, so the parent can SIGKILL it
 * while it holds claims. Same shape as test/journey-worker-child.ts.
 */
import pino from 'pino';
import { systemClock } from '../core/clock.js';
import { defaults, parseConfig } from '../config/config.js';
import { createMetrics } from '../metrics/metrics.js';
import { openStore } from '../store/store.js';
import { countingChannel } from '../channels/counting/counting.js';
import { createChannelRegistry } from '../channels/registry.js';
import { broadcastTask, createBroadcastRuntime } from './task.js';

const url = process.argv[2]!;
const store = url.startsWith('postgres') ? openStore({ databaseUrl: url, pgPoolMax: 4 }) : openStore({ sqliteFile: url });
const config = parseConfig({}, { worker: { ...defaults().worker, batchSize: 20, leaseMs: 60_000 } });
const deps = { store, clock: systemClock, log: pino({ level: 'silent' }), config, metrics: createMetrics() };
const counting = countingChannel(deps);
const slow = {
  name: 'counting',
  async send(request: Parameters<typeof counting.send>[0]) {
    const result = await counting.send(request);
    await new Promise((r) => setTimeout(r, 200));
    return result;
  },
};
const task = broadcastTask(createBroadcastRuntime(deps, { channels: createChannelRegistry(deps, [slow]), workerId: `child${process.pid}` }));
process.stdout.write('ready\n');
for (;;) {
  const n = await task.tick();
  if (n === 0) await new Promise((r) => setTimeout(r, 20));
}
