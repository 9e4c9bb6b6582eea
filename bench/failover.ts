/**
 * @module Failover benchmark (issue 19): several email providers, one of them lost mid-run.
 *
 *  1. A live journey (manual trigger → email → exit) sends N emails (20,000 with `--size large`;
 *     3,000 small) through a workspace with two SMTP providers, both in-process smtp-server sinks
 *     that record every Message-ID they accept. The first sink is stopped once a third of N has
 *     arrived. Figures: `lost` (N minus the distinct Message-IDs received, must be 0), `duplicates`
 *     (Message-IDs received more than once across both sinks, must be 0), `failover_s` (from the stop
 *     to the backup's first message) and `messages_per_s` with, as `baseline`, the same run with no
 *     failure (and the ratio).
 *  2. The transactional lane: a broadcast of M recipients (100,000 large; 5,000 small) through the
 *     same kind of provider, worked off by real `qatra worker` processes (1 on SQLite, 2 on
 *     PostgreSQL: the deployment's shape, the API in one process and the workers in others), and
 *     meanwhile transactional sends from this process (the function behind
 *     `POST /api/messages/send`), one every 25 ms. Figure: `transactional_p99_ms` (each send's time
 *     until the provider accepted it) with, as `baseline`, the same sends on an idle system, and
 *     `broadcast_per_s_meanwhile`, the broadcast's pace while they were measured.
 *
 * Workers of part 1: 1 on SQLite, 4 on PostgreSQL, in this process. `QATRA_BENCH_FAILOVER_N` and `QATRA_BENCH_FAILOVER_BROADCAST_N`
 * override N and M; `QATRA_BENCH_FAILOVER_TX_N` the transactional sends measured (400 large, 120 small).
 */
import pino from 'pino';
import { sql } from 'kysely';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../src/core/clock.js';
import { newId } from '../src/core/ids.js';
import { toJson } from '../src/core/json.js';
import { defaults, parseConfig } from '../src/config/config.js';
import { createMetrics } from '../src/metrics/metrics.js';
import type { DialectName, Store } from '../src/store/store.js';
import { createWorkspace } from '../src/workspaces/workspaces.js';
import { createList } from '../src/lists/lists.js';
import { applyJourney } from '../src/journeys/journeys.js';
import { createChannelRegistry } from '../src/channels/registry.js';
import { createRuntime } from '../src/journeys/runtime/runtime.js';
import { journeyTask } from '../src/journeys/runtime/scheduler.js';
import { JourneyCatalog } from '../src/journeys/runtime/catalog.js';
import { enrollContacts } from '../src/journeys/runtime/manual.js';
import { saveTemplates } from '../src/templates/service.js';
import type { TemplateInput } from '../src/templates/template.js';
import { emailSettingsSchema, saveEmailSettings } from '../src/channels/email/settings.js';
import { providerListInputSchema, saveProviderList } from '../src/channels/email/routing/list.js';
import { createBroadcast, scheduleBroadcast } from '../src/broadcasts/broadcasts.js';
import { sendTransactional } from '../src/messages/send.js';
import { freshDatabase } from '../test/backends.js';
import { databaseEnv } from '../test/cli.js';
import { spawnCli, type Child } from '../test/process.js';
import { benchBackends, figure, type Bench, type BenchContext } from './run.js';
import { defaultSignals } from '../src/server/signal-sinks.js';
import { testSecretBox } from '../test/secret-key.js';

const PUBLIC_URL = 'https://q.example.com';
const CHUNK = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const templates: TemplateInput[] = [
  {
    id: 'news',
    name: 'News',
    kind: 'marketing',
    content: {
      subject: 'News for {{ contact.email }}',
      body: '<html><body><p>Hello {{ contact.email }}</p><a href="https://shop.example.com/sale">Sale</a> <a href="{{ unsubscribe_url }}">Unsubscribe</a> {{ workspace.postal_address }}</body></html>',
    },
  },
  { id: 'receipt', name: 'Receipt', kind: 'transactional', content: { subject: 'Receipt {{ data.order }}', body: '<html><body><p>Order {{ data.order }}</p></body></html>' } },
];

