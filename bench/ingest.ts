/**
 * @module Ingestion benchmark: the real server (buildApp + listen on 127.0.0.1:0) on a fresh SQLite
 * file and, when QATRA_BENCH_DATABASE_URL or QATRA_TEST_DATABASE_URL is set, on a fresh PostgreSQL
 * database. Several concurrent HTTP clients send /v1/batch requests of 100 unique track events for a
 * pool of users (so contacts are both created and found). The clients run in two worker threads and
 * build their bodies before the clock starts, so the figure is the server's.
 *
 * Baseline, measured in the same run on the same database: the same number of event rows written by
 * bare multi-row INSERTs of 100 rows, one transaction each (the same number of commits as the HTTP
 * run), with no HTTP, validation or identity resolution. The ratio is what the API keeps of that.
 *
 * The browser-shaped variant (`browser_events_per_s`, against the same baseline) sends what
 * analytics.js sends in its batching mode: `POST /v1/b`, `text/plain`, the write key in the body
 * (no Authorization header), an `Origin` the key lists, batches of 10 calls (the library's default
 * `size`), each call with its anonymousId (half the visitors identified), page context, library,
 * `_metadata` and its own `writeKey`; page views and tracks.
 */
import fs from 'node:fs';
import http from 'node:http';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { sql } from 'kysely';
import { buildApp } from '../src/api/app.js';
import { parseConfig } from '../src/config/config.js';
import { systemClock } from '../src/core/clock.js';
import { createKey } from '../src/keys/keys.js';
import { createMetrics } from '../src/metrics/metrics.js';
import type { DialectName, Store } from '../src/store/store.js';
import { createWorkspace } from '../src/workspaces/workspaces.js';
import { benchBackends, figure, type Bench, type BenchContext } from './run.js';
import { freshDatabase } from '../test/backends.js';
import { defaultSignals } from '../src/server/signal-sinks.js';
import { testSecretBox } from '../test/secret-key.js';

const BATCH = 100;
const CLIENTS = 8;
const CLIENT_THREADS = 2;
const USERS = 10_000;
const SIZES = { small: 100_000, large: 1_000_000 } as const;
const ANONYMOUS = process.env.QATRA_BENCH_INGEST_ANONYMOUS === '1';
/** analytics.js's default batch `size` in its batching mode; QATRA_BENCH_INGEST_BROWSER_BATCH=100 separates the cost of small batches from the rest. */
const BROWSER_BATCH = Number(process.env.QATRA_BENCH_INGEST_BROWSER_BATCH ?? 10);
const SITE = 'https://shop.example.com';
/**
 * Requests in flight for the browser shape. Browsers are many and each sends its own small batch, so
 * the server sees many requests at once: by Little's law, 20,000 events/s in batches of 10 at ~30 ms
 * a request is ~60 requests in flight. Eight closed-loop clients (the server shape's) would instead
 * measure how fast eight browsers can send one after another.
 */
const BROWSER_CLIENTS = Number(process.env.QATRA_BENCH_INGEST_BROWSER_CLIENTS ?? 64);
const clientsOf = (shape: Shape) => (shape === 'server' ? CLIENTS : BROWSER_CLIENTS);

type Shape = 'server' | 'browser';

/** A batch body as analytics.js (batching mode) posts it to /v1/b. */
function browserBodies(count: number, run: string, from: number, writeKey: string): string[] {
  const out: string[] = [];
  for (let b = 0; b < count / BROWSER_BATCH; b++) {
    const batch = [];
    for (let i = 0; i < BROWSER_BATCH; i++) {
      const n = from + b * BROWSER_BATCH + i;
      const visitor = n % USERS;
      const path = `/products/sku-${n % 500}`;
      const page = { path, referrer: 'https://www.google.com/', search: '?utm_source=news', title: 'Product', url: `${SITE}${path}?utm_source=news` };
      const call = {
        messageId: `ajs-next-${run}-${n}`,
        anonymousId: `anon-${visitor}`,
        userId: visitor % 2 === 0 ? `user-${visitor}` : null,
        timestamp: new Date(Date.now() - 1000).toISOString(),
        context: {
          page,
          userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
          locale: 'de-DE',
          library: { name: 'analytics.js', version: 'next-1.84.3' },
          campaign: { source: 'news' },
        },
        integrations: {},
        writeKey,
        _metadata: { bundled: ['Segment.io'], unbundled: [], bundledIds: [] },
      };
      batch.push(
        n % 2 === 0
          ? { ...call, type: 'page', name: 'Product', properties: { ...page, category: 'Shop' } }
          : { ...call, type: 'track', event: n % 3 === 0 ? 'Product Added' : 'Product Viewed', properties: { sku: `sku-${n % 500}`, price: (n % 100) + 0.99, currency: 'EUR' } },
      );
    }
    out.push(JSON.stringify({ writeKey, batch, sentAt: new Date().toISOString() }));
  }
  return out;
}

