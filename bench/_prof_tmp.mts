import pino from 'pino';
import { systemClock } from '../src/core/clock.js';
import { defaults, parseConfig } from '../src/config/config.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { freshDatabase } from '../test/backends.js';
import { createWorkspace } from '../src/workspaces/workspaces.js';
import { applyJourney } from '../src/journeys/journeys.js';
import { memoryCountingChannel } from '../src/channels/counting/counting.js';
import { createChannelRegistry } from '../src/channels/registry.js';
import { createRuntime } from '../src/journeys/runtime/runtime.js';
import { processDueRuns } from '../src/journeys/runtime/process-runs.js';
import { newId } from '../src/core/ids.js';
const kind = (process.argv[2] ?? 'sqlite') as 'sqlite' | 'postgres';
const database = await freshDatabase(kind);
const store = database.store;
const deps = { store, clock: systemClock, log: pino({ level: 'silent' }), config: parseConfig({}, { worker: { ...defaults().worker, batchSize: Number(process.env.B ?? 100) } }), metrics: createMetrics() };
const ws = (await createWorkspace(deps, { name: 'b' })).id;
await applyJourney(deps, ws, { id: 'j', name: 'j', status: 'live', trigger: { type: 'manual' }, start: 'm1', nodes: [{ id: 'm1', type: 'message', channel: 'counting' }, { id: 'done', type: 'exit' }], edges: [{ from: 'm1', to: 'done' }] });
const now = Date.now();
const N = 5000;
for (let s = 0; s < N; s += 250) {
  const cs = Array.from({ length: 250 }, () => ({ id: newId('ct', now), workspace_id: ws, user_id: null, email: null, phone: null, timezone: null, locale: null, attributes: '{}', created_at: now, updated_at: now }));
  await store.db.insertInto('contacts').values(cs).execute();
  await store.db.insertInto('journey_runs').values(cs.map((c) => ({ id: newId('run', now), workspace_id: ws, journey_id: 'j', version: 1, contact_id: c.id, status: 'active' as const, current_node: 'm1', visit: 1, due_at: now, wait_event: null, wait_filters: null, wait_started_at: null, claimed_by: null, lease_until: null, attempts: 0, last_error: null, trigger_props: '{}', event_props: '{}', data: '{}', entered_at: now, updated_at: now, ended_at: null, exit_reason: null, goal_value: null }))).execute();
}
const rt = createRuntime(deps, { channels: createChannelRegistry(deps, [memoryCountingChannel()]) });
const t = performance.now();
const cpu0 = process.cpuUsage();
let n = 0;
for (;;) { const k = await processDueRuns(rt); if (!k) break; n += k; }
const ms = performance.now() - t;
const cpu = process.cpuUsage(cpu0);
console.log('batch', process.env.B ?? 100, 'cpu s', ((cpu.user + cpu.system) / 1e6).toFixed(2), 'steps/cpu-s', Math.round((2 * n) / ((cpu.user + cpu.system) / 1e6)));
console.log(kind, n, 'runs', Math.round(ms), 'ms', Math.round((2 * n) / (ms / 1000)), 'steps/s');

await database.drop();
