/**
 * @module Stats benchmark: one journey with N messages (100,000; --size large: 1,000,000) and 3N
 * engagement events (per message: delivered + two opens, or delivered + open + click), N/4 runs
 * (4 messages each, a 50/50 split, 10 % converted with a value) and their split and message steps,
 * seeded with one INSERT … SELECT per table. Then, through the real app (Fastify inject, admin key):
 * `GET /api/journeys/:id/stats` answered from its snapshot (src/stats/snapshots.ts), median of 5,
 * against the baseline measured in the same run: the same request with `?fresh=true`, a full
 * recomputation from the rows (median of 3; also `stats_live_ms`). Also `/funnel` (always live).
 * Then the send-time optimisation simulation (./stats-sendtime.ts), which needs no database.
 * The seeded figures are checked before timing. Both backends ANALYZE after seeding.
 * `QATRA_BENCH_STATS_BACKENDS=postgres` runs one backend only.
 */
import { sql } from 'kysely';
import { createHarness } from '../test/harness.js';
import { applyJourney } from '../src/journeys/journeys.js';
import type { DialectName } from '../src/store/store.js';
import { figure, type Bench, type BenchContext } from './run.js';
import { simulateSendTime } from './stats-sendtime.js';

const HOUR = 3_600_000;

export function journey() {
  const nodes: Record<string, unknown>[] = [
    {
      id: 'ab',
      type: 'split',
      variants: [
        { output: 'a', weight: 1 },
        { output: 'b', weight: 1 },
      ],
    },
  ];
  const edges: Record<string, unknown>[] = [
    { from: 'ab', output: 'a', to: 'm1' },
    { from: 'ab', output: 'b', to: 'm1' },
  ];
  for (let k = 1; k <= 4; k++) {
    nodes.push({ id: `m${k}`, type: 'message', channel: 'counting' });
    edges.push({ from: `m${k}`, to: k < 4 ? `m${k + 1}` : 'done' });
  }
  nodes.push({ id: 'done', type: 'exit' });
  return { id: 'bench', name: 'bench', status: 'live', trigger: { type: 'manual' }, start: 'ab', nodes, edges, goal: { event: 'purchase', valueProperty: 'amount' } };
}

/** `FROM <series of i in [0, n)>`: generate_series on PostgreSQL, a recursive CTE on SQLite. */
const series = (kind: DialectName, n: number) =>
  kind === 'postgres' ? sql`generate_series(0, ${sql.lit(n - 1)}) AS g(i)` : sql`(WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ${sql.lit(n - 1)}) SELECT i FROM s) AS g`;

export async function seed(kind: DialectName, db: import('../src/store/store.js').Db, ws: string, messages: number, t0: number): Promise<void> {
  const runs = messages / 4;
  const json = (e: ReturnType<typeof sql>) => (kind === 'postgres' ? sql`(${e})::jsonb` : e);
  const w = sql.lit(ws);
  await sql`INSERT INTO contacts (id, workspace_id, user_id, email, phone, timezone, locale, attributes, created_at, updated_at)
    SELECT 'ct_' || i, ${w}, 'u' || i, 'u' || i || '@example.com', NULL, NULL, NULL, ${json(sql`'{}'`)}, ${sql.lit(t0)}, ${sql.lit(t0)} FROM ${series(kind, runs)}`.execute(db);
  await sql`INSERT INTO journey_runs (id, workspace_id, journey_id, version, contact_id, status, current_node, visit, due_at, wait_event, wait_filters, wait_started_at,
      claimed_by, lease_until, attempts, last_error, trigger_props, event_props, data, entered_at, updated_at, ended_at, exit_reason, goal_value)
    SELECT 'run_' || i, ${w}, 'bench', 1, 'ct_' || i, CASE WHEN i % 10 = 0 THEN 'converted' ELSE 'completed' END, NULL, 6, NULL, NULL, NULL, NULL,
      NULL, NULL, 0, NULL, ${json(sql`'{}'`)}, ${json(sql`'{}'`)}, ${json(sql`'{}'`)}, ${sql.lit(t0)} + i * 1000, ${sql.lit(t0)}, ${sql.lit(t0)} + i * 1000 + ${sql.lit(10 * HOUR)},
      CASE WHEN i % 10 = 0 THEN 'goal' ELSE 'end_of_journey' END, CASE WHEN i % 10 = 0 THEN 25 END
    FROM ${series(kind, runs)}`.execute(db);
  await sql`INSERT INTO journey_steps (run_id, workspace_id, node_id, visit, outcome, due_at, executed_at, detail)
    SELECT 'run_' || i, ${w}, 'ab', 1, CASE WHEN i % 2 = 0 THEN 'a' ELSE 'b' END, NULL, ${sql.lit(t0)} + i * 1000, NULL FROM ${series(kind, runs)}`.execute(db);
  await sql`INSERT INTO journey_steps (run_id, workspace_id, node_id, visit, outcome, due_at, executed_at, detail)
    SELECT 'run_' || (i / 4), ${w}, 'm' || (i % 4 + 1), i % 4 + 2, 'sent', NULL, ${sql.lit(t0)} + (i / 4) * 1000 + (i % 4) * ${sql.lit(HOUR)}, NULL FROM ${series(kind, messages)}`.execute(db);
  // Message i: run i/4, node m(i%4+1). Engagement by i % 3: 0 human open + click, 1 two machine
  // opens, 2 two human opens (first at +1 h); every 50th bounced, every 97th failed.
  const sent = sql`${sql.lit(t0)} + (i / 4) * 1000 + (i % 4) * ${sql.lit(HOUR)}`;
  await sql`INSERT INTO messages (id, workspace_id, contact_id, channel, kind, idempotency_key, journey_id, journey_version, run_id, node_id, template_id, template_version,
      topic, provider, status, reason, provider_message_id, header_message_id, to_address, subject, links, attempts, lease_until, open_count, click_count,
      first_opened_at, first_clicked_at, created_at, sent_at, updated_at)
    SELECT 'msg_' || i, ${w}, 'ct_' || (i / 4), 'email', 'marketing', 'journey:bench:' || i, 'bench', 1, 'run_' || (i / 4), 'm' || (i % 4 + 1), 't' || (i % 4 + 1), 1,
      NULL, 'smtp', CASE WHEN i % 97 = 0 THEN 'failed' WHEN i % 50 = 0 THEN 'bounced' ELSE 'sent' END, NULL, NULL, '<' || i || '@q.example.com>', 'u' || (i / 4) || '@example.com',
      'Your weekly digest from the bench journey', ${json(sql`'["https://shop.example.com/a","https://shop.example.com/b"]'`)}, 1, NULL,
      CASE WHEN i % 3 = 0 THEN 1 ELSE 2 END, CASE WHEN i % 3 = 0 THEN 1 ELSE 0 END,
      CASE WHEN i % 3 <> 1 THEN ${sent} + ${sql.lit(HOUR)} END, CASE WHEN i % 3 = 0 THEN ${sent} + ${sql.lit(2 * HOUR)} END, ${sent}, ${sent}, ${sent}
    FROM ${series(kind, messages)}`.execute(db);
  for (const [k, name, extra] of [
    [0, 'email.delivered', ''],
    [1, 'email.opened', ''],
    [2, 'email.opened', '2'],
  ] as const) {
    const ev = k === 2 ? sql`CASE WHEN i % 3 = 0 THEN 'email.clicked' ELSE 'email.opened' END` : sql.lit(name);
    await sql`INSERT INTO events (workspace_id, contact_id, type, name, properties, context, message_id, timestamp, received_at)
      SELECT ${w}, 'ct_' || (i / 4), 'track', ${ev}, ${json(sql`'{"messageId":"msg_' || i || '","journeyId":"bench","machine":' || CASE WHEN i % 3 = 1 THEN 'true' ELSE 'false' END || '}'`)}, ${json(sql`'{}'`)},
        'bench:' || i || ':' || ${sql.lit(k)} || ${sql.lit(extra)}, ${sent} + ${sql.lit(k * HOUR)}, ${sent} + ${sql.lit(k * HOUR)}
      FROM ${series(kind, messages)}`.execute(db);
  }
}