/** An in-process SMTP sink recording the Message-ID of every message it accepted. */
interface Sink {
  port: number;
  ids: string[];
  /** Time (performance.now) of the first message accepted after `since`. */
  firstAfter(since: number): number | null;
  stop(): Promise<void>;
}

async function startSink(): Promise<Sink> {
  const ids: string[] = [];
  const times: number[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    closeTimeout: 100,
    onData(stream, _session, cb) {
      let head = '';
      stream.on('data', (c: Buffer) => {
        if (head.length < 8192) head += c.toString('latin1');
      });
      stream.on('end', () => {
        ids.push(/^Message-ID:\s*(<[^>\r\n]+>)/im.exec(head)?.[1] ?? `missing:${ids.length}`);
        times.push(performance.now());
        cb();
      });
    },
  });
  // A worker killed at the end of a run resets its connections: not an error of the bench.
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  let stopped = false;
  return {
    port,
    ids,
    firstAfter: (since) => times.find((t) => t >= since) ?? null,
    stop: () => (stopped ? Promise.resolve() : ((stopped = true), new Promise<void>((resolve) => server.close(() => resolve())))),
  };
}

async function setUp(kind: DialectName, ports: number[]) {
  const database = await freshDatabase(kind, { pgPoolMax: 10 });
  const store = database.store;
  const deps = {
    store,
    signals: defaultSignals(store),
    secretBox: testSecretBox(),
    clock: systemClock,
    log: pino({ level: 'silent' }),
    config: parseConfig({}, { publicUrl: PUBLIC_URL, allowPrivateOutbound: true, worker: { ...defaults().worker, pollIntervalMs: 20 } }),
    metrics: createMetrics(),
  };
  const ws = (await createWorkspace(deps, { name: 'Bench' })).id;
  await saveEmailSettings(
    deps,
    ws,
    emailSettingsSchema.parse({ provider: 'smtp', from: { address: 'news@news.example.com' }, postalAddress: '1 Main St', smtp: { host: '127.0.0.1', port: ports[0]!, maxConnections: 5 } }),
  );
  await saveProviderList(
    deps,
    ws,
    providerListInputSchema.parse({
      providers: ports.map((port, i) => ({
        id: i === 0 ? 'primary' : `backup${i}`,
        name: `sink ${i + 1}`,
        kind: 'smtp',
        settings: { smtp: { host: '127.0.0.1', port, maxConnections: 5, timeoutSeconds: 5 } },
      })),
      policy: { failures: 5, windowSeconds: 60, coolDownSeconds: 3600 },
    }),
  );
  await saveTemplates(deps, ws, templates, 'upsert');
  const channels = createChannelRegistry(deps);
  const close = async () => {
    for (const c of channels.values()) await (c as { close?: () => Promise<void> }).close?.();
    await database.drop();
  };
  return { database, store, deps, ws, channels, close };
}

async function seedContacts(store: Store, ws: string, n: number): Promise<string[]> {
  const now = Date.now();
  const ids: string[] = [];
  for (let start = 0; start < n; start += CHUNK) {
    const rows = Array.from({ length: Math.min(CHUNK, n - start) }, (_, k) => {
      const id = newId('ct', now);
      ids.push(id);
      return { id, workspace_id: ws, user_id: null, email: `reader${start + k}@example.org`, phone: null, timezone: null, locale: null, attributes: toJson({}), created_at: now, updated_at: now };
    });
    await store.transaction(async (trx) => {
      for (let i = 0; i < rows.length; i += 250)
        await trx
          .insertInto('contacts')
          .values(rows.slice(i, i + 250))
          .execute();
    });
  }
  return ids;
}

