/**
 * @module Insights benchmark for the correlation finder and the prediction models (issue 22; the
 * series and anomaly figures are bench/insights.ts). Generates N contacts and 10·N events in SQL
 * with a deterministic pattern (small N = 20,000 on both backends; `--size large` N = 1,000,000 on
 * PostgreSQL only, SQLite stays small): `tier` gold (30 %) orders twice as often, `shoe` does
 * nothing; events are orders, human email opens and page views over a year. Then times
 *   - correlations_ms: GET /api/insights/correlations?goal=purchase's work (findCorrelations);
 *   - train_ms: trainWorkspace (features at three cuts, two fits, evaluation, every score stored);
 *   - peak_rss_mb: the largest resident set, sampled every 50 ms during both;
 * and reports the held-out AUC of the conversion model on this data (auc_conversion).
 * QATRA_BENCH_INSIGHTS_N overrides N (e.g. 200,000).
 */
import { sql } from 'kysely';
import { ManualClock } from '../src/core/clock.js';
import type { DialectName, Store } from '../src/store/store.js';
import { createWorkspace } from '../src/workspaces/workspaces.js';
import { defaultSignals } from '../src/server/signal-sinks.js';
import { findCorrelations } from '../src/insights/correlations.js';
import { trainWorkspace } from '../src/insights/predict.js';
import { benchBackends, figure, type Bench, type BenchContext } from './run.js';
import { freshDatabase } from '../test/backends.js';

const SIZES = { small: 20_000, large: 1_000_000 } as const;
const DAY = sql.lit(86_400_000);
const NOW = sql.lit(Date.UTC(2026, 0, 5, 12));
const NOW_MS = Date.UTC(2026, 0, 5, 12);
const MB = 1024 * 1024;

async function generate(store: Store, ws: string, n: number): Promise<void> {
  const pgsql = store.dialect === 'postgres';
  const series = (count: number) => (pgsql ? sql`generate_series(CAST(1 AS bigint), ${sql.lit(count)}) AS s(g)` : sql`s`);
  const withSeries = (count: number) => (pgsql ? sql`` : sql`WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ${sql.lit(count)})`);
  const obj = pgsql ? sql.raw('jsonb_build_object') : sql.raw('json_object');
  await sql`INSERT INTO contacts (id, workspace_id, user_id, email, attributes, created_at, updated_at)
    ${withSeries(n)} SELECT 'ct_' || g, ${ws}, 'u' || g, 'u' || g || '@example.com',
      ${obj}('tier', CASE WHEN g % 10 < 3 THEN 'gold' ELSE 'silver' END, 'shoe', CASE WHEN (g * 7) % 11 < 5 THEN 'left' ELSE 'right' END, 'age', 18 + (g * 13) % 60),
      ${sql.lit(NOW_MS - 400 * 86_400_000)}, ${NOW}
    FROM ${series(n)}`.execute(store.db);
  // Contact of event g: c = (g * 7919) mod n + 1; kind k = (g div n + g) mod 20: an order when k < 1,
  // or k < 2 for gold contacts (c mod 10 < 3); opens when k < 8; else page views. Up to a year back.
  const m = n * 10;
  const c = sql`(((g * 7919) % ${sql.lit(n)}) + 1)`;
  const k = sql`(((g / ${sql.lit(n)}) + g) % 20)`;
  await sql`INSERT INTO events (workspace_id, contact_id, type, name, properties, message_id, timestamp, received_at)
    ${withSeries(m)} SELECT ${ws}, 'ct_' || ${c}, 'track',
      CASE WHEN ${k} < 1 OR (${k} < 2 AND ${c} % 10 < 3) THEN 'Order Completed' WHEN ${k} < 8 THEN 'email.opened' ELSE 'Page Viewed' END,
      CASE WHEN ${k} < 2 THEN ${obj}('revenue', (g * 31) % 120) ELSE ${obj}('path', '/') END,
      'e' || g, ${NOW} - ((g * 104729) % 365) * ${DAY} - (g % 86400) * 1000, ${NOW}
    FROM ${series(m)} ORDER BY 7`.execute(store.db);
  await sql`ANALYZE`.execute(store.db);
}

/** Runs fn, sampling the resident set every 50 ms; returns [ms, peak RSS bytes, result]. */
async function measured<T>(fn: () => Promise<T>): Promise<[number, number, T]> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  try {
    const r = await fn();
    return [performance.now() - t0, Math.max(peak, process.memoryUsage().rss), r];
  } finally {
    clearInterval(sampler);
  }
}

async function runBackend(kind: DialectName, ctx: BenchContext): Promise<void> {
  const size = kind === 'sqlite' ? 'small' : ctx.size;
  const n = Number(process.env.QATRA_BENCH_INSIGHTS_N) || SIZES[size];
  const db = await freshDatabase(kind, { baseUrl: process.env.QATRA_BENCH_DATABASE_URL, pgPoolMax: 4 });
  const clock = new ManualClock(NOW_MS);
  const deps = { store: db.store, signals: defaultSignals(db.store), clock };
  const emit = (fig: string, value: number, unit: string) => ctx.emit(figure({ bench: 'insights-model', backend: kind, figure: fig, value, unit }));
  try {
    const ws = (await createWorkspace(deps, { name: 'bench' })).id;
    const [genMs] = await measured(() => generate(db.store, ws, n));
    emit('generate_s', genMs / 1000, `s for ${n} contacts, ${n * 10} events`);
    const [corrMs, corrPeak, report] = await measured(() => findCorrelations(deps, ws, { goal: 'purchase', windowDays: 30, lookbackDays: 90, minSupport: 30, alpha: 0.05 }));
    const gold = report.rows.find((r) => r.label === 'tier = gold');
    emit('correlations_ms', corrMs, `ms (${report.tested} candidates; tier = gold lift ${gold?.lift?.toFixed(2)}, q ${gold?.qValue.toExponential(1)})`);
    const [trainMs, trainPeak, models] = await measured(() => trainWorkspace(deps, ws));
    const conv = models.find((m) => m.kind === 'conversion_30d')!;
    emit('train_ms', trainMs, `ms (${conv.trainSize} training rows, ${n} contacts scored)`);
    emit('auc_conversion', conv.auc ?? 0, 'held-out AUC');
    emit('peak_rss_mb', Math.max(corrPeak, trainPeak) / MB, 'MB');
  } finally {
    await db.drop();
  }
}

export const run: Bench = async (ctx) => {
  for (const kind of benchBackends()) await runBackend(kind, ctx);
};