function bodies(count: number, run: string, from = 0): string[] {
  const out: string[] = [];
  for (let b = 0; b < count / BATCH; b++) {
    const batch = [];
    for (let i = 0; i < BATCH; i++) {
      const n = from + b * BATCH + i;
      batch.push({
        type: 'track',
        messageId: `${run}-${n}`,
        userId: `user-${n % USERS}`,
        // Browser sources (analytics.js) send the device's anonymousId with every call: one more
        // lookup per group, and a link per new user. QATRA_BENCH_INGEST_ANONYMOUS=1 adds it.
        ...(ANONYMOUS ? { anonymousId: `anon-${n % USERS}` } : {}),
        event: n % 3 === 0 ? 'Order Completed' : 'Product Viewed',
        properties: { sku: `sku-${n % 500}`, price: (n % 100) + 0.99, currency: 'EUR' },
        context: { ip: '203.0.113.9', locale: 'de-DE', userAgent: 'Mozilla/5.0 (bench)' },
        timestamp: new Date(Date.now() - 1000).toISOString(),
      });
    }
    out.push(JSON.stringify({ batch, sentAt: new Date().toISOString() }));
  }
  return out;
}

/**
 * The clients use node:http with a keep-alive agent: fetch (undici) cost ~26 µs of CPU per event
 * (2.6 ms per 100-event request) in the client threads, a third of the process's CPU, taken from the
 * same two cores the server runs on; plain http.request costs a fraction of that.
 */
