/**
 * @module Email benchmark: a live journey (manual trigger → email message → exit) sends one
 * personalised MJML marketing email with 3 tracked links to N contacts (2,000; --size large: 20,000)
 * through the workspace's SMTP provider (pooled, DKIM-signed) into an SMTP sink in another process,
 * driven by the real worker task. Baseline, in the same run: raw nodemailer with the same pool size
 * and DKIM key sending N copies of one email rendered once by the real renderer to the same sink.
 *
 * Figures (one JSON line each, per backend): `baseline_messages_per_s`, and `messages_per_s` with
 * the baseline and the ratio; `messages_per_worker_cpu_s` (sends per CPU-second of this process,
 * with raw nodemailer's sends per CPU-second as its baseline).
 * SQLite always; PostgreSQL too when QATRA_BENCH_DATABASE_URL or QATRA_TEST_DATABASE_URL is set.
 * `QATRA_BENCH_EMAIL_MESSAGES` overrides N; `QATRA_BENCH_EMAIL_BACKENDS=postgres` runs one backend
 * only. The sink must receive exactly N messages per phase, or the bench fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { systemClock } from '../src/core/clock.js';
import { parseConfig } from '../src/config/config.js';
import { createMetrics } from '../src/metrics/metrics.js';
import type { DialectName, Store } from '../src/store/store.js';
import { newId } from '../src/core/ids.js';
import { parseEmailAddress } from '../src/core/email-address.js';
import { toJson } from '../src/core/json.js';
import { createWorkspace } from '../src/workspaces/workspaces.js';
import { applyJourney } from '../src/journeys/journeys.js';
import { createChannelRegistry } from '../src/channels/registry.js';
import { createRuntime } from '../src/journeys/runtime/runtime.js';
import { journeyTask } from '../src/journeys/runtime/scheduler.js';
import { JourneyCatalog } from '../src/journeys/runtime/catalog.js';
import { enrollContacts } from '../src/journeys/runtime/manual.js';
import { saveTemplates } from '../src/templates/service.js';
import { TemplateCache } from '../src/templates/cache.js';
import { renderEmail } from '../src/templates/render.js';
import type { TemplateInput } from '../src/templates/template.js';
import { emailSettingsSchema, loadEmailSettings, saveEmailSettings } from '../src/channels/email/settings.js';
import { composeEmail, unsubscribeUrls } from '../src/channels/email/compose.js';
import { toMailOptions } from '../src/channels/email/providers/mime.js';
import { DKIM_SIGNED_HEADERS } from '../src/channels/email/providers/smtp/smtp.js';
import { workspaceSecret } from '../src/tracking/tokens.js';
import { freshDatabase } from '../test/backends.js';
import { benchBackends, figure, type Bench, type BenchContext } from './run.js';
import { defaultSignals } from '../src/server/signal-sinks.js';
import { testSecretBox } from '../test/secret-key.js';

const PUBLIC_URL = 'https://q.example.com';
/** The provider's default pool size (settings.ts); the baseline uses the same. */
const MAX_CONNECTIONS = 5;
const CHUNK = 1000;

const newsletter: TemplateInput = {
  id: 'newsletter',
  name: 'Newsletter',
  kind: 'marketing',
  content: {
    subject: 'News for you, {{ contact.first_name | default: "there" }}',
    preheader: 'Three things worth reading this week',
    format: 'mjml',
    body: `<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
        <mj-text>Hello {{ contact.first_name | default: "there" }},</mj-text>
        <mj-text>Here is what is new this week.</mj-text>
        <mj-button href="https://shop.example.com/sale?c={{ contact.id | url_encode }}">See the sale</mj-button>
        <mj-text><a href="https://blog.example.com/posts/42">Read the story</a></mj-text>
        <mj-text><a href="https://shop.example.com/new">New arrivals</a></mj-text>
        <mj-text>{{ workspace.name }}, {{ workspace.postal_address }} · <a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`,
  },
};

/** The sink: smtp-server in a child process that counts and discards messages; asked over IPC. */
const SINK_SOURCE = `
const { SMTPServer } = require('smtp-server');
let count = 0;
const server = new SMTPServer({
  secure: false, disabledCommands: ['STARTTLS', 'AUTH'], authOptional: true, logger: false, closeTimeout: 100,
  onData(stream, _session, cb) { stream.on('data', () => {}); stream.on('end', () => { count++; cb(); }); },
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.server.address().port }));
process.on('message', (m) => {
  if (m === 'count') process.send({ count });
  else if (m === 'reset') { count = 0; process.send({ count }); }
  else if (m === 'close') server.close(() => process.exit(0));
});`;

