import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { fromJson, type JsonObject } from '../core/json.js';
import { eraseContact } from '../privacy/erase.js';
import { compileCondition } from './compile.js';
import { DAY_MS, parseConditions } from './definition.js';
import { splitWindow } from './rollup.js';

const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);
const HOUR = 3_600_000;
const midnight = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
const USERS = Array.from({ length: 12 }, (_, i) => `u${i}`);
const ANONYMOUS = ['a0', 'a1', 'a2'];
const NAMES = ['Order Completed', 'email.opened', 'email.clicked', 'Page Viewed'];
const REVENUE: unknown[] = [10, 25.5, '42', null, 0.25, -5, 30];
const MACHINE: unknown[] = [true, false, 'true', undefined];

/** Deterministic events: hourly times over 200 days (so on the 12:00 window edges and on midnights), some 1 ms off. */
function calls(): object[] {
  return Array.from({ length: 420 }, (_, i) => {
    const name = NAMES[i % 4]!;
    const who = i % 9 === 4 ? { anonymousId: ANONYMOUS[i % 3] } : { userId: USERS[Math.floor(i / 4) % USERS.length] };
    const timestamp = NOW - ((i * 7919) % (200 * 24)) * HOUR - (i % 5 === 0 ? 1 : 0);
    const properties: JsonObject = {};
    if (name === 'Order Completed') {
      const revenue = REVENUE[i % REVENUE.length];
      if (revenue !== null) properties.revenue = revenue as number;
      properties.qty = i % 4;
    } else if (name === 'email.opened') {
      const machine = MACHINE[i % MACHINE.length];
      if (machine !== undefined) properties.machine = machine as boolean;
    } else properties.path = `/p/${i % 3}`;
    return { type: 'track', event: name, ...who, properties, timestamp: new Date(timestamp).toISOString(), messageId: `r-${i}` };
  });
}

const WINDOWS: object[] = [
  {},
  { withinDays: 1 },
  { withinDays: 7 },
  { withinDays: 30 },
  { withinDays: 90 },
  { from: midnight(NOW - 40 * DAY_MS), to: midnight(NOW - 10 * DAY_MS) },
  { from: NOW - 40 * DAY_MS + 5 * HOUR, to: NOW - 10 * DAY_MS - 3 * HOUR },
  { from: NOW - 5 * DAY_MS - HOUR, to: NOW - 5 * DAY_MS + 2 * HOUR },
  { from: midnight(NOW - 3 * DAY_MS) },
  { to: NOW - 100 * DAY_MS + 7 * HOUR },
];

function conditions(): object[] {
  const out: object[] = [];
  for (const w of WINDOWS) {
    const ev = { type: 'event', event: 'Order Completed', ...w };
    out.push(ev, { ...ev, performed: false }, { ...ev, count: { op: 'at_least', value: 2 } }, { ...ev, count: { op: 'exactly', value: 3 } }, { ...ev, count: { op: 'at_most', value: 1 } });
    out.push({ type: 'event', event: 'email.opened', ...w, count: { op: 'at_least', value: 2 } });
    const agg = { type: 'event_aggregate', event: 'Order Completed', property: 'revenue', ...w };
    out.push({ ...agg, fn: 'sum', op: 'gt', value: 30 }, { ...agg, fn: 'sum', op: 'equals', value: 35.5 }, { ...agg, fn: 'avg', op: 'gte', value: 10 });
    out.push({ ...agg, fn: 'min', op: 'lt', value: 5 }, { ...agg, fn: 'max', op: 'gte', value: 25.5 }, { ...agg, property: 'qty', fn: 'sum', op: 'gte', value: 3 });
    const at = { type: 'event_time', event: 'Order Completed', ...w };
    out.push({ ...at, which: 'first', op: 'after', value: NOW - 60 * DAY_MS }, { ...at, which: 'first', op: 'before', value: NOW - 50 * DAY_MS });
    out.push({ ...at, which: 'last', op: 'less_than_days_ago', value: 20 }, { ...at, which: 'last', op: 'more_than_days_ago', value: 10 });
  }
  for (const withinDays of [undefined, 1, 7, 30, 90]) {
    for (const action of ['opened', 'clicked']) {
      for (const performed of [true, false]) out.push({ type: 'message', action, performed, ...(withinDays === undefined ? {} : { withinDays }) });
    }
  }
  return out;
}

