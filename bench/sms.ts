/**
 * @module SMS benchmark (issue 16): a live journey (manual trigger → SMS message → exit) sends one
 * personalised Arabic marketing SMS (Liquid over the contact's first name, the Saudi opt-out line
 * appended, sender marked `-AD`; one UCS-2 segment) to N contacts (5,000, about 2 minutes for both stores here; --size large: 20,000),
 * driven by the real worker task through the workspace's provider from `channel_providers`:
 *
 *  (a) `twilio`: the Twilio-compatible provider to the local test server
 *      (src/channels/sms/providers/twilio/server.testkit.ts). Baseline in the same run: raw
 *      keep-alive HTTP POSTs (node:http, the provider's 64 sockets, 100 in flight like the worker's
 *      batch) of the very form bodies the server received from the journey;
 *  (b) `smpp`: the SMPP provider to the test SMSC (src/channels/sms/providers/smpp/server.testkit.ts).
 *      Baseline: raw `submit_sm` of the same texts and addresses on a bare `smpp` session, pipelined
 *      with the provider's window (10).
 * The raw sides run after the journey, 3 rounds each, the best kept (the ratio errs against the journey).
 *
 * Figures per backend (sqlite; postgres when QATRA_BENCH_DATABASE_URL or QATRA_TEST_DATABASE_URL is
 * set): `<provider>_baseline_sms_per_s`, `<provider>_sms_per_s` with the baseline and the ratio, and
 * `<provider>_sms_per_worker_cpu_s` (sends per CPU-second of this process, the raw side's as the
 * baseline; steadier than wall clock on a shared machine). The test servers run in this process, on
 * both sides alike. Workers: 1 on SQLite, 4 on PostgreSQL, as the email bench.
 *
 * Checked, or the bench fails: the server/SMSC got exactly N messages from the journey, one per
 * contact number (no duplicates), each accepted; all N message records are `sent`; the raw side's N
 * were all accepted. `QATRA_BENCH_SMS_MESSAGES` overrides N; `QATRA_BENCH_SMS_BACKENDS=postgres` and
 * `QATRA_BENCH_SMS_PROVIDERS=smpp` run a part only (for profiling).
 */
import http from 'node:http';
import pino from 'pino';
import smpp from 'smpp';
import { systemClock } from '../src/core/clock.js';
import { parseConfig } from '../src/config/config.js';
import { createMetrics } from '../src/metrics/metrics.js';
import type { DialectName, Store } from '../src/store/store.js';
import { newId } from '../src/core/ids.js';
import { toJson } from '../src/core/json.js';
import { createWorkspace } from '../src/workspaces/workspaces.js';
import { applyJourney } from '../src/journeys/journeys.js';
import { createChannelRegistry } from '../src/channels/registry.js';
import { createRuntime } from '../src/journeys/runtime/runtime.js';
import { journeyTask } from '../src/journeys/runtime/scheduler.js';
import { JourneyCatalog } from '../src/journeys/runtime/catalog.js';
import { enrollContacts } from '../src/journeys/runtime/manual.js';
import { saveTemplates } from '../src/templates/service.js';
import type { TemplateInput } from '../src/templates/template.js';
import { createProvider } from '../src/channels/providers/providers.js';
import { providerKinds } from '../src/channels/providers/kinds.js';
import { putSmsSettings } from '../src/channels/sms/settings.js';
import { startTwilioServer, type TwilioTestServer } from '../src/channels/sms/providers/twilio/server.testkit.js';
import { startTestSmsc, type TestSmsc } from '../src/channels/sms/providers/smpp/server.testkit.js';
import { freshDatabase } from '../test/backends.js';
import { benchBackends, figure, type Bench, type BenchContext } from './run.js';
import { defaultSignals } from '../src/server/signal-sinks.js';
import { testSecretBox } from '../test/secret-key.js';

