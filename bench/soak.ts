/**
 * @module Soak: `npm run bench -- soak [--minutes N] [--rate EVENTS_PER_S]`. The real server
 * (buildApp + listen) and a real worker in one process, on a fresh SQLite file (PostgreSQL with
 * QATRA_SOAK_DATABASE_URL), for N minutes (default 10 when named, 1 as part of `npm run bench`;
 * also QATRA_SOAK_MINUTES) of steady ingestion: HTTP clients send /v1/batch requests at a fixed rate
 * (default 1,000 events/s), one event in 20 a `soak_signup` of a new user, which a live journey
 * answers with a personalised email over real SMTP to a sink in the same process.
 *
 * Per minute it prints events/s, emails/s, RSS and the JS heap used (MB) as JSON lines
 * (`"minute": n`). At the end: the slopes of RSS and of the heap over the second half of the run
 * (MB per minute, least squares over 5-second samples), and the verdict `rss_bounded` (1 when the
 * RSS slope is under 2 MB/min or the second half grew less than 10 % over its first sample). A
 * leak of even 1 KB per email shows as a steady slope; in the heap's too when it is ours, not native.
 */
import { buildApp } from '../src/api/app.js';
import { parseConfig } from '../src/config/config.js';
import { saveTemplates } from '../src/templates/service.js';
import { applyJourney } from '../src/journeys/journeys.js';
import { Worker } from '../src/worker/worker.js';
import { workerTasks } from '../src/worker/tasks.js';
import { freshDatabase } from '../test/backends.js';
import { startCountingSink } from '../test/faults/counting-sink.js';
import { quietDeps, sinkWorkspace } from '../test/sink-workspace.js';
import { figure, type Bench } from './run.js';

const BATCH = 100;
const SIGNUP_EVERY = 20;
const SAMPLE_MS = 5000;

function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const num = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const den = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

