/**
 * @module Journey runtime benchmark: runs walk delay → message (counting channel, in memory) → exit
 * on a fresh SQLite file and, when QATRA_BENCH_DATABASE_URL or QATRA_TEST_DATABASE_URL is set, a
 * fresh PostgreSQL database, with the real worker task (claim, walk, bulk writes, deliveries).
 *
 * Figures (one JSON line each):
 *  - steps_per_s: a backlog of N runs (100,000; --size large: the same plus 1,000,000 other runs
 *    waiting for an event, due in 30 days) all due at once at the delay: 3 steps per run;
 *  - lag_p50_ms / lag_p99_ms: runs whose messages fall due at a steady rate of half the measured
 *    throughput (so the engine can keep up) for 10 s; the lag is execution time − due time of each
 *    message step, with the default poll interval (500 ms). `lag_rate_runs_per_s` is the rate used.
 *  - steps_per_worker_cpu_s: the throughput per CPU-second of the worker process (independent of
 *    how busy the machine is; on PostgreSQL it leaves out the server's CPU).
 * Workers: 1 on SQLite (one writer), 4 concurrent on PostgreSQL (FOR UPDATE SKIP LOCKED), with the
 * default batch of 100. `QATRA_BENCH_JOURNEY_RUNS` overrides the 100,000.
 */
import pino from 'pino';
import { systemClock } from '../src/core/clock.js';
import { defaults, parseConfig } from '../src/config/config.js';
import { createMetrics } from '../src/metrics/metrics.js';
import type { DialectName, Store } from '../src/store/store.js';
import { newId } from '../src/core/ids.js';
import { createWorkspace } from '../src/workspaces/workspaces.js';
import { applyJourney } from '../src/journeys/journeys.js';
import { memoryCountingChannel } from '../src/channels/counting/counting.js';
import { createChannelRegistry } from '../src/channels/registry.js';
import { createRuntime } from '../src/journeys/runtime/runtime.js';
import { journeyTask } from '../src/journeys/runtime/scheduler.js';
import { freshDatabase } from '../test/backends.js';
import { benchBackends, figure, type Bench, type BenchContext } from './run.js';
import { defaultSignals } from '../src/server/signal-sinks.js';
import { testSecretBox } from '../test/secret-key.js';

const RUNS = Number(process.env.QATRA_BENCH_JOURNEY_RUNS ?? 100_000);
const WAITING_LARGE = 1_000_000;
/** The lag test runs at half the measured throughput (2 steps per run) for 10 seconds. */
const LAG_SECONDS = 10;
const CHUNK = 1000;

export function journey(id: string) {
  return {
    id,
    name: id,
    status: 'live',
    trigger: { type: 'manual' },
    start: 'd1',
    nodes: [
      { id: 'd1', type: 'delay', duration: '1s' },
      { id: 'm1', type: 'message', channel: 'counting' },
      { id: 'done', type: 'exit' },
    ],
    edges: [
      { from: 'd1', to: 'm1' },
      { from: 'm1', to: 'done' },
    ],
  };
}

/** Inserts contacts and their runs at `node`, due at dueAt(i). */
export async function seed(store: Store, ws: string, journeyId: string, count: number, node: string, status: 'active' | 'waiting', dueAt: (i: number) => number): Promise<void> {
  const now = Date.now();
  for (let start = 0; start < count; start += CHUNK) {
    const n = Math.min(CHUNK, count - start);
    const contacts = Array.from({ length: n }, () => ({
      id: newId('ct', now),
      workspace_id: ws,
      user_id: null,
      email: null,
      phone: null,
      timezone: null,
      locale: null,
      attributes: '{}',
      created_at: now,
      updated_at: now,
    }));
    const runs = contacts.map((c, k) => ({
      id: newId('run', now),
      workspace_id: ws,
      journey_id: journeyId,
      version: 1,
      contact_id: c.id,
      status,
      current_node: node,
      visit: 1,
      due_at: dueAt(start + k),
      wait_event: status === 'waiting' ? 'never_happens' : null,
      wait_filters: null,
      wait_started_at: status === 'waiting' ? now : null,
      claimed_by: null,
      lease_until: null,
      attempts: 0,
      last_error: null,
      trigger_props: '{}',
      event_props: '{}',
      data: '{}',
      entered_at: now,
      updated_at: now,
      ended_at: null,
      exit_reason: null,
      goal_value: null,
    }));
    await store.transaction(async (trx) => {
      for (let i = 0; i < n; i += 250) {
        await trx
          .insertInto('contacts')
          .values(contacts.slice(i, i + 250))
          .execute();
        await trx
          .insertInto('journey_runs')
          .values(runs.slice(i, i + 250))
          .execute();
      }
    });
  }
}

