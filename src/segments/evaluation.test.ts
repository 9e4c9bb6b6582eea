/**
 * Full evaluations read a window's events through events_workspace_name_time on both backends, give
 * the members the per-contact shape gives, and run on PostgreSQL with the settings of ./evaluation.ts
 * (the incremental re-check keeps the server's). The 1M-contact figures that chose this are in
 * docs/segments.md; here the data are small, so only the plan's shape and the settings are checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness } from '../../test/harness.js';
import { explain } from '../../test/plans.js';
import { compileCondition } from './compile.js';
import { parseConditions } from './definition.js';
import { countMatching, FULL_EVALUATION_SETTINGS } from './evaluation.js';
import { refreshMembership } from './members.js';
import { DAY } from './test-seed.js';

const NOW = Date.UTC(2026, 0, 5, 12);
const CONTACTS = 2000;
const EVENTS = 40_000; // over 400 days, so a 7-day window is under 2% of them

const DORMANT = { type: 'message', action: 'opened', withinDays: 7, performed: false };
const BUYERS = { type: 'event_aggregate', event: 'Order Completed', withinDays: 7, fn: 'sum', property: 'revenue', op: 'gt', value: 100 };
const NOT_BOUGHT = { type: 'event', event: 'Order Completed', withinDays: 7, performed: false };

describe.each(backends())('full segment evaluation on %s', (kind) => {
  let h: Harness;
  let ws: string;
  beforeAll(async () => {
    h = await createHarness(kind);
    ws = (await h.tenant()).workspaceId;
    const other = (await h.tenant()).workspaceId;
    const db = h.deps.store.db;
    const pg = kind === 'postgres';
    const series = (n: number) => (pg ? sql`generate_series(CAST(1 AS bigint), ${sql.lit(n)}) AS s(g)` : sql`s`);
    const withSeries = (n: number) => (pg ? sql`` : sql`WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ${sql.lit(n)})`);
    const obj = sql.raw(pg ? 'jsonb_build_object' : 'json_object');
    const machine = pg ? sql`g % 3 = 0` : sql`json(CASE WHEN g % 3 = 0 THEN 'true' ELSE 'false' END)`;
    for (const w of [ws, other]) {
      await sql`INSERT INTO contacts (id, workspace_id, user_id, email, attributes, created_at, updated_at)
        ${withSeries(CONTACTS)} SELECT ${w} || '_' || g, ${w}, 'u' || g, 'u' || g || '@example.com', ${obj}('plan', 'free'), ${NOW}, ${NOW} FROM ${series(CONTACTS)}`.execute(db);
      // Contact (g * 7) mod N, a day g mod 400 back; even g: an order of (g mod 90) revenue, odd: an open (a third machine opens).
      await sql`INSERT INTO events (workspace_id, contact_id, type, name, properties, message_id, timestamp, received_at)
        ${withSeries(EVENTS)} SELECT ${w}, ${w} || '_' || (((g * 7) % ${sql.lit(CONTACTS)}) + 1), 'track',
          CASE WHEN g % 2 = 0 THEN 'Order Completed' ELSE 'email.opened' END,
          CASE WHEN g % 2 = 0 THEN ${obj}('revenue', g % 90) ELSE ${obj}('machine', ${machine}) END,
          'e' || g, ${NOW} - (g % 400) * ${DAY} - g, ${NOW}
        FROM ${series(EVENTS)}`.execute(db);
    }
    await sql`ANALYZE`.execute(db);
  });
  afterAll(async () => h?.close());

  async function plan(conditions: unknown): Promise<string> {
    const pred = compileCondition(parseConditions(conditions), { dialect: kind, workspaceId: ws, now: NOW, mode: 'full' });
    return explain(h.deps.store.db, kind, sql`SELECT count(*) FROM contacts c WHERE c.workspace_id = ${ws} AND ${pred}`.compile(h.deps.store.db));
  }

  it.each([
    ['not opened in 7 days', DORMANT],
    ['sum of revenue over 7 days > 100', BUYERS],
    ['no order in 7 days', NOT_BOUGHT],
  ])('%s reads the window through events_workspace_name_time', async (_name, conditions) => {
    const text = await plan(conditions);
    expect(text).toContain('events_workspace_name_time');
    expect(text).not.toMatch(/Seq Scan on events|SCAN e\b(?! USING)/);
  });

  it.each([
    ['not opened in 7 days', DORMANT],
    ['sum of revenue over 7 days > 100', BUYERS],
    ['no order in 7 days', NOT_BOUGHT],
  ])('%s selects the contacts the per-contact shape selects, in its workspace only', async (_name, conditions) => {
    const cond = parseConditions(conditions);
    const few = compileCondition(cond, { dialect: kind, workspaceId: ws, now: NOW, mode: 'few' });
    const full = compileCondition(cond, { dialect: kind, workspaceId: ws, now: NOW, mode: 'full' });
    const ids = async (pred: typeof few) =>
      (await sql<{ id: string }>`SELECT c.id FROM contacts c WHERE c.workspace_id = ${ws} AND ${pred} ORDER BY c.id`.execute(h.deps.store.db)).rows.map((r) => r.id);
    const expected = await ids(few);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(CONTACTS);
    expect(await ids(full)).toEqual(expected);
    expect(await countMatching(h.deps.store.db, ws, full)).toBe(expected.length);
  });

  it.runIf(kind === 'postgres')('a full refresh sets work_mem, one parallel worker and no JIT for its transaction; the incremental re-check does not', async () => {
    const store = h.deps.store;
    const settings = (trx: typeof store.db) =>
      sql<{ w: string; p: string; j: string }>`SELECT current_setting('work_mem') AS w, current_setting('max_parallel_workers_per_gather') AS p, current_setting('jit') AS j`
        .execute(trx)
        .then((r) => r.rows[0]!);
    const seg = { id: 'sg_eval', workspaceId: ws, name: 'dormant', conditions: parseConditions(DORMANT) };
    await store.db
      .insertInto('segments')
      .values({
        id: seg.id,
        workspace_id: ws,
        name: seg.name,
        description: null,
        conditions: JSON.stringify(DORMANT),
        refresh_interval_ms: null,
        next_refresh_at: null,
        computed_at: null,
        created_at: NOW,
        updated_at: NOW,
      })
      .execute();
    const before = await settings(store.db);
    expect(before.w).not.toBe(FULL_EVALUATION_SETTINGS.work_mem);

    const inFull = await store.transaction(async (trx) => {
      await refreshMembership(trx, { dialect: kind, signals: h.deps.signals }, seg, NOW);
      return settings(trx);
    });
    expect(inFull).toEqual({ w: FULL_EVALUATION_SETTINGS.work_mem, p: FULL_EVALUATION_SETTINGS.max_parallel_workers_per_gather, j: FULL_EVALUATION_SETTINGS.jit });
    const inFew = await store.transaction(async (trx) => {
      await refreshMembership(trx, { dialect: kind, signals: h.deps.signals }, seg, NOW, [`${ws}_1`]);
      return settings(trx);
    });
    expect(inFew).toEqual(before);
    expect(await settings(store.db)).toEqual(before);
  });
});