/** One journey run of N emails over two sinks; with `fail`, the first sink stops after N/3. */
async function journeyRun(kind: DialectName, n: number, fail: boolean) {
  const sinks = [await startSink(), await startSink()];
  const env = await setUp(
    kind,
    sinks.map((s) => s.port),
  );
  try {
    await applyJourney(env.deps, env.ws, {
      id: 'news',
      name: 'News',
      status: 'live',
      trigger: { type: 'manual' },
      start: 'm1',
      nodes: [
        { id: 'm1', type: 'message', channel: 'email', template: 'news' },
        { id: 'done', type: 'exit' },
      ],
      edges: [{ from: 'm1', to: 'done' }],
    });
    const ids = await seedContacts(env.store, env.ws, n);
    const catalog = new JourneyCatalog();
    for (let i = 0; i < ids.length; i += CHUNK) await enrollContacts(env.deps, catalog, env.ws, 'news', { contactIds: ids.slice(i, i + CHUNK) });
    const workers = kind === 'postgres' ? 4 : 1;
    let done = false;
    let stoppedAt: number | null = null;
    const started = performance.now();
    const loops = Array.from({ length: workers }, async (_, w) => {
      const task = journeyTask(createRuntime(env.deps, { channels: env.channels, workerId: `bench${w}` }));
      while (!done) if ((await task.tick()) === 0) await sleep(20);
    });
    let finished = started;
    const deadline = Date.now() + 20 * 60_000;
    const watcher = (async () => {
      for (;;) {
        const received = sinks[0]!.ids.length + sinks[1]!.ids.length;
        if (fail && stoppedAt === null && received >= n / 3) {
          stoppedAt = performance.now();
          await sinks[0]!.stop();
          console.error(`[failover ${kind}] stopped the first sink after ${received} messages`);
        }
        const row = await env.store.db
          .selectFrom('messages')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('workspace_id', '=', env.ws)
          .where('status', '=', 'sent')
          .executeTakeFirstOrThrow();
        finished = performance.now();
        if (Number(row.n) >= n || Date.now() > deadline) break;
        await sleep(50);
      }
      done = true;
    })();
    await Promise.all([watcher, ...loops]);
    await sleep(500);
    const all = [...sinks[0]!.ids, ...sinks[1]!.ids];
    const distinct = new Set(all);
    const after = stoppedAt === null ? null : sinks[1]!.firstAfter(stoppedAt);
    return {
      rate: n / ((finished - started) / 1000),
      lost: n - distinct.size,
      duplicates: all.length - distinct.size,
      failoverS: stoppedAt === null || after === null ? null : (after - stoppedAt) / 1000,
      split: [sinks[0]!.ids.length, sinks[1]!.ids.length],
    };
  } finally {
    await env.close();
    for (const s of sinks) await s.stop();
  }
}

function p99(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;
}

/** Transactional sends, one every 25 ms; each one's milliseconds until the provider accepted it. */
async function transactionalLatencies(env: Awaited<ReturnType<typeof setUp>>, count: number, tag: string): Promise<number[]> {
  const channel = env.channels.get('email')!;
  const out: number[] = [];
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    pending.push(
      (async () => {
        const t = performance.now();
        const { result } = await sendTransactional(env.deps, channel, env.ws, {
          templateId: 'receipt',
          email: `buyer${i % 10}@example.net`,
          data: { order: `${tag}-${i}` },
          idempotencyKey: `${tag}:${i}`,
        });
        if (result.status !== 'sent') throw new Error(`transactional send ${i}: ${JSON.stringify(result)}`);
        out.push(performance.now() - t);
      })(),
    );
    await sleep(25);
  }
  await Promise.all(pending);
  return out;
}

