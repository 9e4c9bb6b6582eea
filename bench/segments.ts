/**
 * @module Segments benchmark. Generates N contacts and 10·N events in SQL with a deterministic seed
 * (generate_series on PostgreSQL, a recursive CTE on SQLite), small N = 20,000, `--size large`
 * N = 1,000,000, then times three reference segments:
 *   - buyers: sum of Order Completed revenue over 90 days > 100;
 *   - dormant: not opened any email in 90 days;
 *   - pro_newsletter: plan = pro and subscribed to the newsletter list;
 * as `eval_ms` (count of the compiled query, with the settings of src/segments/evaluation.ts),
 * `materialise_ms` (create: members, entry events and signals written) and `recompute_ms` (a
 * scheduled full refresh that finds nothing changed). Then the incremental path: 1,000 single-call
 * ingests (track and identify) with the three segments live, `ingest_ms_per_event` (each its own
 * transaction, like /v1/track; the sink's dirty marking included) with `baseline` = the same ingests
 * with no segments, and `incremental_ms_per_event` = draining the dirty pairs those events left (the
 * worker's re-check, enter/exit, events, signals) per event.
 *
 * Events are stored in timestamp order, as ingestion stores them; QATRA_BENCH_SEGMENTS_LAYOUT=scattered
 * stores them in generation order instead, with pseudo-random timestamps (a backfill's worst case: a
 * 90-day window's rows lie on nearly every heap page).
 *
 * PostgreSQL runs when QATRA_BENCH_DATABASE_URL or QATRA_TEST_DATABASE_URL is set. Knobs for
 * investigations: QATRA_BENCH_SEGMENTS_N (contact count), QATRA_BENCH_SKIP_SQLITE=1,
 * QATRA_BENCH_KEEP=1 (keep the database and print its name, for EXPLAIN ANALYZE).
 */
import path from 'node:path';
import { sql } from 'kysely';
import { ManualClock } from '../src/core/clock.js';
import { toCall } from '../src/events/call.js';
import type { SegmentCall } from '../src/events/segment.js';
import { ingest } from '../src/events/ingest.js';
import type { DialectName, Store } from '../src/store/store.js';
import { createWorkspace } from '../src/workspaces/workspaces.js';
import { compileCondition } from '../src/segments/compile.js';
import { countMatching, readWithFullEvaluation } from '../src/segments/evaluation.js';
import { parseConditions } from '../src/segments/definition.js';
import { createSegment } from '../src/segments/segments.js';
import { processDirty, refreshDueSegment } from '../src/segments/task.js';
import { benchBackends, figure, type Bench, type BenchContext } from './run.js';
import { freshDatabase } from '../test/backends.js';
import { defaultSignals } from '../src/server/signal-sinks.js';

const SIZES = { small: 20_000, large: 1_000_000 } as const;
/** QATRA_BENCH_SEGMENTS_N overrides the contact count (e.g. a medium run of 200,000). */
const sizeOf = (size: keyof typeof SIZES) => Number(process.env.QATRA_BENCH_SEGMENTS_N) || SIZES[size];
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 0, 5, 12);
const INCREMENTAL_EVENTS = 1000;
/** `arrival` (default): events stored in timestamp order; `scattered`: in series order (see generate). */
const LAYOUT = process.env.QATRA_BENCH_SEGMENTS_LAYOUT === 'scattered' ? 'scattered' : 'arrival';

const REFERENCE = {
  buyers: { type: 'event_aggregate', event: 'Order Completed', withinDays: 90, fn: 'sum', property: 'revenue', op: 'gt', value: 100 },
  dormant: { type: 'message', action: 'opened', withinDays: 90, performed: false },
  pro_newsletter: {
    all: [
      { type: 'attribute', attribute: 'plan', op: 'equals', value: 'pro' },
      { type: 'list', list: 'newsletter' },
    ],
  },
} as const;