interface Sink {
  port: number;
  count(): Promise<number>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

async function startSink(): Promise<Sink> {
  const child: ChildProcess = spawn(process.execPath, ['-e', SINK_SOURCE], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], cwd: process.cwd() });
  let exited: Error | null = null;
  child.once('exit', (code) => (exited = new Error(`smtp sink exited with ${code}`)));
  const next = <T>(): Promise<T> =>
    new Promise((resolve, reject) => {
      if (exited) return reject(exited);
      const onExit = () => reject(exited);
      child.once('exit', onExit);
      child.once('message', (m) => {
        child.off('exit', onExit);
        resolve(m as T);
      });
    });
  const { port } = await next<{ port: number }>();
  const ask = async (m: string) => {
    const reply = next<{ count: number }>();
    child.send(m);
    return (await reply).count;
  };
  return {
    port,
    count: () => ask('count'),
    reset: async () => void (await ask('reset')),
    close: () => new Promise<void>((resolve) => (child.once('exit', () => resolve()), child.send('close'))),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForSink(sink: Sink, n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  let got = 0;
  while ((got = await sink.count()) < n && Date.now() < deadline) await sleep(20);
  await sleep(200);
  got = await sink.count();
  if (got !== n) throw new Error(`smtp sink received ${got} messages, expected exactly ${n}`);
}

/** Inserts N contacts with an address and a first name; returns their ids. */
async function seedContacts(store: Store, ws: string, n: number): Promise<string[]> {
  const now = Date.now();
  const ids: string[] = [];
  for (let start = 0; start < n; start += CHUNK) {
    const rows = Array.from({ length: Math.min(CHUNK, n - start) }, (_, k) => {
      const id = newId('ct', now);
      ids.push(id);
      const i = start + k;
      return {
        id,
        workspace_id: ws,
        user_id: null,
        email: `reader${i}@example.org`,
        phone: null,
        timezone: null,
        locale: null,
        attributes: toJson({ first_name: `Reader${i}` }),
        created_at: now,
        updated_at: now,
      };
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

/** Raw nodemailer: one email rendered once by the real renderer, sent to N addresses. */
async function baseline(store: Store, ws: string, sink: Sink, privateKey: string, n: number): Promise<{ rate: number; perCpuS: number }> {
  const resolved = (await loadEmailSettings(store.db, ws, testSecretBox()))!;
  const secret = await workspaceSecret(store, ws);
  const recordId = newId('msg', Date.now());
  const links = unsubscribeUrls(PUBLIC_URL, secret, recordId);
  const rendered = await renderEmail(
    { store, templateCache: new TemplateCache() },
    {
      workspaceId: ws,
      templateId: 'newsletter',
      contact: { id: 'ct_x', email: 'reader@example.org', attributes: { first_name: 'Reader' } },
      workspace: { name: 'Bench', postalAddress: '1 Main St' },
      links,
    },
  );
  const parsed = parseEmailAddress('reader@example.org');
  if (!parsed.ok) throw new Error(parsed.reason);
  const readerAddress = parsed.value;
  const { email } = composeEmail({
    workspaceId: ws,
    workspaceName: 'Bench',
    recordId,
    idempotencyKey: 'k',
    kind: 'marketing',
    to: readerAddress,
    rendered,
    settings: resolved.settings,
    secret,
    publicUrl: PUBLIC_URL,
    now: Date.now(),
  });
  const mail = toMailOptions(email);
  const transport = nodemailer.createTransport({
    pool: true,
    host: '127.0.0.1',
    port: sink.port,
    secure: false,
    maxConnections: MAX_CONNECTIONS,
    dkim: { domainName: 'news.example.com', keySelector: 'qatra1', privateKey, headerFieldNames: DKIM_SIGNED_HEADERS },
  });
  await sink.reset();
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  // The same concurrency the worker gives the provider: a batch of 100 sends in flight at a time.
  for (let start = 0; start < n; start += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, n - start) }, (_, k) =>
        transport.sendMail({ ...mail, to: `reader${start + k}@example.org`, envelope: { ...mail.envelope, to: `reader${start + k}@example.org` } }),
      ),
    );
  }
  const elapsed = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  transport.close();
  await waitForSink(sink, n);
  return { rate: n / (elapsed / 1000), perCpuS: n / ((cpu.user + cpu.system) / 1e6) };
}

async function benchBackend(kind: DialectName, ctx: BenchContext, sink: Sink, n: number): Promise<void> {
  const database = await freshDatabase(kind);
  const store = database.store;
  const log = pino({ level: 'silent' });
  const deps = {
    store,
    signals: defaultSignals(store),
    secretBox: testSecretBox(),
    clock: systemClock,
    log,
    config: parseConfig({}, { publicUrl: PUBLIC_URL, allowPrivateOutbound: true }),
    metrics: createMetrics(),
  };
  const channels = createChannelRegistry(deps);
  try {
    const ws = (await createWorkspace(deps, { name: 'Bench' })).id;
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'der' } });
    await saveEmailSettings(
      deps,
      ws,
      emailSettingsSchema.parse({
        provider: 'smtp',
        from: { address: 'news@news.example.com', name: 'Bench News' },
        postalAddress: '1 Main St, Springfield',
        returnPathDomain: 'bounces.example.com',
        smtp: { host: '127.0.0.1', port: sink.port, maxConnections: MAX_CONNECTIONS },
        dkim: { domain: 'news.example.com', selector: 'qatra1', privateKey },
      }),
    );
    await saveTemplates(deps, ws, [newsletter], 'upsert');
    await applyJourney(deps, ws, {
      id: 'news',
      name: 'News',
      status: 'live',
      trigger: { type: 'manual' },
      start: 'm1',
      nodes: [
        { id: 'm1', type: 'message', channel: 'email', template: 'newsletter' },
        { id: 'done', type: 'exit' },
      ],
      edges: [{ from: 'm1', to: 'done' }],
    });

    const { rate: base, perCpuS: baseCpu } = await baseline(store, ws, sink, privateKey, n);
    ctx.emit(figure({ bench: 'email', backend: kind, figure: 'baseline_messages_per_s', value: base, unit: 'messages/s' }));

    const ids = await seedContacts(store, ws, n);
    const t = performance.now();
    const catalog = new JourneyCatalog();
    for (let i = 0; i < ids.length; i += CHUNK) await enrollContacts(deps, catalog, ws, 'news', { contactIds: ids.slice(i, i + CHUNK) });
    console.error(`[email ${kind}] seeded and enrolled ${n} contacts in ${Math.round(performance.now() - t)} ms`);

    await sink.reset();
    const workers = kind === 'postgres' ? 4 : 1;
    let done = false;
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    // One channel registry for all workers: one provider pool of MAX_CONNECTIONS, like the baseline.
    const loops = Array.from({ length: workers }, async (_, w) => {
      const task = journeyTask(createRuntime(deps, { channels, workerId: `bench${w}` }));
      while (!done) if ((await task.tick()) === 0) await sleep(20);
    });
    let finished = started;
    // Watches the sink (over IPC, not the database, so the watching costs the worker nothing), then
    // waits for the last outcomes to be recorded: the clock stops when all N are recorded as sent.
    const watcher = (async () => {
      while ((await sink.count()) < n) await sleep(20);
      for (;;) {
        const row = await store.db
          .selectFrom('messages')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('workspace_id', '=', ws)
          .where('status', '=', 'sent')
          .executeTakeFirstOrThrow();
        finished = performance.now();
        if (Number(row.n) >= n) break;
        await sleep(10);
      }
      done = true;
    })();
    await Promise.all([watcher, ...loops]);
    const cpu = process.cpuUsage(cpu0);
    await waitForSink(sink, n);
    const rate = n / ((finished - started) / 1000);
    ctx.emit(figure({ bench: 'email', backend: kind, figure: 'messages_per_s', value: rate, unit: 'messages/s', baseline: base }));
    // Sends per CPU-second of this process, against raw nodemailer's: a shared, busy machine moves
    // this ratio far less than the rates (other processes take wall time, not this process's CPU).
    ctx.emit(figure({ bench: 'email', backend: kind, figure: 'messages_per_worker_cpu_s', value: n / ((cpu.user + cpu.system) / 1e6), unit: 'messages/cpu-s', baseline: baseCpu }));
  } finally {
    for (const c of channels.values()) await (c as { close?: () => Promise<void> }).close?.();
    await database.drop();
  }
}

export const run: Bench = async (ctx) => {
  const n = Number(process.env.QATRA_BENCH_EMAIL_MESSAGES ?? (ctx.size === 'large' ? 20_000 : 2_000));
  // QATRA_BENCH_EMAIL_BACKENDS=postgres: one backend only (to profile it alone).
  const only = process.env.QATRA_BENCH_EMAIL_BACKENDS?.split(',');
  const kinds = benchBackends().filter((k) => !only || only.includes(k));
  const sink = await startSink();
  try {
    for (const kind of kinds) await benchBackend(kind, ctx, sink, n);
  } finally {
    await sink.close();
  }
};