async function openRuns(store: Store, journeyId: string): Promise<number> {
  const row = await store.db
    .selectFrom('journey_runs')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('journey_id', '=', journeyId)
    .where('ended_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Runs `workers` worker loops until every run of `journeyId` has ended; returns elapsed ms and this process's CPU ms. */
async function work(store: Store, journeyId: string, workers: number, pollIntervalMs: number): Promise<{ elapsed: number; cpu: number }> {
  const deps = {
    store,
    signals: defaultSignals(store),
    secretBox: testSecretBox(),
    clock: systemClock,
    log: pino({ level: 'silent' }),
    config: parseConfig({}, { worker: { ...defaults().worker, pollIntervalMs } }),
    metrics: createMetrics(),
  };
  const channel = memoryCountingChannel();
  let done = false;
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const loops = Array.from({ length: workers }, async (_, w) => {
    const task = journeyTask(createRuntime(deps, { channels: createChannelRegistry(deps, [channel]), workerId: `bench${w}` }));
    while (!done) {
      const n = await task.tick();
      if (n === 0) await new Promise((r) => setTimeout(r, pollIntervalMs));
    }
  });
  const watcher = (async () => {
    while ((await openRuns(store, journeyId)) > 0) await new Promise((r) => setTimeout(r, 200));
    done = true;
  })();
  await Promise.all([watcher, ...loops]);
  const elapsed = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  const duplicates = [...channel.sends.values()].filter((v) => v > 1).length;
  if (duplicates > 0) throw new Error(`${duplicates} messages were sent twice`);
  return { elapsed, cpu: (cpu.user + cpu.system) / 1000 };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function benchBackend(kind: DialectName, ctx: BenchContext): Promise<void> {
  const database = await freshDatabase(kind);
  const store = database.store;
  try {
    const deps = { store, signals: defaultSignals(store), clock: systemClock };
    const ws = (await createWorkspace(deps, { name: 'bench' })).id;
    for (const id of ['throughput', 'lag', 'parked']) await applyJourney(deps, ws, journey(id));
    const workers = kind === 'postgres' ? 4 : 1;
    const size = ctx.size;
    if (size === 'large') {
      const t = performance.now();
      await seed(store, ws, 'parked', WAITING_LARGE, 'd1', 'waiting', () => Date.now() + 30 * 86_400_000);
      console.error(`[journeys ${kind}] seeded ${WAITING_LARGE} waiting runs in ${Math.round(performance.now() - t)} ms`);
    }

    const t0 = Date.now();
    await seed(store, ws, 'throughput', RUNS, 'd1', 'active', () => t0);
    const { elapsed, cpu } = await work(store, 'throughput', workers, 50);
    const steps = 3 * RUNS;
    const suffix = size === 'large' ? '_with_1m_waiting' : '';
    ctx.emit(figure({ bench: 'journeys', backend: kind, figure: `steps_per_s${suffix}`, value: steps / (elapsed / 1000), unit: 'steps/s' }));
    // Wall-clock figures depend on how busy the machine is; this one does not (for PostgreSQL it
    // leaves out the server's own CPU).
    ctx.emit(figure({ bench: 'journeys', backend: kind, figure: `steps_per_worker_cpu_s${suffix}`, value: steps / (cpu / 1000), unit: 'steps/cpu-s' }));

    const rate = Math.max(50, Math.floor(steps / (elapsed / 1000) / 4));
    const lagRuns = rate * LAG_SECONDS;
    const start = Date.now() + 3000 + Math.ceil(lagRuns / 20); // after the seeding below
    await seed(store, ws, 'lag', lagRuns, 'm1', 'active', (i) => start + Math.floor((i * 1000) / rate));
    ctx.emit(figure({ bench: 'journeys', backend: kind, figure: `lag_rate_runs_per_s${suffix}`, value: rate, unit: 'runs/s' }));
    await work(store, 'lag', workers, defaults().worker.pollIntervalMs);
    const lags = (
      await store.db
        .selectFrom('journey_steps')
        .innerJoin('journey_runs', 'journey_runs.id', 'journey_steps.run_id')
        .select(['journey_steps.due_at', 'journey_steps.executed_at'])
        .where('journey_runs.journey_id', '=', 'lag')
        .where('journey_steps.node_id', '=', 'm1')
        .execute()
    )
      .map((r) => Number(r.executed_at) - Number(r.due_at))
      .sort((a, b) => a - b);
    ctx.emit(figure({ bench: 'journeys', backend: kind, figure: `lag_p50_ms${suffix}`, value: percentile(lags, 50), unit: 'ms' }));
    ctx.emit(figure({ bench: 'journeys', backend: kind, figure: `lag_p99_ms${suffix}`, value: percentile(lags, 99), unit: 'ms' }));
  } finally {
    await database.drop();
  }
}

export const run: Bench = async (ctx) => {
  for (const kind of benchBackends()) await benchBackend(kind, ctx);
};