/** Bulk data in SQL, deterministic (no randomness: pseudo-random spreads by multiplying primes). */
async function generate(store: Store, ws: string, n: number): Promise<void> {
  const pgsql = store.dialect === 'postgres';
  const series = (count: number) => (pgsql ? sql`generate_series(CAST(1 AS bigint), ${sql.lit(count)}) AS s(g)` : sql`s`);
  const withSeries = (count: number) => (pgsql ? sql`` : sql`WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ${sql.lit(count)})`);
  const obj = pgsql ? sql.raw('jsonb_build_object') : sql.raw('json_object');
  await sql`INSERT INTO contacts (id, workspace_id, user_id, email, attributes, created_at, updated_at)
    ${withSeries(n)} SELECT 'ct_' || g, ${ws}, 'u' || g, 'u' || g || '@example.com',
      ${obj}('plan', CASE WHEN g % 5 = 0 THEN 'pro' ELSE 'free' END, 'lead_score', g % 100), ${NOW} - (g % 400) * ${DAY}, ${NOW}
    FROM ${series(n)}`.execute(store.db);
  const m = n * 10;
  // Bulk-load practice: build the events indexes once after the load instead of row by row (about
  // 5x faster on PostgreSQL at 200k events). Same definitions as migrations 000001 and 000006.
  const indexes = [
    sql`CREATE UNIQUE INDEX events_workspace_message_id ON events (workspace_id, message_id)`,
    sql`CREATE INDEX events_contact_name_time ON events (contact_id, name, timestamp)`,
    sql`CREATE INDEX events_workspace_name_time ON events (workspace_id, name, timestamp)`,
  ];
  for (const name of ['events_workspace_message_id', 'events_contact_name_time', 'events_workspace_name_time']) await sql`DROP INDEX ${sql.raw(name)}`.execute(store.db);
  // Contact of event g: (g * 7919) mod n. Kind k = (g div n + g) mod 10 (k < 2: order, < 5: open,
  // else page view): every contact gets all kinds (a kind from g mod 10 alone would give each contact
  // one kind only, since the contact is a function of g mod 10). Time: up to a year back.
  // Stored in timestamp order (column 7) unless the layout is `scattered` (module comment); +15% generate time.
  const order = LAYOUT === 'scattered' ? sql`` : sql`ORDER BY 7`;
  await sql`INSERT INTO events (workspace_id, contact_id, type, name, properties, message_id, timestamp, received_at)
    ${withSeries(m)} SELECT ${ws}, 'ct_' || (((g * 7919) % ${sql.lit(n)}) + 1), 'track',
      CASE WHEN ((g / ${sql.lit(n)}) + g) % 10 < 2 THEN 'Order Completed' WHEN ((g / ${sql.lit(n)}) + g) % 10 < 5 THEN 'email.opened' ELSE 'Page Viewed' END,
      CASE WHEN ((g / ${sql.lit(n)}) + g) % 10 < 2 THEN ${obj}('revenue', (g * 31) % 120) WHEN ((g / ${sql.lit(n)}) + g) % 10 < 5 THEN ${obj}('machine', ${pgsql ? sql`g % 7 = 0` : sql`json(CASE WHEN g % 7 = 0 THEN 'true' ELSE 'false' END)`}) ELSE ${obj}('path', '/p/' || (g % 50)) END,
      'e' || g, ${NOW} - ((g * 104729) % 365) * ${DAY} - (g % 86400) * 1000, ${NOW}
    FROM ${series(m)} ${order}`.execute(store.db);
  for (const create of indexes) await create.execute(store.db);
  await store.db.insertInto('lists').values({ id: 'lst_news', workspace_id: ws, name: 'newsletter', description: null, double_opt_in: 0, created_at: NOW, updated_at: NOW }).execute();
  await sql`INSERT INTO list_memberships (list_id, contact_id, workspace_id, status, source, created_at, updated_at)
    SELECT 'lst_news', id, workspace_id, 'subscribed', NULL, ${NOW}, ${NOW} FROM contacts WHERE workspace_id = ${ws} AND ${pgsql ? sql`right(id, 1)` : sql`substr(id, -1)`} IN ('0', '3', '6', '9')`.execute(
    store.db,
  );
  await sql`ANALYZE`.execute(store.db);
}

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await fn();
  return [performance.now() - t0, r];
}