const PUBLIC_URL = 'https://q.example.com';
const CHUNK = 1000;
/** What the worker has in flight at once (its batch) and the provider's defaults: the raw sides use the same. */
const IN_FLIGHT = 100;
const TWILIO_SOCKETS = 64;
const SMPP_WINDOW = 10;
const BASELINE_ROUNDS = 3;

type ProviderName = 'twilio' | 'smpp';

const promo: TemplateInput = {
  id: 'promo',
  name: 'Promo',
  channel: 'sms',
  kind: 'marketing',
  content: { body: 'مرحبا {{ contact.first_name }}، خصم ٢٠٪ على طلبك اليوم' },
};

const NAMES = ['سارة', 'محمد', 'فاطمة', 'علي', 'نورة', 'خالد', 'ريم', 'عبدالله'];
/** A valid Saudi mobile number per contact (E.164, as stored numbers are). */
const phoneOf = (i: number) => `+96650${String(i).padStart(7, '0')}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

/** Inserts N Arabic-speaking contacts with a Saudi mobile number and a first name; returns their ids. */
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
        email: null,
        phone: phoneOf(i),
        timezone: 'Asia/Riyadh',
        locale: 'ar-SA',
        attributes: toJson({ first_name: NAMES[i % NAMES.length] }),
        created_at: now,
        updated_at: now,
      };
    });
    await store.transaction(async (trx) => {
      for (let i = 0; i < rows.length; i += 250) {
        const part = rows.slice(i, i + 250);
        await trx.insertInto('contacts').values(part).execute();
        // Marketing SMS need the contact's explicit consent (src/channels/descriptors.ts).
        await trx
          .insertInto('consents')
          .values(part.map((r) => ({ workspace_id: ws, contact_id: r.id, channel: 'sms', topic: '', status: 'subscribed' as const, source: 'bench', updated_at: now })))
          .execute();
      }
    });
  }
  return ids;
}

/** Runs `count` jobs with `inFlight` at a time (a pool, not lock-step batches); answers msg/s and msg/CPU-s. */
async function timed(count: number, inFlight: number, one: (i: number) => Promise<void>): Promise<{ rate: number; perCpuS: number }> {
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(inFlight, count) }, async () => {
      while (next < count) await one(next++);
    }),
  );
  const elapsed = performance.now() - started;
  return { rate: count / (elapsed / 1000), perCpuS: count / cpuSeconds(cpu0) };
}

/**
 * The raw side's best of BASELINE_ROUNDS rounds (by rate; its CPU figure from the same round): a
 * burst of load elsewhere on this shared machine lowers one round, not the baseline, so the ratio
 * errs against the journey, never for it.
 */
async function bestOf(round: () => Promise<{ rate: number; perCpuS: number }>): Promise<{ rate: number; perCpuS: number }> {
  let best = { rate: 0, perCpuS: 0 };
  for (let r = 0; r < BASELINE_ROUNDS; r++) {
    const result = await round();
    if (result.rate > best.rate) best = result;
  }
  return best;
}

/** Raw keep-alive HTTP POSTs of the form bodies the server received from the journey. */
async function twilioBaseline(server: TwilioTestServer, bodies: string[]): Promise<{ rate: number; perCpuS: number }> {
  const url = new URL(`${server.baseUrl}/2010-04-01/Accounts/${server.accountSid}/Messages.json`);
  const auth = `Basic ${Buffer.from(`${server.accountSid}:${server.authToken}`).toString('base64')}`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: TWILIO_SOCKETS });
  const post = (body: string) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(url, {
        method: 'POST',
        agent,
        headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      });
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 201) return reject(new Error(`raw POST: HTTP ${res.statusCode}`));
          JSON.parse(Buffer.concat(chunks).toString('utf8'));
          resolve();
        });
      });
      req.end(body);
    });
  try {
    await timed(Math.min(500, bodies.length), IN_FLIGHT, (i) => post(bodies[i]!)); // warm-up
    return await bestOf(async () => {
      server.received.length = 0;
      const result = await timed(bodies.length, IN_FLIGHT, (i) => post(bodies[i]!));
      const accepted = server.received.filter((r) => r.sid !== null).length;
      if (accepted !== bodies.length) throw new Error(`raw POSTs: the server accepted ${accepted}, expected ${bodies.length}`);
      return result;
    });
  } finally {
    agent.destroy();
  }
}

interface RawSubmit {
  source: string;
  sourceTon: number;
  sourceNpi: number;
  destination: string;
  text: string;
}

/** Raw submit_sm of the same texts on a bare session, pipelined with the provider's window; PDUs built inside the timing as the provider builds its own. */
async function smppBaseline(smsc: TestSmsc, submits: RawSubmit[]): Promise<{ rate: number; perCpuS: number }> {
  const session = smpp.connect({ host: '127.0.0.1', port: smsc.port });
  session.on('error', () => {});
  await new Promise<void>((resolve, reject) =>
    session.on('connect', () => session.bind_transceiver({ system_id: 'qatra', password: 'secret' }, (pdu) => (pdu.command_status === 0 ? resolve() : reject(new Error('raw bind refused'))))),
  );
  const round = (list: RawSubmit[]) =>
    new Promise<void>((resolve, reject) => {
      let next = 0;
      let done = 0;
      const pump = (): void => {
        while (next < list.length && next - done < SMPP_WINDOW) {
          const s = list[next++]!;
          session.submit_sm(
            {
              source_addr: s.source,
              source_addr_ton: s.sourceTon,
              source_addr_npi: s.sourceNpi,
              destination_addr: s.destination,
              dest_addr_ton: 1,
              dest_addr_npi: 1,
              registered_delivery: 1,
              data_coding: 8,
              esm_class: 0,
              short_message: Buffer.from(s.text, 'utf16le').swap16(),
            },
            (resp) => {
              if (resp.command_status !== 0) return reject(new Error(`raw submit_sm refused: ${resp.command_status}`));
              if (++done === list.length) resolve();
              else pump();
            },
          );
        }
      };
      pump();
    });
  try {
    await round(submits.slice(0, 500)); // warm-up
    return await bestOf(async () => {
      smsc.submits.length = 0;
      const cpu0 = process.cpuUsage();
      const started = performance.now();
      await round(submits);
      const elapsed = performance.now() - started;
      const perCpuS = submits.length / cpuSeconds(cpu0);
      const accepted = smsc.submits.filter((s) => s.status === 0).length;
      if (accepted !== submits.length) throw new Error(`raw submit_sm: the SMSC accepted ${accepted}, expected ${submits.length}`);
      return { rate: submits.length / (elapsed / 1000), perCpuS };
    });
  } finally {
    await new Promise<void>((resolve) => session.unbind({}, () => session.destroy(() => resolve())));
  }
}

/** What the test server or SMSC saw from the journey: destination numbers (E.164) and accepted count. */
interface Seen {
  count(): number;
  destinations(): string[];
  accepted(): number;
  reset(): void;
}

function seenAt(provider: ProviderName, twilio: TwilioTestServer, smsc: TestSmsc): Seen {
  return provider === 'twilio'
    ? {
        count: () => twilio.received.length,
        destinations: () => twilio.received.map((r) => r.params.To ?? ''),
        accepted: () => twilio.received.filter((r) => r.sid !== null).length,
        reset: () => void (twilio.received.length = 0),
      }
    : {
        count: () => smsc.submits.length,
        destinations: () => smsc.submits.map((s) => `+${s.destinationAddr}`),
        accepted: () => smsc.submits.filter((s) => s.status === 0).length,
        reset: () => void (smsc.submits.length = 0),
      };
}

async function benchProvider(kind: DialectName, provider: ProviderName, ctx: BenchContext, twilio: TwilioTestServer, smsc: TestSmsc, n: number): Promise<void> {
  const database = await freshDatabase(kind);
  const store = database.store;
  const deps = {
    store,
    signals: defaultSignals(store),
    secretBox: testSecretBox(),
    clock: systemClock,
    log: pino({ level: 'silent' }),
    // QATRA_WORKER_BATCH (the worker's batch, default 100) is passed on, to see what the batch size does.
    config: parseConfig({ QATRA_WORKER_BATCH: process.env.QATRA_WORKER_BATCH }, { publicUrl: PUBLIC_URL, allowPrivateOutbound: true }),
    metrics: createMetrics(),
  };
  const channels = createChannelRegistry(deps);
  const seen = seenAt(provider, twilio, smsc);
  const name = (f: string) => `${provider}_${f}`;
  try {
    const ws = (await createWorkspace(deps, { name: 'Bench' })).id;
    await createProvider(
      { ...deps, providerKinds },
      ws,
      'sms',
      provider === 'twilio'
        ? { kind: 'twilio', name: 'twilio', settings: { accountSid: twilio.accountSid, baseUrl: twilio.baseUrl, from: 'Qatra' }, secrets: { authToken: twilio.authToken } }
        : { kind: 'smpp', name: 'smpp', settings: { host: '127.0.0.1', port: smsc.port, systemId: 'qatra', windowSize: SMPP_WINDOW, from: 'Qatra' }, secrets: { password: 'secret' } },
    );
    // Saudi promotional SMS may only go out 08:00–21:00 Riyadh time: lifted, so the bench runs at any hour.
    // The SA promotional window and the SMS quiet hours would hold a run at night: shrunk to a minute so the bench runs at any hour.
    await putSmsSettings(store.db, ws, { senderIds: { default: 'Qatra' }, quietHours: { start: '00:00', end: '00:01' }, countryRules: { SA: { promotionalWindow: null } } }, deps.clock);
    await saveTemplates(deps, ws, [promo], 'upsert');
    await applyJourney(deps, ws, {
      id: 'promo',
      name: 'Promo',
      status: 'live',
      trigger: { type: 'manual' },
      start: 'm1',
      nodes: [
        { id: 'm1', type: 'message', channel: 'sms', template: 'promo' },
        { id: 'done', type: 'exit' },
      ],
      edges: [{ from: 'm1', to: 'done' }],
    });

    const ids = await seedContacts(store, ws, n);
    const t = performance.now();
    const catalog = new JourneyCatalog();
    for (let i = 0; i < ids.length; i += CHUNK) await enrollContacts(deps, catalog, ws, 'promo', { contactIds: ids.slice(i, i + CHUNK) });
    console.error(`[sms ${kind} ${provider}] seeded and enrolled ${n} contacts in ${Math.round(performance.now() - t)} ms`);

    seen.reset();
    const workers = kind === 'postgres' ? 4 : 1;
    let done = false;
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    const loops = Array.from({ length: workers }, async (_, w) => {
      const task = journeyTask(createRuntime(deps, { channels, workerId: `bench${w}` }));
      while (!done) if ((await task.tick()) === 0) await sleep(20);
    });
    let finished = started;
    // Watches the server's count (in memory: free for the worker), then the records: the clock
    // stops when all N are recorded as sent.
    const sentCount = async () =>
      Number(
        (
          await store.db
            .selectFrom('messages')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('workspace_id', '=', ws)
            .where('status', '=', 'sent')
            .executeTakeFirstOrThrow()
        ).n,
      );
    const deadline = Date.now() + 30 * 60_000;
    const watcher = (async () => {
      try {
        while (seen.count() < n) {
          if (Date.now() > deadline) throw new Error(`[sms ${kind} ${provider}] only ${seen.count()} of ${n} arrived in 30 min`);
          await sleep(10);
        }
        while ((await sentCount()) < n) {
          if (Date.now() > deadline) throw new Error(`[sms ${kind} ${provider}] records not all sent in 30 min`);
          await sleep(10);
        }
        finished = performance.now();
      } finally {
        done = true;
      }
    })();
    await Promise.all([watcher, ...loops]);
    const cpuS = cpuSeconds(cpu0);
    // The phase's bounds on the monotonic clock (µs, as `node --cpu-prof` stamps its samples): a
    // profile of the whole run can be cut down to the journey's sends.
    const endUs = process.hrtime.bigint() / 1000n;
    console.error(`[sms ${kind} ${provider}] journey sent ${n} in ${Math.round(finished - started)} ms (monotonic µs ${endUs - BigInt(Math.round((performance.now() - started) * 1000))}–${endUs})`);
    await sleep(200);

    // The result, checked: exactly N arrived, one per contact, all accepted; N records, all sent.
    const destinations = seen.destinations();
    const distinct = new Set(destinations).size;
    if (destinations.length !== n || distinct !== n || seen.accepted() !== n)
      throw new Error(`[sms ${kind} ${provider}] ${destinations.length} arrived (${distinct} distinct numbers, ${seen.accepted()} accepted), expected exactly ${n}`);
    const expected = new Set(ids.map((_, i) => phoneOf(i)));
    if (destinations.some((d) => !expected.has(d))) throw new Error(`[sms ${kind} ${provider}] a message went to a number no contact has`);
    const records = await store.db.selectFrom('messages').select(['status', 'segments']).where('workspace_id', '=', ws).execute();
    const notSent = records.filter((r) => r.status !== 'sent').length;
    if (records.length !== n || notSent > 0) throw new Error(`[sms ${kind} ${provider}] ${records.length} message records, ${notSent} not sent; expected ${n} sent`);
    if (records.some((r) => Number(r.segments) !== 1)) throw new Error(`[sms ${kind} ${provider}] the bench SMS must be one segment`);

    const rate = n / ((finished - started) / 1000);
    const base =
      provider === 'twilio'
        ? await twilioBaseline(
            twilio,
            twilio.received.map((r) => new URLSearchParams(r.params).toString()),
          )
        : await smppBaseline(
            smsc,
            smsc.submits.map((s) => ({ source: s.sourceAddr, sourceTon: s.sourceTon, sourceNpi: s.sourceNpi, destination: s.destinationAddr, text: s.text })),
          );
    ctx.emit(figure({ bench: 'sms', backend: kind, figure: name('baseline_sms_per_s'), value: base.rate, unit: 'sms/s' }));
    ctx.emit(figure({ bench: 'sms', backend: kind, figure: name('sms_per_s'), value: rate, unit: 'sms/s', baseline: base.rate }));
    ctx.emit(figure({ bench: 'sms', backend: kind, figure: name('sms_per_worker_cpu_s'), value: n / cpuS, unit: 'sms/cpu-s', baseline: base.perCpuS }));
  } finally {
    for (const c of channels.values()) await (c as { close?: () => Promise<void> }).close?.();
    await database.drop();
  }
}

export const run: Bench = async (ctx) => {
  const n = Number(process.env.QATRA_BENCH_SMS_MESSAGES ?? (ctx.size === 'large' ? 20_000 : 5_000));
  const onlyBackends = process.env.QATRA_BENCH_SMS_BACKENDS?.split(',');
  const onlyProviders = process.env.QATRA_BENCH_SMS_PROVIDERS?.split(',');
  const kinds = benchBackends().filter((k) => !onlyBackends || onlyBackends.includes(k));
  const providers = (['twilio', 'smpp'] as const).filter((p) => !onlyProviders || onlyProviders.includes(p));
  const twilio = await startTwilioServer();
  const smsc = await startTestSmsc();
  try {
    for (const kind of kinds) for (const provider of providers) await benchProvider(kind, provider, ctx, twilio, smsc, n);
  } finally {
    await smsc.close();
    await twilio.close();
  }
};