async function send(url: string, headers: Record<string, string>, requests: string[], clients: number): Promise<number[]> {
  const latencies: number[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const post = (body: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        url,
        {
          method: 'POST',
          agent,
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  let next = 0;
  const client = async () => {
    while (next < requests.length) {
      const body = requests[next++]!;
      const started = performance.now();
      const res = await post(body);
      if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${res.text}`);
      latencies.push(performance.now() - started);
    }
  };
  try {
    await Promise.all(Array.from({ length: clients }, client));
  } finally {
    agent.destroy();
  }
  return latencies;
}

interface ClientJob {
  role: 'ingest-client';
  url: string;
  /** The write key: in the Authorization header (server shape) or in the body (browser shape). */
  key: string;
  shape: Shape;
  run: string;
  from: number;
  count: number;
  clients: number;
}

/**
 * The HTTP clients run in worker threads, as they would on other machines: on the server's event
 * loop they would steal the time we measure. Each thread builds its bodies before it is told to start.
 */
async function startClientThreads(url: string, key: string, shape: Shape, total: number): Promise<{ go(): Promise<number[]> }> {
  const perThread = total / CLIENT_THREADS;
  const workers = Array.from({ length: CLIENT_THREADS }, (_, t) => {
    const job: ClientJob = { role: 'ingest-client', url, key, shape, run: shape, from: t * perThread, count: perThread, clients: clientsOf(shape) / CLIENT_THREADS };
    // Worker threads do not inherit tsx's loader: register it, then load this file in the thread.
    const code = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
    return new Worker(code, { eval: true, workerData: job });
  });
  const next = (w: Worker) =>
    new Promise<unknown>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
  await Promise.all(workers.map(next));
  return {
    async go() {
      const done = workers.map(next);
      for (const w of workers) w.postMessage('go');
      const latencies = ((await Promise.all(done)) as number[][]).flat();
      await Promise.all(workers.map((w) => w.terminate()));
      return latencies.sort((a, b) => a - b);
    },
  };
}

/** What the request looks like besides its body: a server library's, or analytics.js's from a page. */
function headersOf(shape: Shape, key: string): Record<string, string> {
  return shape === 'server' ? { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` } : { 'content-type': 'text/plain', origin: SITE };
}

function requestsOf(shape: Shape, key: string, count: number, run: string, from: number): string[] {
  return shape === 'server' ? bodies(count, run, from) : browserBodies(count, run, from, key);
}

async function clientThread(job: ClientJob): Promise<void> {
  const requests = requestsOf(job.shape, job.key, job.count, job.run, job.from);
  parentPort!.postMessage('ready');
  await new Promise((resolve) => parentPort!.once('message', resolve));
  parentPort!.postMessage(await send(job.url, headersOf(job.shape, job.key), requests, job.clients));
}

if (!isMainThread && (workerData as ClientJob | undefined)?.role === 'ingest-client') void clientThread(workerData as ClientJob);

/**
 * Bare multi-row INSERTs of the same rows (same contacts, same JSON), 100 rows and one transaction
 * each: what the database alone does. The contacts are the ones the HTTP run created, so the
 * (contact_id, name, timestamp) index sees the same scattered inserts.
 */
async function baseline(store: Store, workspaceId: string, contactIds: string[], count: number): Promise<number> {
  const now = Date.now();
  const props = JSON.stringify({ sku: 'sku-1', price: 1.99, currency: 'EUR' });
  const ctx = JSON.stringify({ ip: '203.0.113.9', locale: 'de-DE', userAgent: 'Mozilla/5.0 (bench)' });
  const started = performance.now();
  const inFlight = store.dialect === 'postgres' ? CLIENTS : 1;
  let next = 0;
  const writer = async () => {
    while (next < count / BATCH) {
      const b = next++;
      const rows = Array.from({ length: BATCH }, (_, i) => {
        const contactId = contactIds[(b * BATCH + i) % contactIds.length]!;
        return sql`(${workspaceId}, ${contactId}, 'track', 'Product Viewed', ${props}, ${ctx}, ${`base-${b}-${i}`}, ${now}, ${now})`;
      });
      await store.transaction((trx) =>
        sql`INSERT INTO events (workspace_id, contact_id, type, name, properties, context, message_id, timestamp, received_at)
            VALUES ${sql.join(rows)} ON CONFLICT (workspace_id, message_id) DO NOTHING`.execute(trx),
      );
    }
  };
  await Promise.all(Array.from({ length: inFlight }, writer));
  return count / ((performance.now() - started) / 1000);
}

/**
 * The browser shape's baseline: bare multi-row INSERTs of the rows its HTTP run stored (copied from
 * that workspace, page columns included), 100 rows and one transaction each. A browser call is about
 * three times the bytes of the server shape's (page context, library, campaign, user agent) and half
 * are page views in the page-view index, so the server shape's baseline would flatter the database
 * and blame the server for the difference.
 */
async function baselineOfStored(store: Store, workspaceId: string, sourceWorkspaceId: string, count: number): Promise<number> {
  const source = await store.db
    .selectFrom('events')
    .select(['contact_id', 'type', 'name', 'properties', 'context', 'timestamp', 'received_at', 'bot', 'page_host', 'page_path', 'page_query'])
    .where('workspace_id', '=', sourceWorkspaceId)
    .orderBy('id')
    .limit(count)
    .execute();
  const json = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  const started = performance.now();
  const inFlight = store.dialect === 'postgres' ? CLIENTS : 1;
  let next = 0;
  const writer = async () => {
    while (next < source.length / BATCH) {
      const b = next++;
      const rows = source
        .slice(b * BATCH, (b + 1) * BATCH)
        .map(
          (r, i) =>
            sql`(${workspaceId}, ${r.contact_id}, ${r.type}, ${r.name}, ${json(r.properties)}, ${json(r.context)}, ${`base-${b}-${i}`}, ${r.timestamp}, ${r.received_at}, ${r.bot}, ${r.page_host}, ${r.page_path}, ${r.page_query})`,
        );
      await store.transaction((trx) =>
        sql`INSERT INTO events (workspace_id, contact_id, type, name, properties, context, message_id, timestamp, received_at, bot, page_host, page_path, page_query)
            VALUES ${sql.join(rows)} ON CONFLICT (workspace_id, message_id) DO NOTHING`.execute(trx),
      );
    }
  };
  await Promise.all(Array.from({ length: inFlight }, writer));
  return source.length / ((performance.now() - started) / 1000);
}

/** CPU time (user + system, ms) of one thread or process from /proc, or null where there is none (not Linux). */
function threadCpuMs(pid: number, tid = pid): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return null;
  }
}

const CLOCK_TICKS_PER_S = 100;

/** CPU per PostgreSQL backend connected to the bench's database (when the server runs on this machine). */
async function backendCpuMs(store: Store): Promise<Map<number, number> | null> {
  if (store.dialect !== 'postgres') return null;
  const rows = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`.execute(store.db);
  const out = new Map<number, number>();
  for (const { pid } of rows.rows) {
    const ms = threadCpuMs(Number(pid));
    if (ms === null) return null;
    out.set(Number(pid), ms);
  }
  return out;
}

interface Measured {
  workspaceId: string;
  rate: number;
  cpuUs: number;
  serverThreadMs: number | null;
  dbMs: number | null;
  latencies: number[];
}

/** One timed HTTP run of `total` events of `shape` into a fresh workspace, checked to be all stored. */
async function measure(deps: Parameters<typeof createWorkspace>[0] & { store: Store }, address: string, shape: Shape, total: number): Promise<Measured> {
  const { store } = deps;
  const ws = await createWorkspace(deps, { name: `bench-${shape}` });
  // The browser shape's key lists the page's origin, so the origin check is on the measured path.
  const key = await createKey(deps, { workspaceId: ws.id, kind: 'write', ...(shape === 'browser' ? { allowedOrigins: [SITE] } : {}) });
  const url = `${address}${shape === 'server' ? '/v1/batch' : '/v1/b'}`;
  const warm = 20 * BATCH;
  await send(url, headersOf(shape, key.secret), requestsOf(shape, key.secret, warm, `warm-${shape}`, 0), CLIENTS);
  const clients = await startClientThreads(url, key.secret, shape, total);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const serverBefore = threadCpuMs(process.pid);
  const dbBefore = await backendCpuMs(store);
  const latencies = await clients.go();
  const cpu = process.cpuUsage(cpuBefore);
  const serverAfter = threadCpuMs(process.pid);
  const dbAfter = await backendCpuMs(store);
  const seconds = (performance.now() - started) / 1000;
  const stored = await store.db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workspace_id', '=', ws.id)
    .executeTakeFirstOrThrow();
  if (Number(stored.n) !== total + warm) throw new Error(`${shape}: expected ${total + warm} events stored, found ${stored.n}`);
  let dbMs: number | null = null;
  if (dbBefore && dbAfter) {
    dbMs = 0;
    for (const [pid, after] of dbAfter) dbMs += after - (dbBefore.get(pid) ?? 0);
  }
  return {
    workspaceId: ws.id,
    rate: total / seconds,
    cpuUs: cpu.user + cpu.system,
    serverThreadMs: serverBefore !== null && serverAfter !== null ? serverAfter - serverBefore : null,
    dbMs,
    latencies,
  };
}

async function benchBackend(kind: DialectName, ctx: BenchContext): Promise<void> {
  const total = SIZES[ctx.size];
  const database = await freshDatabase(kind, { baseUrl: process.env.QATRA_BENCH_DATABASE_URL, pgPoolMax: 10 });
  const { store } = database;
  const deps = { store, signals: defaultSignals(store), secretBox: testSecretBox(), clock: systemClock, log: pino({ level: 'silent' }), config: parseConfig({}), metrics: createMetrics() };
  const app = await buildApp(deps);
  try {
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const server = await measure(deps, address, 'server', total);
    const other = await createWorkspace(deps, { name: 'baseline' });
    const contacts = await store.db.selectFrom('contacts').select('id').where('workspace_id', '=', server.workspaceId).execute();
    const base = await baseline(
      store,
      other.id,
      contacts.map((c) => c.id),
      total,
    );
    const browser = await measure(deps, address, 'browser', total);
    const browserBase = await baselineOfStored(store, (await createWorkspace(deps, { name: 'baseline-browser' })).id, browser.workspaceId, total);
    for (const [prefix, m, b] of [
      ['', server, base],
      ['browser_', browser, browserBase],
    ] as const) {
      ctx.emit(figure({ bench: 'ingest', backend: kind, figure: `${prefix}events_per_s`, value: m.rate, unit: 'events/s', baseline: b }));
      // CPU of this process (server and client threads) per event: steadier than events/s when other
      // work shares the machine.
      ctx.emit(figure({ bench: 'ingest', backend: kind, figure: `${prefix}process_cpu_per_event`, value: m.cpuUs / total, unit: 'us' }));
      // The server's own thread (HTTP, validation, ingestion; SQLite runs in it), without the clients.
      if (m.serverThreadMs !== null) ctx.emit(figure({ bench: 'ingest', backend: kind, figure: `${prefix}server_thread_cpu_per_event`, value: (m.serverThreadMs * 1000) / total, unit: 'us' }));
      // PostgreSQL's backends serving this database: the database's share of the two cores.
      if (m.dbMs !== null) ctx.emit(figure({ bench: 'ingest', backend: kind, figure: `${prefix}db_backend_cpu_per_event`, value: (m.dbMs * 1000) / total, unit: 'us' }));
      const pct = (p: number) => m.latencies[Math.min(m.latencies.length - 1, Math.floor(m.latencies.length * p))]!;
      ctx.emit(figure({ bench: 'ingest', backend: kind, figure: `${prefix}batch_latency_p50`, value: pct(0.5), unit: 'ms' }));
      ctx.emit(figure({ bench: 'ingest', backend: kind, figure: `${prefix}batch_latency_p99`, value: pct(0.99), unit: 'ms' }));
    }
  } finally {
    await app.close();
    await database.drop();
  }
}

export const run: Bench = async (ctx) => {
  for (const kind of benchBackends()) await benchBackend(kind, ctx);
};
