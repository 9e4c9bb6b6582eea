import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { compileCondition } from './compile.js';
import { parseConditions } from './definition.js';
import { ValidationError } from '../core/errors.js';

const NOW = Date.UTC(2026, 2, 10, 12, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

type View = [ago: number, properties: Record<string, unknown>, userAgent?: string];

/** Page views per visitor (through the real /v1/page API), chosen so each case selects a different set. */
const VISITS: Record<string, View[]> = {
  ann: [
    [1 * DAY, { path: '/pricing' }],
    [3 * DAY, { path: '/pricing', search: '?plan=pro' }],
    [10 * DAY, { path: '/pricing' }], // outside 7 days
  ],
  // One human visit; the crawler's visit on the same contact is stored but never counts.
  bob: [
    [2 * DAY, { path: '/pricing' }],
    [1 * DAY, { path: '/pricing' }, GOOGLEBOT],
    [1 * DAY + 5 * MIN, { path: '/pricing' }, GOOGLEBOT],
  ],
  // A server library: only an absolute url, mixed case; the path comes from it.
  cara: [
    [1 * DAY, { url: 'https://Shop.Example.com/en/pricing?utm_source=x#top' }],
    [2 * HOUR, { url: 'https://shop.example.com/en/Pricing' }],
  ],
  dan: [[1 * DAY, { path: '/search', search: '?q=shoes', url: 'https://example.org/search?q=shoes' }]],
  // Three sessions in 7 days: 10:00, 10:20, 10:45 (gaps < 30 min) | 12:00 | a day ago.
  eve: [
    [5 * DAY, { path: '/search' }],
    [5 * DAY - 20 * MIN, { path: '/a' }],
    [5 * DAY - 45 * MIN, { path: '/b' }],
    [5 * DAY - 2 * HOUR, { path: '/c' }],
    [1 * DAY, { path: '/d' }],
  ],
  // Only a crawler: many "sessions", none counted.
  robo: [
    [6 * DAY, { path: '/pricing' }, GOOGLEBOT],
    [4 * DAY, { path: '/pricing' }, GOOGLEBOT],
    [2 * DAY, { path: '/pricing' }, GOOGLEBOT],
  ],
};

type Case = [name: string, conditions: unknown, expected: string[]];

const CASES: Case[] = [
  ['visited /pricing at least twice in 7 days (query ignored, bots and old visits not counted)', { type: 'visits', url: '/pricing', atLeast: 2, withinDays: 7 }, ['ann']],
  ['visited /pricing at least once in 7 days', { type: 'visits', url: '/pricing', withinDays: 7 }, ['ann', 'bob']],
  ['*/pricing matches any path ending so, either case, read from url', { type: 'visits', url: '*/pricing', atLeast: 2, withinDays: 7 }, ['ann', 'cara']],
  ['a host pattern needs the host', { type: 'visits', url: 'shop.example.com/*', withinDays: 7 }, ['cara']],
  ['a pattern with ? matches the query string', { type: 'visits', url: '/search?q=*', withinDays: 7 }, ['dan']],
  ['any page, 4 or more views', { type: 'visits', atLeast: 4, withinDays: 30 }, ['eve']],
  ['at least 3 sessions in 7 days (gaps under 30 min join a session)', { type: 'sessions', atLeast: 3, withinDays: 7 }, ['eve']],
  ['at least 2 sessions in 7 days', { type: 'sessions', atLeast: 2, withinDays: 7 }, ['ann', 'cara', 'eve']],
  ['at least 1 session in 7 days: crawlers never have one', { type: 'sessions', atLeast: 1, withinDays: 7 }, ['ann', 'bob', 'cara', 'dan', 'eve']],
  ['not visited /pricing in 7 days', { not: { type: 'visits', url: '/pricing', withinDays: 7 } }, ['cara', 'dan', 'eve', 'robo']],
];

describe.each(backends())('visit and session conditions on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  const ids = new Map<string, string>();

  async function evaluate(conditions: unknown, mode: 'full' | 'few'): Promise<string[]> {
    const pred = compileCondition(parseConditions(conditions), { dialect: kind, workspaceId: t.workspaceId, now: NOW, mode });
    const only = mode === 'few' ? sql`AND c.id IN (${sql.join([...ids.values()])})` : sql``;
    const rows = await sql<{ id: string }>`SELECT c.id FROM contacts c WHERE c.workspace_id = ${t.workspaceId} ${only} AND ${pred}`.execute(h.deps.store.db);
    const names = new Map([...ids].map(([n, id]) => [id, n]));
    return rows.rows.map((r) => names.get(r.id)!).sort();
  }

  beforeAll(async () => {
    h = await createHarness(kind);
    h.clock.set(NOW);
    t = await h.tenant();
    let n = 0;
    for (const [who, views] of Object.entries(VISITS)) {
      for (const [ago, properties, userAgent] of views) {
        const payload = { anonymousId: who, messageId: `${who}-${++n}`, properties, timestamp: new Date(NOW - ago).toISOString(), context: { userAgent: userAgent ?? CHROME } };
        const res = await h.app.inject({ method: 'POST', url: '/v1/page', headers: t.write, payload });
        expect(res.statusCode, res.body).toBe(200);
      }
    }
    const rows = await h.deps.store.db.selectFrom('contact_anonymous_ids').select(['contact_id', 'anonymous_id']).where('workspace_id', '=', t.workspaceId).execute();
    for (const r of rows) ids.set(r.anonymous_id, r.contact_id);
    expect([...ids.keys()].sort()).toEqual(Object.keys(VISITS).sort());
  });
  afterAll(async () => h?.close());

  it.each(CASES)('%s', async (_name, conditions, expected) => {
    expect(await evaluate(conditions, 'full')).toEqual(expected);
    expect(await evaluate(conditions, 'few')).toEqual(expected);
  });

  it("stores a crawler's page views, marked, with their place", async () => {
    const rows = await h.deps.store.db.selectFrom('events').select(['bot', 'page_host', 'page_path', 'page_query']).where('contact_id', '=', ids.get('robo')!).execute();
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => Number(r.bot) === 1 && r.page_path === '/pricing')).toBe(true);
    const cara = await h.deps.store.db.selectFrom('events').select(['bot', 'page_host', 'page_path', 'page_query']).where('contact_id', '=', ids.get('cara')!).orderBy('timestamp').execute();
    expect(cara.map((r) => [Number(r.bot), r.page_host, r.page_path, r.page_query])).toEqual([
      [0, 'shop.example.com', '/en/pricing', '?utm_source=x'],
      [0, 'shop.example.com', '/en/Pricing', null],
    ]);
  });

  it('refuses a bad pattern or count with the field path', () => {
    const issues = (raw: unknown) => {
      try {
        parseConditions(raw);
        return [];
      } catch (err) {
        return (err as ValidationError).issues.map((i) => i.path);
      }
    };
    expect(issues({ all: [{ type: 'visits', url: 'pricing', withinDays: 7 }] })).toEqual(['conditions.all.0.url']);
    expect(issues({ type: 'visits', url: 'https://x.com/a', withinDays: 7 })).toEqual(['conditions.url']);
    expect(issues({ type: 'sessions', atLeast: 0, withinDays: 7 })).toEqual(['conditions.atLeast']);
    expect(issues({ type: 'sessions', atLeast: 2 })).toEqual(['conditions.withinDays']);
    expect(issues({ type: 'visits', url: '/a b', withinDays: 7 })).toEqual(['conditions.url']);
  });
  it("a human page view marks the contact for re-checking in every visits or sessions segment; a crawler's marks nothing", async () => {
    const other = await h.tenant();
    const view = async (who: string, userAgent: string, n: number) => {
      const payload = { anonymousId: who, messageId: `dirty-${who}-${n}`, properties: { path: '/about' }, context: { userAgent } };
      expect((await h.app.inject({ method: 'POST', url: '/v1/page', headers: other.write, payload })).statusCode).toBe(200);
    };
    // The contacts exist before the segments do, so their contact_created signals mark nothing.
    await view('person', CHROME, 1);
    await view('crawler', GOOGLEBOT, 1);
    for (const [id, conditions] of [
      ['pricing-fans', { type: 'visits', url: '/pricing', withinDays: 7 }],
      ['regulars', { type: 'sessions', atLeast: 3, withinDays: 30 }],
      ['buyers', { type: 'event', event: 'Order Completed' }],
    ] as const) {
      const r = await h.app.inject({ method: 'POST', url: '/api/segments', headers: other.admin, payload: { id, name: id, conditions } });
      expect(r.statusCode, r.body).toBe(201);
    }
    await h.deps.store.db.deleteFrom('segment_dirty').execute();
    await view('person', CHROME, 2);
    await view('crawler', GOOGLEBOT, 2);
    const dirty = await h.deps.store.db
      .selectFrom('segment_dirty')
      .innerJoin('contact_anonymous_ids as a', 'a.contact_id', 'segment_dirty.contact_id')
      .select(['segment_dirty.segment_id as segment', 'a.anonymous_id as who'])
      .where('segment_dirty.workspace_id', '=', other.workspaceId)
      .execute();
    expect(dirty.map((d) => `${d.who}:${d.segment}`).sort()).toEqual(['person:pricing-fans', 'person:regulars']);
  });
});
