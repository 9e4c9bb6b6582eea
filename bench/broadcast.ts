/**
 * @module Broadcast benchmark: N contacts (50,000; `--size large` 1,000,000) on one list, one
 * broadcast to it through the real worker task: the snapshot (INSERT … SELECT), leased claims,
 * deliveries recorded before each send, settlement and counters.
 *
 * Figures (one JSON line each, per backend):
 *  - snapshot_ms: starting the broadcast (N recipients written by INSERT … SELECT, one transaction);
 *  - messages_per_s: N / time until the broadcast is completed, into a counting channel that only
 *    counts calls (so the figure is the engine's and the process holds nothing per message). Baseline:
 *    a bare loop writing the same N rows into channel_counting_sends in INSERTs of one batch (100)
 *    each, in the same run: the least any sender recording its sends per batch must write;
 *  - peak_rss_mb: the largest resident set, sampled every 50 ms while that broadcast ran (target
 *    < 300 MB at 1,000,000), and rss_before_mb when it started: memory stays flat;
 *  - db_counting_messages_per_s: a second broadcast of M contacts (min(N, 20,000)) into the real
 *    counting channel, which INSERTs one row per send in its own statement (one commit each).
 *    Baseline: a bare loop doing exactly those M INSERTs. On a disk where a commit costs an fsync
 *    (SQLite synchronous=FULL; PostgreSQL synchronous_commit=on) both are bounded by commits/s.
 * A run checks that every recipient was sent exactly once (deliveries unique per key, channel calls
 * = N). Workers: 1 on SQLite (one writer), 4 concurrent on PostgreSQL (FOR UPDATE SKIP LOCKED),
 * default batch 100. PostgreSQL runs when QATRA_BENCH_DATABASE_URL or QATRA_TEST_DATABASE_URL is set.
 * Knobs: QATRA_BENCH_BROADCAST_N, QATRA_BENCH_BROADCAST_DB_N, QATRA_BENCH_SKIP_SQLITE=1.
 */
import pino from 'pino';
import { sql } from 'kysely';
import { systemClock } from '../src/core/clock.js';
import { defaults, parseConfig } from '../src/config/config.js';
import { createMetrics } from '../src/metrics/metrics.js';
import type { DialectName, Store } from '../src/store/store.js';
import type { Channel } from '../src/channels/channel.js';
import { createWorkspace } from '../src/workspaces/workspaces.js';
import { createList } from '../src/lists/lists.js';
import { countingChannel } from '../src/channels/counting/counting.js';
import { createChannelRegistry } from '../src/channels/registry.js';
import { broadcastTask, createBroadcastRuntime } from '../src/broadcasts/task.js';
import { createBroadcast, scheduleBroadcast } from '../src/broadcasts/broadcasts.js';
import { startBroadcast } from '../src/broadcasts/audience.js';
import { freshDatabase } from '../test/backends.js';
import { benchBackends, figure, type Bench, type BenchContext } from './run.js';
import { defaultSignals } from '../src/server/signal-sinks.js';
import { testSecretBox } from '../test/secret-key.js';

const MB = 1024 * 1024;
const BATCH = defaults().worker.batchSize;

/** N contacts (ct_<prefix><g>) and their subscribed memberships of a new list, generated in SQL. */
async function seed(store: Store, ws: string, prefix: string, n: number): Promise<string> {
  const list = await createList({ store, signals: defaultSignals(store), clock: systemClock }, ws, { name: `list ${prefix}` });
  const pg = store.dialect === 'postgres';
  const now = Date.now();
  const series = pg ? sql`generate_series(CAST(1 AS bigint), ${sql.lit(n)}) AS s(g)` : sql`s`;
  const withSeries = pg ? sql`` : sql`WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ${sql.lit(n)})`;
  await store.transaction(async (trx) => {
    await sql`INSERT INTO contacts (id, workspace_id, user_id, email, attributes, created_at, updated_at)
      ${withSeries} SELECT ${`ct_${prefix}`} || g, ${ws}, ${`u${prefix}`} || g, ${`u${prefix}`} || g || '@example.com', '{}', ${now}, ${now} FROM ${series}`.execute(trx);
    await sql`INSERT INTO list_memberships (list_id, contact_id, workspace_id, status, source, created_at, updated_at)
      SELECT ${list.id}, id, workspace_id, 'subscribed', 'bench', ${now}, ${now} FROM contacts WHERE workspace_id = ${ws} AND id LIKE ${`ct_${prefix}%`}`.execute(trx);
  });
  return list.id;
}

/** The bare loop: `n` rows into channel_counting_sends, `per` rows per INSERT, nothing else. */
async function bareInserts(store: Store, ws: string, tag: string, n: number, per: number): Promise<number> {
  const t = performance.now();
  for (let g = 1; g <= n; g += per) {
    const rows = Array.from({ length: Math.min(per, n - g + 1) }, (_, k) => ({ workspace_id: ws, contact_id: `ct_${g + k}`, idempotency_key: `bare:${tag}:${g + k}`, sent_at: Date.now() }));
    await store.db.insertInto('channel_counting_sends').values(rows).execute();
  }
  return performance.now() - t;
}