async function runBackend(kind: DialectName, ctx: BenchContext): Promise<void> {
  const n = sizeOf(ctx.size);
  const db = await freshDatabase(kind, { baseUrl: process.env.QATRA_BENCH_DATABASE_URL, pgPoolMax: 4 });
  const clock = new ManualClock(NOW);
  const deps = { store: db.store, signals: defaultSignals(db.store), clock };
  const emit = (fig: string, value: number, unit: string, baseline?: number) =>
    ctx.emit(figure({ bench: 'segments', backend: kind, figure: fig, value, unit, ...(baseline === undefined ? {} : { baseline }) }));
  try {
    const ws = (await createWorkspace(deps, { name: 'bench' })).id;
    const [genMs] = await time(() => generate(db.store, ws, n));
    emit('generate_s', genMs / 1000, `s for ${n} contacts, ${n * 10} events (${LAYOUT} layout)`);

    // Baseline for the incremental figures: the same kind of ingests with no segment defined.
    const calls = (tag: string) =>
      Array.from({ length: INCREMENTAL_EVENTS }, (_, i) => {
        const userId = `u${((i * 7907) % n) + 1}`;
        const raw =
          i % 3 === 2
            ? { type: 'identify', userId, anonymousId: null, traits: { plan: i % 2 === (tag === 'base' ? 0 : 1) ? 'pro' : 'free' }, messageId: `${tag}-${i}` }
            : { type: 'track', userId, anonymousId: null, event: i % 3 ? 'email.opened' : 'Order Completed', properties: { revenue: 60 }, messageId: `${tag}-${i}` };
        return toCall(raw as unknown as SegmentCall, { receivedAt: NOW });
      });
    const ingestAll = async (tag: string) => {
      for (const c of calls(tag)) await ingest(deps, ws, [c]);
    };
    const [baseMs] = await time(() => ingestAll('base'));

    for (const [name, conditions] of Object.entries(REFERENCE)) {
      // Evaluated as a preview or a refresh evaluates it (with the settings of src/segments/evaluation.ts).
      const [evalMs, count] = await time(() =>
        readWithFullEvaluation(db.store, (d) => countMatching(d, ws, compileCondition(parseConditions(conditions), { dialect: kind, workspaceId: ws, now: NOW, mode: 'full' }))),
      );
      emit(`${name}_eval_ms`, evalMs, `ms (${count} members)`);
      const [matMs] = await time(() => createSegment(deps, ws, { id: name.replace('_', '-'), name, conditions, refreshIntervalMinutes: 1 }));
      emit(`${name}_materialise_ms`, matMs, 'ms');
    }
    clock.advance(60_000);
    for (const name of Object.keys(REFERENCE)) {
      const [ms] = await time(() => refreshDueSegment(deps));
      emit(`recompute_ms_${name}`, ms, 'ms');
    }

    const [withMs] = await time(() => ingestAll('seg'));
    emit('ingest_ms_per_event', withMs / INCREMENTAL_EVENTS, 'ms', baseMs / INCREMENTAL_EVENTS);
    const [drainMs, pairs] = await time(async () => {
      let total = 0;
      for (let k = await processDirty(deps); k > 0; k = await processDirty(deps)) total += k;
      return total;
    });
    emit('incremental_ms_per_event', drainMs / INCREMENTAL_EVENTS, `ms (${pairs} dirty pairs re-checked)`);
  } finally {
    // QATRA_BENCH_KEEP=1 keeps the database for EXPLAIN ANALYZE sessions.
    if (process.env.QATRA_BENCH_KEEP) {
      await db.store.close();
      console.error(`kept the ${kind} database ${kind === 'postgres' ? new URL(db.url).pathname.slice(1) : db.url}`);
    } else await db.drop();
  }
}

export const run: Bench = async (ctx) => {
  for (const kind of benchBackends()) await runBackend(kind, ctx);
};