export const run: Bench = async (ctx) => {
  const minutes = Number(ctx.options.minutes ?? process.env.QATRA_SOAK_MINUTES ?? (ctx.named ? 10 : 1));
  const rate = Number(ctx.options.rate ?? process.env.QATRA_SOAK_RATE ?? 1000);
  if (!(minutes > 0) || !(rate > 0)) throw new Error('--minutes and --rate must be positive numbers');
  const baseUrl = process.env.QATRA_SOAK_DATABASE_URL;
  const kind = baseUrl ? 'postgres' : 'sqlite';
  const database = await freshDatabase(kind, { baseUrl, pgPoolMax: 10 });
  const sink = await startCountingSink();
  const config = parseConfig({ QATRA_WORKER_POLL_MS: '100' });
  const deps = quietDeps(database.store, config);
  const ws = await sinkWorkspace(deps, 'Soak', sink.port);
  await saveTemplates(
    deps,
    ws.workspaceId,
    [
      {
        id: 'hello',
        name: 'Hello',
        kind: 'marketing',
        content: {
          subject: 'Hello {{ contact.user_id }}',
          body: '<p>Hi {{ trigger.plan }}</p><a href="https://shop.example.com/?u={{ contact.id }}">Shop</a><p><a href="{{ unsubscribe_url }}">Unsubscribe</a> {{ workspace.postal_address }}</p>',
        },
      },
    ],
    'upsert',
  );
  await applyJourney({ ...deps, templateExists: async () => true }, ws.workspaceId, {
    id: 'welcome',
    name: 'Welcome',
    status: 'live',
    trigger: { type: 'event', event: 'soak_signup' },
    start: 'hello',
    nodes: [
      { id: 'hello', type: 'message', channel: 'email', template: 'hello' },
      { id: 'done', type: 'exit' },
    ],
    edges: [{ from: 'hello', to: 'done' }],
  });
  const app = await buildApp(deps);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const worker = new Worker(workerTasks(deps), { ...config.worker, log: deps.log });
  worker.start();
  const auth = `Basic ${Buffer.from(`${ws.writeKey}:`).toString('base64')}`;

  let n = 0;
  let events = 0;
  let failures = 0;
  const end = Date.now() + minutes * 60_000;
  const sendBatch = async () => {
    const batch: object[] = [];
    while (batch.length < BATCH) {
      const i = n++;
      if (i % SIGNUP_EVERY === 0) {
        // A new user: identify (with the address the email goes to), then the signup that triggers the journey.
        batch.push({ type: 'identify', messageId: `soak-id-${i}`, userId: `new-${i}`, traits: { email: `new-${i}@example.org` } });
        batch.push({ type: 'track', messageId: `soak-${i}`, userId: `new-${i}`, event: 'soak_signup', properties: { plan: 'pro' } });
      } else batch.push({ type: 'track', messageId: `soak-${i}`, userId: `user-${i % 5000}`, event: 'page_viewed', properties: { i } });
    }
    try {
      const res = await fetch(`${url}/v1/batch`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
      await res.arrayBuffer();
      if (res.status === 200) events += batch.length;
      else failures += 1;
    } catch {
      failures += 1;
    }
  };
  // Steady: a batch every BATCH/rate seconds, up to 8 in flight (a slow server shows as a lower rate).
  const interval = (BATCH / rate) * 1000;
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  const producer = (async () => {
    let due = Date.now();
    while (Date.now() < end) {
      if (inFlight < 8) {
        inFlight += 1;
        const p = sendBatch().finally(() => {
          inFlight -= 1;
          pending.delete(p);
        });
        pending.add(p);
      }
      due += interval;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await Promise.all(pending);
  })();

  const started = Date.now();
  const samples: Array<[number, number]> = [];
  // The JS heap apart from RSS: a leak of our objects shows in both, native growth (allocator,
  // SQLite's page cache) in RSS only.
  const heapSamples: Array<[number, number]> = [];
  let lastMinute = { events: 0, mails: 0, at: started };
  let minute = 0;
  const rssMb = () => process.memoryUsage().rss / 1024 / 1024;
  const heapMb = () => process.memoryUsage().heapUsed / 1024 / 1024;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, Math.min(SAMPLE_MS, Math.max(0, end - Date.now()))));
    const now = Date.now();
    samples.push([(now - started) / 60_000, rssMb()]);
    heapSamples.push([(now - started) / 60_000, heapMb()]);
    if (now - lastMinute.at >= 60_000 - 1 || now >= end) {
      minute += 1;
      const s = (now - lastMinute.at) / 1000;
      const mails = sink.mails.length;
      ctx.emit({ ...figure({ bench: 'soak', backend: kind, figure: 'events_per_s', value: (events - lastMinute.events) / s, unit: 'events/s' }), minute });
      ctx.emit({ ...figure({ bench: 'soak', backend: kind, figure: 'emails_per_s', value: (mails - lastMinute.mails) / s, unit: 'emails/s' }), minute });
      ctx.emit({ ...figure({ bench: 'soak', backend: kind, figure: 'rss', value: rssMb(), unit: 'MB' }), minute });
      ctx.emit({ ...figure({ bench: 'soak', backend: kind, figure: 'heap_used', value: heapMb(), unit: 'MB' }), minute });
      lastMinute = { events, mails, at: now };
    }
  }
  await producer;
  // Let the journey catch up with the last signups before counting.
  const drainUntil = Date.now() + 60_000;
  while (sink.mails.length < Math.floor(n / SIGNUP_EVERY) && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 200));
  await worker.stop();
  await app.close();

  const secondHalf = samples.filter(([t]) => t >= minutes / 2);
  const perMin = slope(secondHalf);
  const first = secondHalf[0]?.[1] ?? 0;
  const last = secondHalf.at(-1)?.[1] ?? 0;
  const growth = first > 0 ? (last - first) / first : 0;
  const bounded = perMin < 2 || growth < 0.1;
  ctx.emit(figure({ bench: 'soak', backend: kind, figure: 'events_total', value: events, unit: 'events' }));
  ctx.emit(figure({ bench: 'soak', backend: kind, figure: 'emails_total', value: sink.mails.length, unit: 'emails', baseline: Math.ceil(n / SIGNUP_EVERY) }));
  ctx.emit(figure({ bench: 'soak', backend: kind, figure: 'failed_requests', value: failures, unit: 'requests' }));
  ctx.emit(figure({ bench: 'soak', backend: kind, figure: 'rss_slope_second_half', value: perMin, unit: 'MB/min' }));
  ctx.emit(figure({ bench: 'soak', backend: kind, figure: 'rss_growth_second_half', value: growth * 100, unit: '%' }));
  ctx.emit(figure({ bench: 'soak', backend: kind, figure: 'heap_used_slope_second_half', value: slope(heapSamples.filter(([t]) => t >= minutes / 2)), unit: 'MB/min' }));
  ctx.emit(figure({ bench: 'soak', backend: kind, figure: 'rss_bounded', value: bounded ? 1 : 0, unit: 'verdict (1 = bounded)' }));
  await sink.close();
  await database.drop();
};
