import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness } from '../../test/harness.js';
import { compileCondition } from './compile.js';
import { parseConditions } from './definition.js';
import { DAY, seedContacts } from './test-seed.js';

const NOW = Date.UTC(2026, 0, 5, 12, 0, 0);

type Case = [name: string, conditions: unknown, expected: string[], now?: number];

const orders = { type: 'event', event: 'Order Completed' };
const attr = (attribute: string, op: string, value?: unknown) => ({ type: 'attribute', attribute, op, ...(value === undefined ? {} : { value }) });

// One table for both backends and both compiled shapes (full: set-based; few: per contact).
const CASES: Case[] = [
  ['equals a JSON attribute', attr('plan', 'equals', 'pro'), ['ann', 'eve']],
  ['not_equals includes contacts without the attribute', attr('plan', 'not_equals', 'pro'), ['bob', 'cara', 'dan']],
  ['contains is case-insensitive', attr('plan', 'contains', 'PRO'), ['ann', 'cara', 'eve']],
  ['starts_with on the email column', attr('email', 'starts_with', 'bob'), ['bob']],
  ['exists on the phone column', attr('phone', 'exists'), ['cara']],
  ['not_exists on a JSON attribute', attr('plan', 'not_exists'), ['dan']],
  ['in a list of values', attr('plan', 'in', ['pro', 'free']), ['ann', 'bob', 'eve']],
  ['not_in a list of values', attr('plan', 'not_in', ['pro', 'free']), ['cara', 'dan']],
  ['gt on numbers ignores non-numbers', attr('age', 'gt', 20), ['ann']],
  ['lte on numbers', attr('age', 'lte', 19), ['bob']],
  ['equals a boolean', attr('vip', 'equals', true), ['ann']],
  ['equals a number', attr('age', 'equals', 34), ['ann']],
  ['a nested attribute path', attr('address.city', 'equals', 'Berlin'), ['ann']],
  ['user_id and locale columns', { any: [attr('user_id', 'equals', 'dan'), attr('locale', 'equals', 'de-DE')] }, ['ann', 'dan']],
  ['created more than 30 days ago', attr('created_at', 'more_than_days_ago', 30), ['ann', 'cara', 'eve']],
  ['created less than 30 days ago', attr('created_at', 'less_than_days_ago', 30), ['bob', 'dan']],
  ['ISO date-time attribute after a date', attr('signup', 'after', '2025-12-01'), ['ann']],
  ['ISO date-time attribute before a date-time', attr('signup', 'before', '2025-12-20T11:00:00Z'), ['ann']],
  ['ISO date-time attribute not before its own time', attr('signup', 'before', '2025-12-20T10:00:00Z'), []],
  ['birthday within 7 days (string and epoch-ms dates)', attr('birthday', 'anniversary_within_days', 7), ['ann', 'eve']],
  ['birthday within 7 days across the new year', attr('birthday', 'anniversary_within_days', 7), ['bob', 'cara'], Date.UTC(2025, 11, 28, 12)],
  ['performed an event ever', orders, ['ann', 'bob', 'eve']],
  ['not performed an event', { ...orders, performed: false }, ['cara', 'dan']],
  ['performed at least 2 times', { ...orders, count: { op: 'at_least', value: 2 } }, ['ann', 'eve']],
  ['performed exactly 1 time', { ...orders, count: { op: 'exactly', value: 1 } }, ['bob']],
  ['performed at most 1 time (includes never)', { ...orders, count: { op: 'at_most', value: 1 } }, ['bob', 'cara', 'dan']],
  ['performed within the last 30 days', { ...orders, withinDays: 30 }, ['ann', 'bob']],
  ['performed between two dates', { ...orders, from: NOW - 120 * DAY, to: new Date(NOW - 90 * DAY).toISOString() }, ['eve']],
  ['not performed within the last 30 days', { ...orders, withinDays: 30, performed: false }, ['cara', 'dan', 'eve']],
  ['event with a property filter', { type: 'event', event: 'Page Viewed', where: [{ property: 'path', op: 'starts_with', value: '/pricing' }] }, ['ann', 'dan']],
  ['at least 2 events matching a property filter', { type: 'event', event: 'Page Viewed', where: [{ property: 'path', op: 'contains', value: 'pricing' }], count: { op: 'at_least', value: 2 } }, []],
  ['sum over 90 days > 100', { type: 'event_aggregate', event: 'Order Completed', withinDays: 90, fn: 'sum', property: 'revenue', op: 'gt', value: 100 }, ['ann']],
  ['sum ever > 100', { type: 'event_aggregate', event: 'Order Completed', fn: 'sum', property: 'revenue', op: 'gt', value: 100 }, ['ann', 'eve']],
  ['avg > 75', { type: 'event_aggregate', event: 'Order Completed', fn: 'avg', property: 'revenue', op: 'gt', value: 75 }, ['ann', 'eve']],
  ['max < 100', { type: 'event_aggregate', event: 'Order Completed', fn: 'max', property: 'revenue', op: 'lt', value: 100 }, ['bob', 'eve']],
  ['min <= 50', { type: 'event_aggregate', event: 'Order Completed', fn: 'min', property: 'revenue', op: 'lte', value: 50 }, ['ann', 'bob']],
  ['first time performed before a date', { type: 'event_time', event: 'Order Completed', which: 'first', op: 'before', value: NOW - 150 * DAY }, ['ann']],
  ['last time performed within 7 days', { type: 'event_time', event: 'Order Completed', which: 'last', op: 'less_than_days_ago', value: 7 }, ['ann', 'bob']],
  ['last time performed more than 30 days ago', { type: 'event_time', event: 'Order Completed', which: 'last', op: 'more_than_days_ago', value: 30 }, ['eve']],
  ['first time performed after a date', { type: 'event_time', event: 'Order Completed', which: 'first', op: 'after', value: NOW - 150 * DAY }, ['bob', 'eve']],
  ['subscribed to a list (by name)', { type: 'list', list: 'newsletter' }, ['ann']],
  ['unsubscribed from a list', { type: 'list', list: 'newsletter', status: 'unsubscribed' }, ['bob']],
  ['channel consent', { type: 'consent', channel: 'email', status: 'subscribed' }, ['ann']],
  ['topic consent', { type: 'consent', channel: 'email', topic: 'offers', status: 'subscribed' }, ['eve']],
  ['received a message within 30 days', { type: 'message', action: 'received', withinDays: 30 }, ['ann']],
  ['received any message ever (queued ones do not count)', { type: 'message', action: 'received' }, ['ann', 'bob']],
  ['received a message of a journey', { type: 'message', action: 'received', journey: 'welcome' }, ['ann']],
  ['opened within 90 days (machine opens do not count)', { type: 'message', action: 'opened', withinDays: 90 }, ['ann']],
  ['not opened anything in 90 days', { type: 'message', action: 'opened', withinDays: 90, performed: false }, ['bob', 'cara', 'dan', 'eve']],
  ['clicked a message of a journey', { type: 'message', action: 'clicked', journey: 'welcome' }, ['bob']],
  ['opened a given template', { type: 'message', action: 'opened', template: 'w1' }, ['ann']],
  ['lead score threshold', { type: 'lead_score', op: 'gte', value: 50 }, ['ann', 'cara', 'eve']],
  ['nested all / any / not', { all: [attr('plan', 'contains', 'pro'), { any: [{ ...orders, withinDays: 30 }, { not: { type: 'lead_score', op: 'lt', value: 90 } }] }] }, ['ann', 'eve']],
  ['not over an any group', { not: { any: [attr('phone', 'exists'), attr('plan', 'equals', 'free')] } }, ['ann', 'dan', 'eve']],
  ['double negation', { not: { not: attr('plan', 'equals', 'pro') } }, ['ann', 'eve']],
];