async function laneRun(kind: DialectName, m: number, count: number) {
  const sink = await startSink();
  const env = await setUp(kind, [sink.port]);
  const workers: Child[] = [];
  try {
    const idle = await transactionalLatencies(env, count, 'idle');
    const list = await createList({ store: env.store, signals: env.deps.signals, clock: systemClock }, env.ws, { name: 'all' });
    const pg = kind === 'postgres';
    const now = Date.now();
    const series = pg ? sql`generate_series(CAST(1 AS bigint), ${sql.lit(m)}) AS s(g)` : sql`s`;
    const withSeries = pg ? sql`` : sql`WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ${sql.lit(m)})`;
    await env.store.transaction(async (trx) => {
      await sql`INSERT INTO contacts (id, workspace_id, user_id, email, attributes, created_at, updated_at)
        ${withSeries} SELECT 'ct_b' || g, ${env.ws}, 'ub' || g, 'ub' || g || '@example.com', '{}', ${now}, ${now} FROM ${series}`.execute(trx);
      await sql`INSERT INTO list_memberships (list_id, contact_id, workspace_id, status, source, created_at, updated_at)
        SELECT ${list.id}, id, workspace_id, 'subscribed', 'bench', ${now}, ${now} FROM contacts WHERE workspace_id = ${env.ws} AND id LIKE 'ct_b%'`.execute(trx);
    });
    const b = await createBroadcast(env.deps, env.ws, { name: 'bulk', channel: 'email', kind: 'marketing', template: 'news', audience: { type: 'list', id: list.id } });
    await scheduleBroadcast(env.deps, env.ws, b.id);
    const workerEnv = {
      ...databaseEnv(kind, env.database),
      QATRA_PUBLIC_URL: PUBLIC_URL,
      QATRA_ALLOW_PRIVATE_OUTBOUND: '1',
      QATRA_WORKER_POLL_MS: '20',
      LOG_LEVEL: 'warn',
    };
    workers.push(...Array.from({ length: pg ? 2 : 1 }, () => spawnCli(['worker'], workerEnv)));
    for (const w of workers) await w.waitFor(/worker running/, 120_000);
    // Measured while the broadcast is in full flow.
    while (sink.ids.length < 200) await sleep(20);
    const before = sink.ids.length;
    const t = performance.now();
    const busy = await transactionalLatencies(env, count, 'busy');
    const during = sink.ids.length - before;
    return { idle: p99(idle), busy: p99(busy), during, broadcastPerS: Math.round((during * 1000) / (performance.now() - t)) };
  } finally {
    for (const w of workers) w.proc.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited()));
    await env.close();
    await sink.stop();
  }
}

async function failoverFigures(kind: DialectName, n: number, emit: (name: string, value: number, unit: string, baseline?: number) => void): Promise<void> {
  const clean = await journeyRun(kind, n, false);
  const failed = await journeyRun(kind, n, true);
  console.error(`[failover ${kind}] sinks received ${failed.split.join(' + ')}`);
  emit('lost', failed.lost, 'messages');
  emit('duplicates', failed.duplicates, 'messages');
  emit('failover_s', failed.failoverS ?? -1, 's');
  emit('messages_per_s', failed.rate, 'messages/s', clean.rate);
  if (clean.lost !== 0 || clean.duplicates !== 0) throw new Error(`the run without failure lost ${clean.lost} and duplicated ${clean.duplicates}`);
}

async function benchBackend(kind: DialectName, ctx: BenchContext, n: number, m: number): Promise<void> {
  const emit = (name: string, value: number, unit: string, baseline?: number) =>
    ctx.emit(figure({ bench: 'failover', backend: kind, figure: name, value, unit, ...(baseline !== undefined ? { baseline } : {}) }));
  if (n > 0) await failoverFigures(kind, n, emit);
  const lane = await laneRun(kind, m, Number(process.env.QATRA_BENCH_FAILOVER_TX_N ?? (m >= 100_000 ? 400 : 120)));
  console.error(`[failover ${kind}] the broadcast sent ${lane.during} messages while the transactional sends were measured`);
  emit('transactional_p99_ms', lane.busy, 'ms', lane.idle);
  // How hard the broadcast was pushing while they were measured (the workers' own pace).
  emit('broadcast_per_s_meanwhile', lane.broadcastPerS, 'messages/s');
}

export const run: Bench = async (ctx) => {
  const n = Number(process.env.QATRA_BENCH_FAILOVER_N ?? (ctx.size === 'large' ? 20_000 : 3_000));
  const m = Number(process.env.QATRA_BENCH_FAILOVER_BROADCAST_N ?? (ctx.size === 'large' ? 100_000 : 5_000));
  for (const kind of benchBackends()) await benchBackend(kind, ctx, n, m);
};