type Deps = Parameters<typeof createBroadcastRuntime>[0];

/** Runs one broadcast to `listId` to completion with `workers` worker loops; returns timings and RSS. */
async function broadcastOnce(
  deps: Deps,
  ws: string,
  listId: string,
  n: number,
  workers: number,
  channel: () => Channel,
): Promise<{ snapshotMs: number; elapsed: number; before: number; peak: number }> {
  const { store } = deps;
  const b = await createBroadcast(deps, ws, { name: 'bench', channel: 'counting', kind: 'marketing', audience: { type: 'list', id: listId } });
  await scheduleBroadcast(deps, ws, b.id);
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t = performance.now();
  // The snapshot, timed alone (a worker's first tick would do the same).
  if ((await startBroadcast(store, b.id, Date.now())) !== n) throw new Error('the snapshot did not take every contact');
  const snapshotMs = performance.now() - t;
  let done = false;
  const loops = Array.from({ length: workers }, async (_, w) => {
    const task = broadcastTask(createBroadcastRuntime(deps, { channels: createChannelRegistry(deps, [channel()]), workerId: `bench${w}` }));
    while (!done) {
      if ((await task.tick()) === 0) await new Promise((r) => setTimeout(r, 20));
    }
  });
  const watcher = (async () => {
    while ((await store.db.selectFrom('broadcasts').select('status').where('id', '=', b.id).executeTakeFirstOrThrow()).status !== 'completed') await new Promise((r) => setTimeout(r, 200));
    done = true;
  })();
  await Promise.all([watcher, ...loops]);
  const elapsed = performance.now() - t;
  clearInterval(sampler);
  const row = await store.db.selectFrom('broadcasts').select(['total', 'sent']).where('id', '=', b.id).executeTakeFirstOrThrow();
  if (Number(row.total) !== n || Number(row.sent) !== n) throw new Error(`expected ${n} sent, got ${JSON.stringify(row)}`);
  const dl = await store.db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('idempotency_key', 'like', `broadcast:${b.id}:%`)
    .where('status', '=', 'sent')
    .executeTakeFirstOrThrow();
  if (Number(dl.n) !== n) throw new Error(`expected ${n} sent deliveries, got ${dl.n}`);
  return { snapshotMs, elapsed, before, peak };
}

async function benchBackend(kind: DialectName, ctx: BenchContext, n: number, m: number): Promise<void> {
  const database = await freshDatabase(kind, { pgPoolMax: 10 });
  const store = database.store;
  try {
    const deps = {
      store,
      signals: defaultSignals(store),
      secretBox: testSecretBox(),
      clock: systemClock,
      log: pino({ level: 'silent' }),
      config: parseConfig({}, { worker: { ...defaults().worker, pollIntervalMs: 20 } }),
      metrics: createMetrics(),
    };
    const ws = (await createWorkspace(deps, { name: 'bench' })).id;
    const workers = kind === 'postgres' ? 4 : 1;
    const suffix = n >= 1_000_000 ? '_1m' : '';
    const emit = (name: string, value: number, unit: string, baseline?: number) =>
      ctx.emit(figure({ bench: 'broadcast', backend: kind, figure: name, value, unit, ...(baseline !== undefined ? { baseline } : {}) }));

    let t = performance.now();
    const big = await seed(store, ws, 'a', n);
    console.error(`[broadcast ${kind}] seeded ${n} contacts in ${Math.round(performance.now() - t)} ms`);
    let calls = 0;
    const counter: Channel = { name: 'counting', send: async () => (calls++, { status: 'sent' }) };
    const engine = await broadcastOnce(deps, ws, big, n, workers, () => counter);
    if (calls !== n) throw new Error(`the channel was called ${calls} times for ${n} recipients`);
    const bareBatched = await bareInserts(store, ws, 'batched', n, BATCH);
    emit(`snapshot_ms${suffix}`, engine.snapshotMs, 'ms');
    emit(`messages_per_s${suffix}`, n / (engine.elapsed / 1000), 'messages/s', n / (bareBatched / 1000));
    emit(`rss_before_mb${suffix}`, engine.before / MB, 'MB');
    emit(`peak_rss_mb${suffix}`, engine.peak / MB, 'MB');

    t = performance.now();
    const small = await seed(store, ws, 'b', m);
    console.error(`[broadcast ${kind}] seeded ${m} more contacts in ${Math.round(performance.now() - t)} ms`);
    const db = await broadcastOnce(deps, ws, small, m, workers, () => countingChannel(deps));
    const bareSingle = await bareInserts(store, ws, 'single', m, 1);
    emit('db_counting_messages_per_s', m / (db.elapsed / 1000), 'messages/s', m / (bareSingle / 1000));
  } finally {
    await database.drop();
  }
}

export const run: Bench = async (ctx) => {
  const n = Number(process.env.QATRA_BENCH_BROADCAST_N ?? (ctx.size === 'large' ? 1_000_000 : 50_000));
  const m = Number(process.env.QATRA_BENCH_BROADCAST_DB_N ?? Math.min(n, 20_000));
  for (const kind of benchBackends()) await benchBackend(kind, ctx, n, m);
};
