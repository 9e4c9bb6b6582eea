/**
 * @module Lead-scoring benchmark. Two figures, each against a baseline measured in the same run:
 *  - `ingest_ms_per_event`: 2,000 single-call ingests (each its own transaction, like /v1/track) of
 *    track calls in a workspace with three scoring rules (two match every other event, one capped),
 *    so the sink's activity update, cap count, history, score, mirror and `lead_score.changed` event
 *    are included; `baseline` = the same ingests in a workspace without rules;
 *  - `decay_rows_per_s`: N scores (small 20,000, large 200,000) all one period due, drained by the
 *    decay task (claim, history, score, mirror, event and signals per row); `baseline` = one plain
 *    `UPDATE lead_scores SET score = score * 9 / 10` over the same rows (no history, no events).
 *
 * PostgreSQL runs when QATRA_BENCH_DATABASE_URL or QATRA_TEST_DATABASE_URL is set.
 */
import { sql } from 'kysely';
import { ManualClock } from '../src/core/clock.js';
import { toCall } from '../src/events/call.js';
import type { SegmentCall } from '../src/events/segment.js';
import { ingest } from '../src/events/ingest.js';
import type { DialectName, Store } from '../src/store/store.js';
import { createWorkspace } from '../src/workspaces/workspaces.js';
import { createRule } from '../src/scoring/rules.js';
import { putSettings } from '../src/scoring/scores.js';
import { decayScores } from '../src/scoring/decay.js';
import { benchBackends, figure, type Bench, type BenchContext } from './run.js';
import { freshDatabase } from '../test/backends.js';
import { defaultSignals } from '../src/server/signal-sinks.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 5, 12);
const INGESTS = 2000;
const SIZES = { small: 20_000, large: 200_000 } as const;

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await fn();
  return [performance.now() - t0, r];
}

async function seedScores(store: Store, ws: string, n: number): Promise<void> {
  const pgsql = store.dialect === 'postgres';
  const series = pgsql ? sql`generate_series(CAST(1 AS bigint), ${sql.lit(n)}) AS s(g)` : sql`s`;
  const withSeries = pgsql ? sql`` : sql`WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ${sql.lit(n)})`;
  const obj = pgsql ? sql.raw('jsonb_build_object') : sql.raw('json_object');
  await sql`INSERT INTO contacts (id, workspace_id, user_id, attributes, created_at, updated_at)
    ${withSeries} SELECT 'dc_' || g, ${ws}, 'd' || g, ${obj}('lead_score', (g % 100) + 1), ${NOW}, ${NOW} FROM ${series}`.execute(store.db);
  // One full period (30 days) without activity: every row is due once.
  await sql`INSERT INTO lead_scores (contact_id, workspace_id, score, last_activity_at, decay_periods, next_decay_at, updated_at)
    SELECT id, workspace_id, ${pgsql ? sql`(attributes->>'lead_score')::integer` : sql`attributes->>'lead_score'`}, ${NOW - 31 * DAY}, 0, ${NOW - DAY}, ${NOW}
    FROM contacts WHERE workspace_id = ${ws}`.execute(store.db);
  await sql`ANALYZE`.execute(store.db);
}

async function runBackend(kind: DialectName, ctx: BenchContext): Promise<void> {
  const db = await freshDatabase(kind, { baseUrl: process.env.QATRA_BENCH_DATABASE_URL, pgPoolMax: 4 });
  const clock = new ManualClock(NOW);
  const deps = { store: db.store, signals: defaultSignals(db.store), clock };
  const emit = (fig: string, value: number, unit: string, baseline?: number) =>
    ctx.emit(figure({ bench: 'scoring', backend: kind, figure: fig, value, unit, ...(baseline === undefined ? {} : { baseline }) }));
  try {
    const plain = (await createWorkspace(deps, { name: 'plain' })).id;
    const scored = (await createWorkspace(deps, { name: 'scored' })).id;
    await createRule(deps, scored, { name: 'Webinar', kind: 'event', event: 'webinar_registered', points: 10 });
    await createRule(deps, scored, { name: 'Pricing', kind: 'event', event: 'page_viewed', where: [{ property: 'path', op: 'starts_with', value: '/pricing' }], points: 2 });
    await createRule(deps, scored, { name: 'Click', kind: 'event', event: 'webinar_registered', points: 1, maxPerPeriod: { times: 3, period: '1d' } });
    const calls = (tag: string) =>
      Array.from({ length: INGESTS }, (_, i) => {
        const event = i % 2 ? 'page_viewed' : 'webinar_registered';
        const raw = { type: 'track', userId: `u${i % 200}`, anonymousId: null, event, properties: { path: i % 4 === 1 ? '/pricing' : '/blog' }, messageId: `${tag}-${i}` };
        return toCall(raw as unknown as SegmentCall, { receivedAt: NOW });
      });
    const ingestAll = async (ws: string, tag: string) => {
      for (const c of calls(tag)) await ingest(deps, ws, [c]);
    };
    // Warm up both paths (statement caches, contact creation) before timing.
    await ingestAll(plain, 'warm');
    await ingestAll(scored, 'warm');
    const [baseMs] = await time(() => ingestAll(plain, 'base'));
    const [withMs] = await time(() => ingestAll(scored, 'scored'));
    emit('ingest_ms_per_event', withMs / INGESTS, 'ms (3 rules, half the events score)', baseMs / INGESTS);

    const n = SIZES[ctx.size];
    const decayWs = (await createWorkspace(deps, { name: 'decay' })).id;
    await putSettings(deps, decayWs, { decayPercent: 10, decayPeriod: '30d' });
    await seedScores(db.store, decayWs, n);
    const [decayMs, rows] = await time(async () => {
      let total = 0;
      for (let k = await decayScores(deps); k > 0; k = await decayScores(deps)) total += k;
      return total;
    });
    const [plainMs] = await time(() => sql`UPDATE lead_scores SET score = score * 9 / 10 WHERE workspace_id = ${decayWs}`.execute(db.store.db));
    emit('decay_rows_per_s', rows / (decayMs / 1000), `rows/s (${rows} rows, batches of 500)`, n / (plainMs / 1000));
  } finally {
    await db.drop();
  }
}

export const run: Bench = async (ctx) => {
  for (const kind of benchBackends()) await runBackend(kind, ctx);
};