describe('the window split into whole days and raw edges', () => {
  it('keeps every instant of the window exactly once', () => {
    const since = NOW - 90 * DAY_MS;
    expect(splitWindow({ from: since })).toEqual({ days: { from: midnight(since) / DAY_MS + 1, to: undefined }, raw: [{ from: since, to: midnight(since) + DAY_MS }] });
    expect(splitWindow({ from: midnight(NOW), to: midnight(NOW) + 2 * DAY_MS })).toEqual({ days: { from: midnight(NOW) / DAY_MS, to: midnight(NOW) / DAY_MS + 2 }, raw: [] });
    expect(splitWindow({ to: NOW })).toEqual({ days: { from: undefined, to: midnight(NOW) / DAY_MS }, raw: [{ from: midnight(NOW), to: NOW }] });
    expect(splitWindow({ from: NOW - HOUR, to: NOW + HOUR })).toBeNull();
    expect(splitWindow({ from: -1, to: DAY_MS })).toEqual({ days: { from: 0, to: 1 }, raw: [{ from: -1, to: 0 }] });
  });
});

describe.each(backends())('segment rollups on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  const db = () => h.deps.store.db;
  const post = async (url: string, payload: unknown) => {
    const res = await h.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...t.write }, payload: JSON.stringify(payload) });
    expect(res.statusCode, res.body).toBe(200);
  };

  async function members(conditions: unknown, mode: 'full' | 'few', rollups: boolean): Promise<string[]> {
    const pred = compileCondition(parseConditions(conditions), { dialect: kind, workspaceId: t.workspaceId, now: NOW, mode, rollups });
    const rows = await sql<{ id: string }>`SELECT c.id FROM contacts c WHERE c.workspace_id = ${t.workspaceId} AND ${pred} ORDER BY c.id`.execute(db());
    return rows.rows.map((r) => r.id);
  }

  /** Every condition gives the same members from the rollups as from the raw events (both shapes). */
  async function expectSameMembers(): Promise<void> {
    const distinct = new Set<string>();
    for (const c of conditions()) {
      const raw = await members(c, 'full', false);
      expect(await members(c, 'full', true), JSON.stringify(c)).toEqual(raw);
      expect(await members(c, 'few', true), JSON.stringify(c)).toEqual(raw);
      distinct.add(raw.join());
    }
    // The data separates the conditions: the comparison is not between empty sets.
    expect(distinct.size).toBeGreaterThan(30);
  }

  /** The rollup tables hold exactly what the events say (computed here in JS, independently of the SQL). */
  async function expectRollupsMatchEvents(): Promise<void> {
    const events = await db().selectFrom('events').select(['workspace_id', 'contact_id', 'name', 'timestamp', 'properties']).execute();
    const days = new Map<string, { n: number; first: number; last: number }>();
    const values = new Map<string, { n: number; sum: number; min: number; max: number }>();
    for (const e of events) {
      const ts = Number(e.timestamp);
      const day = Math.floor(ts / DAY_MS);
      const props = fromJson<JsonObject>(e.properties);
      const key = [e.workspace_id, e.name, day, e.contact_id, props.machine === true ? 1 : 0].join('|');
      const d = days.get(key) ?? { n: 0, first: ts, last: ts };
      days.set(key, { n: d.n + 1, first: Math.min(d.first, ts), last: Math.max(d.last, ts) });
      for (const [property, v] of Object.entries(props)) {
        if (typeof v !== 'number') continue;
        const k = [e.workspace_id, e.name, property, day, e.contact_id].join('|');
        const a = values.get(k) ?? { n: 0, sum: 0, min: v, max: v };
        values.set(k, { n: a.n + 1, sum: a.sum + v, min: Math.min(a.min, v), max: Math.max(a.max, v) });
      }
    }
    const dayRows = await sql<{ workspace_id: string; name: string; day: string; contact_id: string; machine: number; n: string; first_at: string; last_at: string }>`SELECT * FROM event_days`.execute(db());
    expect(new Map(dayRows.rows.map((r) => [[r.workspace_id, r.name, Number(r.day), r.contact_id, Number(r.machine)].join('|'), { n: Number(r.n), first: Number(r.first_at), last: Number(r.last_at) }]))).toEqual(days);
    const valueRows = await sql<{ workspace_id: string; name: string; property: string; day: string; contact_id: string; n: string; value_sum: number; value_min: number; value_max: number }>`SELECT * FROM event_day_values`.execute(db());
    expect(new Map(valueRows.rows.map((r) => [[r.workspace_id, r.name, r.property, Number(r.day), r.contact_id].join('|'), { n: Number(r.n), sum: r.value_sum, min: r.value_min, max: r.value_max }]))).toEqual(values);
  }

  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    await post('/v1/batch', { batch: calls() });
  });
  afterAll(async () => h?.close());

  it('ingested events (client timestamps in the past) are rolled up per day', async () => {
    const stored = await db().selectFrom('events').select(['timestamp']).where('message_id', '=', 'r-5').executeTakeFirstOrThrow();
    expect(Number(stored.timestamp)).toBe(NOW - ((5 * 7919) % (200 * 24)) * HOUR - 1);
    await expectRollupsMatchEvents();
  });

  it('the full shape reads the rollups where it can, and a window without a whole day reads events only', () => {
    const compiled = (c: unknown) => sql`${compileCondition(parseConditions(c), { dialect: kind, workspaceId: t.workspaceId, now: NOW, mode: 'full' })}`.compile(db()).sql;
    expect(compiled({ type: 'event_aggregate', event: 'Order Completed', withinDays: 90, fn: 'sum', property: 'revenue', op: 'gt', value: 1 })).toContain('event_day_values');
    expect(compiled({ type: 'message', action: 'opened', withinDays: 90, performed: false })).toContain('event_days');
    expect(compiled({ type: 'event', event: 'Order Completed', from: NOW - HOUR, to: NOW + HOUR })).not.toContain('event_days');
    expect(compiled({ type: 'event', event: 'Page Viewed', where: [{ property: 'path', op: 'equals', value: '/p/1' }] })).not.toContain('event_days');
    expect(compiled({ type: 'message', action: 'opened', journey: 'j1' })).not.toContain('event_days');
  });

  it('every event condition selects the same members from the rollups as from the raw events', async () => {
    await expectSameMembers();
  });

  it('the rollups follow alias merges, erasure, deletes and late events', async () => {
    // Merges: the anonymous contacts' events move to known users (UPDATE events SET contact_id).
    for (const [k, anonymousId] of ANONYMOUS.entries()) await post('/v1/alias', { previousId: anonymousId, userId: USERS[k * 2] });
    // A late event, far in the past, on a day that already has rows.
    await post('/v1/track', { userId: 'u1', event: 'Order Completed', properties: { revenue: 7 }, timestamp: new Date(NOW - 150 * DAY_MS).toISOString(), messageId: 'late-1' });
    const byUser = async (userId: string) => (await db().selectFrom('contacts').select('id').where('workspace_id', '=', t.workspaceId).where('user_id', '=', userId).executeTakeFirstOrThrow()).id;
    // Erasure empties the properties of the contact's events: its sums go, its counts stay.
    const erased = await byUser('u3');
    const before = await members({ type: 'event_aggregate', event: 'Order Completed', fn: 'sum', property: 'revenue', op: 'gt', value: -1000 }, 'full', true);
    expect(before).toContain(erased);
    await eraseContact(h.deps, t.workspaceId, erased, null);
    expect(await members({ type: 'event_aggregate', event: 'Order Completed', fn: 'sum', property: 'revenue', op: 'gt', value: -1000 }, 'full', true)).not.toContain(erased);
    expect(await members({ type: 'event', event: 'Order Completed' }, 'full', true)).toContain(erased);
    // A deleted contact takes its events (ON DELETE CASCADE) and its rollup rows.
    await db().deleteFrom('contacts').where('id', '=', await byUser('u5')).execute();
    await expectRollupsMatchEvents();
    await expectSameMembers();
  });
});
