/**
 * @module Social benchmark (issue 18): a live journey (manual trigger → Telegram message → exit)
 * sends one personalised Persian marketing message (`parse_mode` HTML, the contact's first name in
 * bold) to N contacts who linked their chat (2,000; --size large: 20,000, the figure),
 * driven by the real worker task through the workspace's `telegram_bot` provider (grammY) to the
 * local Bot API server (src/channels/telegram/bot-api.testkit.ts), which ENFORCES Telegram's limits
 * (429 with retry_after over the overall or per-chat limit).
 *
 * The limits are Telegram's own for a broadcast: the bot is set to `paidBroadcast` (every message
 * carries `allow_paid_broadcast`, Telegram's paid broadcasts: up to 1000 messages/s, 0.1 Stars each),
 * and the server holds such messages to 1000/s (free ones to 30/s: at that rate 20,000 messages
 * take 11 minutes whatever Qatra does). The per-chat limit stays 1/s; each contact has its own chat.
 * `--global-per-s N` scales the paid limit beyond Telegram's (a stress figure: the provider's
 * `messagesPerSecond` and the server's limit are both set to N; session 9 measured at 3,000).
 * Both sides keep to the same budget: the channel uses 90 % of the limit (src/channels/telegram/
 * rate.ts HEADROOM, for requests in flight across a second's end), and the raw side paces itself to
 * the same 90 % per calendar second.
 *
 * Baseline in the same run: raw keep-alive HTTP POSTs (node:http, 64 sockets, 100 in flight like
 * the worker's batch) of the very JSON bodies the server received from the journey, best of 3
 * rounds (a second apart, so no chat gets two in one second).
 *
 * Figures per backend: `telegram_baseline_msgs_per_s`, `telegram_msgs_per_s` (baseline, ratio),
 * `telegram_msgs_per_worker_cpu_s`, and `telegram_429` (429 answers the server gave the journey;
 * must be 0, the bench fails otherwise) and `raw_429`. Checked: exactly N arrived, one per chat;
 * all N records `sent`. Workers: 1 on SQLite, 4 on PostgreSQL, as the SMS bench.
 * `QATRA_BENCH_SOCIAL_MESSAGES` overrides N.
 */
import http from 'node:http';
import pino from 'pino';
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
import { createProvider } from '../src/channels/providers/providers.js';
import { providerKinds } from '../src/channels/providers/kinds.js';
import { startBotApiServer, type BotApiTestServer } from '../src/channels/telegram/bot-api.testkit.js';
import { budgetOf } from '../src/channels/telegram/rate.js';
import { TELEGRAM_PAID_BROADCAST_PER_SECOND } from '../src/channels/telegram/provider-kinds.js';
import { freshDatabase } from '../test/backends.js';
import { benchBackends, figure, type Bench, type BenchContext } from './run.js';
import { defaultSignals } from '../src/server/signal-sinks.js';
import { testSecretBox } from '../test/secret-key.js';

const CHUNK = 1000;
const IN_FLIGHT = 100;
const SOCKETS = 64;
const BASELINE_ROUNDS = 3;
const NAMES = ['سارا', 'محمد', 'فاطمه', 'علی', 'نرگس', 'رضا', 'مریم', 'امید'];
const chatOf = (i: number) => String(1_000_000_000 + i);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nextSecond = () => sleep(1000 - (Date.now() % 1000) + 5);

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

/** N contacts with a first name, `telegram` consent and a linked chat each (as /start would leave them). */
async function seedContacts(store: Store, ws: string, providerId: string, n: number): Promise<string[]> {
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
        phone: null,
        timezone: 'Asia/Tehran',
        locale: 'fa',
        attributes: toJson({ first_name: NAMES[i % NAMES.length] }),
        created_at: now,
        updated_at: now,
        i,
      };
    });
    await store.transaction(async (trx) => {
      for (let p = 0; p < rows.length; p += 250) {
        const part = rows.slice(p, p + 250);
        await trx
          .insertInto('contacts')
          .values(part.map(({ i: _i, ...r }) => r))
          .execute();
        await trx
          .insertInto('consents')
          .values(part.map((r) => ({ workspace_id: ws, contact_id: r.id, channel: 'telegram', topic: '', status: 'subscribed' as const, source: 'bench', updated_at: now })))
          .execute();
        await trx
          .insertInto('channel_handles')
          .values(part.map((r) => ({ workspace_id: ws, channel: 'telegram', contact_id: r.id, handle: chatOf(r.i), provider_id: providerId, created_at: now, updated_at: now })))
          .execute();
      }
    });
  }
  return ids;
}