describe.each(backends())('segment conditions on %s', (kind) => {
  let h: Harness;
  let ws: string;
  let ids: Map<string, string>;
  const names = () => new Map([...ids].map(([n, id]) => [id, n]));

  async function evaluate(conditions: unknown, mode: 'full' | 'few', now: number): Promise<string[]> {
    const pred = compileCondition(parseConditions(conditions), { dialect: kind, workspaceId: ws, now, mode });
    const only = mode === 'few' ? sql`AND c.id IN (${sql.join([...ids.values()])})` : sql``;
    const rows = await sql<{ id: string }>`SELECT c.id FROM contacts c WHERE c.workspace_id = ${ws} ${only} AND ${pred}`.execute(h.deps.store.db);
    return rows.rows.map((r) => names().get(r.id)!).sort();
  }

  beforeAll(async () => {
    h = await createHarness(kind);
    ws = (await h.tenant()).workspaceId;
    ids = await seedContacts(h.deps.store.db, ws, NOW);
    // Another workspace's look-alikes must never be selected.
    await seedContacts(h.deps.store.db, (await h.tenant()).workspaceId, NOW);
  });
  afterAll(async () => h?.close());

  it.each(CASES)('%s', async (_name, conditions, expected, now = NOW) => {
    expect(await evaluate(conditions, 'full', now)).toEqual(expected);
    expect(await evaluate(conditions, 'few', now)).toEqual(expected);
  });

  it('an open without a machine property is a human open; one flagged machine is not', async () => {
    const db = h.deps.store.db;
    const ws2 = (await h.tenant()).workspaceId;
    for (const [name, properties] of [
      ['plain', {}],
      ['proxy', { machine: true }],
    ] as const) {
      await db
        .insertInto('contacts')
        .values({
          id: `ct_${name}_${ws2}`,
          workspace_id: ws2,
          user_id: name,
          email: `${name}@example.org`,
          phone: null,
          timezone: null,
          locale: null,
          attributes: '{}',
          created_at: NOW,
          updated_at: NOW,
        })
        .execute();
      await db
        .insertInto('events')
        .values({
          workspace_id: ws2,
          contact_id: `ct_${name}_${ws2}`,
          type: 'track',
          name: 'email.opened',
          properties: JSON.stringify(properties),
          context: null,
          message_id: `o-${name}`,
          timestamp: NOW - DAY,
          received_at: NOW - DAY,
        })
        .execute();
    }
    for (const mode of ['full', 'few'] as const) {
      const pred = compileCondition(parseConditions({ type: 'message', action: 'opened', withinDays: 7 }), { dialect: kind, workspaceId: ws2, now: NOW, mode });
      const rows = await sql<{ user_id: string }>`SELECT c.user_id FROM contacts c WHERE c.workspace_id = ${ws2} AND ${pred}`.execute(db);
      expect(rows.rows.map((r) => r.user_id)).toEqual(['plain']);
    }
  });
});