async function median(n: number, fn: () => Promise<void>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)]!;
}

async function benchBackend(kind: DialectName, ctx: BenchContext): Promise<void> {
  const messages = ctx.size === 'large' ? 1_000_000 : 100_000;
  const h = await createHarness(kind);
  try {
    const t = await h.tenant();
    await applyJourney(h.deps, t.workspaceId, journey());
    const db = h.deps.store.db;
    const t0 = performance.now();
    await seed(kind, db, t.workspaceId, messages, Date.UTC(2026, 0, 5));
    if (kind === 'postgres') await sql`VACUUM ANALYZE`.execute(db);
    else await sql`ANALYZE`.execute(db);
    const seedS = (performance.now() - t0) / 1000;
    const get = (url: string) => async () => {
      const res = await h.app.inject({ method: 'GET', url, headers: t.admin });
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    };
    const stats = get('/api/journeys/bench/stats');
    const live = get('/api/journeys/bench/stats?fresh=true');
    const check = (await h.app.inject({ method: 'GET', url: '/api/journeys/bench/stats?fresh=true', headers: t.admin })).json();
    if (check.total.messages.recorded !== messages || check.runs.converted !== messages / 40 || check.total.messages.uniqueClicks !== Math.ceil(messages / 3)) {
      throw new Error(`wrong figures: ${JSON.stringify(check.total.messages)} ${JSON.stringify(check.runs)}`);
    }
    const liveMs = await median(3, live);
    const ms = await median(5, stats);
    const funnelMs = await median(3, get('/api/journeys/bench/funnel'));
    const label = `${messages / 1000}k_messages`;
    ctx.emit(figure({ bench: 'stats', backend: kind, figure: `seed_s_${label}`, value: seedS, unit: 's' }));
    ctx.emit(figure({ bench: 'stats', backend: kind, figure: `stats_ms_${label}`, value: ms, unit: 'ms', baseline: liveMs }));
    ctx.emit(figure({ bench: 'stats', backend: kind, figure: `stats_live_ms_${label}`, value: liveMs, unit: 'ms' }));
    ctx.emit(figure({ bench: 'stats', backend: kind, figure: `funnel_ms_${label}`, value: funnelMs, unit: 'ms' }));
  } finally {
    await h.close();
  }
}

export const run: Bench = async (ctx) => {
  const url = process.env.QATRA_BENCH_DATABASE_URL ?? process.env.QATRA_TEST_DATABASE_URL;
  if (url && !process.env.QATRA_TEST_DATABASE_URL) process.env.QATRA_TEST_DATABASE_URL = url;
  const kinds: DialectName[] = url ? ['sqlite', 'postgres'] : ['sqlite'];
  if (process.env.QATRA_BENCH_STATS_BACKENDS) kinds.splice(0, kinds.length, ...(process.env.QATRA_BENCH_STATS_BACKENDS.split(',') as DialectName[]));
  for (const kind of kinds) await benchBackend(kind, ctx);
  for (const f of simulateSendTime()) ctx.emit(f);
};