/**
 * Raw keep-alive POSTs of `bodies` to sendMessage, `IN_FLIGHT` at a time, at most `perSecond` per
 * calendar second (the channel's own budget). Answers msg/s, msg/CPU-s and the 429s it got.
 */
async function rawRound(server: BotApiTestServer, agent: http.Agent, bodies: string[], perSecond: number): Promise<{ rate: number; perCpuS: number; tooMany: number }> {
  const url = new URL(`${server.apiRoot}/bot${server.token}/sendMessage`);
  let tooMany = 0;
  let second = -1;
  let used = 0;
  const post = (body: string) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } });
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { ok: boolean; error_code?: number };
          if (res.statusCode === 429) tooMany++;
          else if (!answer.ok) return reject(new Error(`raw POST: HTTP ${res.statusCode}`));
          resolve();
        });
      });
      req.end(body);
    });
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(IN_FLIGHT, bodies.length) }, async () => {
      while (next < bodies.length) {
        const s = Math.floor(Date.now() / 1000);
        if (s !== second) {
          second = s;
          used = 0;
        }
        if (used >= perSecond) {
          await nextSecond();
          continue;
        }
        used++;
        await post(bodies[next++]!);
      }
    }),
  );
  const elapsed = performance.now() - started;
  return { rate: bodies.length / (elapsed / 1000), perCpuS: bodies.length / cpuSeconds(cpu0), tooMany };
}

async function baseline(server: BotApiTestServer, bodies: string[], perSecond: number): Promise<{ rate: number; perCpuS: number; tooMany: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: SOCKETS });
  try {
    await nextSecond();
    await rawRound(server, agent, bodies.slice(0, 500), perSecond); // warm-up
    let best = { rate: 0, perCpuS: 0, tooMany: 0 };
    let tooMany = 0;
    for (let r = 0; r < BASELINE_ROUNDS; r++) {
      // A second apart: no chat gets two messages in one second.
      await sleep(1000);
      await nextSecond();
      server.sent.length = 0;
      const round = await rawRound(server, agent, bodies, perSecond);
      tooMany += round.tooMany;
      if (server.sent.length !== bodies.length - round.tooMany) throw new Error(`raw POSTs: the server accepted ${server.sent.length} of ${bodies.length}`);
      if (round.rate > best.rate) best = round;
    }
    return { ...best, tooMany };
  } finally {
    agent.destroy();
  }
}

async function benchBackend(kind: DialectName, ctx: BenchContext, server: BotApiTestServer, n: number, globalPerSecond: number): Promise<void> {
  const database = await freshDatabase(kind);
  const store = database.store;
  const deps = {
    store,
    signals: defaultSignals(store),
    secretBox: testSecretBox(),
    clock: systemClock,
    log: pino({ level: 'silent' }),
    config: parseConfig({ QATRA_WORKER_BATCH: process.env.QATRA_WORKER_BATCH }, { publicUrl: 'https://q.example.com', allowPrivateOutbound: true }),
    metrics: createMetrics(),
  };
  const channels = createChannelRegistry(deps);
  const tag = `[social ${kind}]`;
  try {
    const ws = (await createWorkspace(deps, { name: 'Bench' })).id;
    const provider = await createProvider({ ...deps, providerKinds }, ws, 'telegram', {
      kind: 'telegram_bot',
      name: 'bot',
      settings: {
        botUsername: server.username,
        apiRoot: server.apiRoot,
        paidBroadcast: true,
        ...(globalPerSecond === TELEGRAM_PAID_BROADCAST_PER_SECOND ? {} : { messagesPerSecond: globalPerSecond }),
      },
      secrets: { token: server.token },
    });
    await saveTemplates(
      deps,
      ws,
      [{ id: 'promo', name: 'Promo', channel: 'telegram', kind: 'marketing', content: { body: 'سلام <b>{{ contact.first_name }}</b>، ۲۰٪ تخفیف برای سفارش امروز شما' } }],
      'upsert',
    );
    await applyJourney(deps, ws, {
      id: 'promo',
      name: 'Promo',
      status: 'live',
      trigger: { type: 'manual' },
      start: 'm1',
      nodes: [
        { id: 'm1', type: 'message', channel: 'telegram', template: 'promo' },
        { id: 'done', type: 'exit' },
      ],
      edges: [{ from: 'm1', to: 'done' }],
    });
    const ids = await seedContacts(store, ws, provider.id, n);
    const catalog = new JourneyCatalog();
    for (let i = 0; i < ids.length; i += CHUNK) await enrollContacts(deps, catalog, ws, 'promo', { contactIds: ids.slice(i, i + CHUNK) });
    console.error(`${tag} seeded, linked and enrolled ${n} contacts`);

    server.sent.length = 0;
    server.bodies.length = 0;
    const tooMany0 = server.tooMany;
    const workers = kind === 'postgres' ? 4 : 1;
    let done = false;
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    const loops = Array.from({ length: workers }, async (_, w) => {
      const task = journeyTask(createRuntime(deps, { channels, workerId: `bench${w}` }));
      while (!done) if ((await task.tick()) === 0) await sleep(20);
    });
    let finished = started;
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
        while (server.sent.length < n) {
          if (Date.now() > deadline) throw new Error(`${tag} only ${server.sent.length} of ${n} arrived in 30 min`);
          await sleep(10);
        }
        while ((await sentCount()) < n) {
          if (Date.now() > deadline) throw new Error(`${tag} records not all sent in 30 min`);
          await sleep(10);
        }
        finished = performance.now();
      } finally {
        done = true;
      }
    })();
    await Promise.all([watcher, ...loops]);
    const cpuS = cpuSeconds(cpu0);
    const journey429 = server.tooMany - tooMany0;
    console.error(`${tag} journey sent ${n} in ${Math.round(finished - started)} ms, ${journey429} answered 429`);
    await sleep(200);

    const chats = new Set(server.sent.map((s) => s.chatId));
    if (server.sent.length !== n || chats.size !== n) throw new Error(`${tag} ${server.sent.length} arrived (${chats.size} distinct chats), expected exactly ${n}`);
    if (server.sent.some((m) => !m.paid)) throw new Error(`${tag} a message arrived without allow_paid_broadcast`);
    const records = await store.db.selectFrom('messages').select('status').where('workspace_id', '=', ws).execute();
    const notSent = records.filter((r) => r.status !== 'sent').length;
    if (records.length !== n || notSent > 0) throw new Error(`${tag} ${records.length} message records, ${notSent} not sent; expected ${n} sent`);

    const rate = n / ((finished - started) / 1000);
    // The bodies that were accepted (a 429'd body was sent again and accepted later).
    const bodies = server.bodies.filter((b, i, all) => all.indexOf(b) === i);
    const base = await baseline(server, bodies, budgetOf(globalPerSecond));
    const limit = globalPerSecond === TELEGRAM_PAID_BROADCAST_PER_SECOND ? `Telegram's paid broadcast limit, ${globalPerSecond}/s` : `paid limit scaled to ${globalPerSecond}/s (Telegram: 1000)`;
    const note = `${limit} overall, 1/s per chat; both sides at ${budgetOf(globalPerSecond)}/s`;
    ctx.emit(figure({ bench: 'social', backend: kind, figure: 'telegram_baseline_msgs_per_s', value: base.rate, unit: 'msgs/s' }));
    ctx.emit(figure({ bench: 'social', backend: kind, figure: 'telegram_msgs_per_s', value: rate, unit: 'msgs/s', baseline: base.rate }));
    ctx.emit(figure({ bench: 'social', backend: kind, figure: 'telegram_msgs_per_worker_cpu_s', value: n / cpuS, unit: 'msgs/cpu-s', baseline: base.perCpuS }));
    ctx.emit(figure({ bench: 'social', backend: kind, figure: 'telegram_429', value: journey429, unit: `429 answers (${note})` }));
    ctx.emit(figure({ bench: 'social', backend: kind, figure: 'raw_429', value: base.tooMany, unit: '429 answers' }));
    if (journey429 > 0) throw new Error(`${tag} the Bot API server answered ${journey429} sends with 429: the limits were not honoured`);
  } finally {
    for (const c of channels.values()) await (c as { close?: () => Promise<void> }).close?.();
    await database.drop();
  }
}

export const run: Bench = async (ctx) => {
  const n = Number(process.env.QATRA_BENCH_SOCIAL_MESSAGES ?? ctx.options.messages ?? (ctx.size === 'large' ? 20_000 : 2_000));
  const globalPerSecond = Number(ctx.options['global-per-s'] ?? TELEGRAM_PAID_BROADCAST_PER_SECOND);
  if (!Number.isInteger(globalPerSecond) || globalPerSecond < 1) throw new Error('--global-per-s must be a positive integer');
  console.error(`[social] ${n} messages; paid broadcasts at ${globalPerSecond}/s overall (Telegram's: 1000/s, free 30/s), 1/s per chat, enforced by the server`);
  const server = await startBotApiServer({ paidPerSecond: globalPerSecond, perChatPerSecond: 1 });
  server.anyChat = true;
  try {
    for (const kind of benchBackends()) await benchBackend(kind, ctx, server, n, globalPerSecond);
  } finally {
    await server.close();
  }
};
