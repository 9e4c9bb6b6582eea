import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, freshDatabase, type TestDatabase } from '../../test/backends.js';
import { DAY_MS } from './detect.js';
import { series } from './series.js';
import { explain } from './drill-down.js';

const T0 = Date.UTC(2026, 10, 2); // a Monday
const WS = 'ws_series';
const H = 3_600_000;

describe.each(backends())('the insights series (%s)', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase(kind);
    const db = t.store.db;
    await db.insertInto('workspaces').values({ id: WS, name: 's', timezone: 'UTC', settings: '{}', created_at: 0 }).execute();
    await db
      .insertInto('contacts')
      .values(['a', 'b', 'c'].map((id) => ({ id, workspace_id: WS, email: `${id}@x.test`, locale: id === 'c' ? 'fa' : 'en', attributes: '{}', created_at: 0, updated_at: 0 })))
      .execute();
    const msg = (id: string, o: Record<string, unknown>) => ({
      id,
      workspace_id: WS,
      contact_id: 'a',
      channel: 'email',
      kind: 'marketing' as const,
      idempotency_key: `run:${id}`,
      status: 'sent' as const,
      links: '[]',
      created_at: T0 + H,
      updated_at: T0 + H,
      ...o,
    });
    await db
      .insertInto('messages')
      .values([
        msg('m1', { idempotency_key: 'broadcast:bc_spring:ct_a', to_address: 'A@Mail.Example', provider: 'smtp', first_opened_at: T0 + 2 * H, first_clicked_at: T0 + 2 * H }),
        msg('m2', { idempotency_key: 'broadcast:bc_spring:ct_b', contact_id: 'b', to_address: 'b@mail.example', status: 'bounced', reason: 'hard bounce: 5.1.1', provider: 'smtp' }),
        msg('m3', { journey_id: 'j1', template_id: 'tpl', to_address: 'c@other.example', contact_id: 'c', status: 'bounced', reason: 'soft bounce: 4.2.2', complained_at: null, provider: 'smtp' }),
        // An SMS is delivered only by its receipt; one without a receipt is not (yet).
        msg('s1', { channel: 'sms', to_address: '+989120000001', provider: 'gw', delivery_status: 'delivered', created_at: T0 + 5 * H }),
        msg('s2', { channel: 'sms', to_address: '+989120000002', provider: 'gw', created_at: T0 + 5 * H }),
        // Not sent: no figure counts it.
        msg('q1', { status: 'failed', to_address: 'z@mail.example' }),
        // The next day.
        msg('m4', { idempotency_key: 'broadcast:bc_spring:x', to_address: 'a@mail.example', created_at: T0 + DAY_MS + H, complained_at: T0 + DAY_MS + 2 * H }),
      ])
      .execute();
    const ev = (id: string, revenue: unknown, at: number) => ({
      workspace_id: WS,
      contact_id: 'a',
      type: 'track',
      name: 'Order Completed',
      properties: JSON.stringify({ revenue }),
      context: null,
      message_id: id,
      timestamp: at,
      received_at: at,
    });
    await db
      .insertInto('events')
      .values([ev('e1', 30.5, T0 + 3 * H), ev('e2', 'abc', T0 + 4 * H), ev('e3', { nested: 1 }, T0 + 4 * H), ev('e4', '12', T0 + DAY_MS)])
      .execute();
    await db
      .insertInto('consent_history')
      .values([
        { workspace_id: WS, contact_id: 'a', channel: 'email', topic: '', status: 'unsubscribed', source: 'one-click', created_at: T0 + 3 * H },
        // An admin's change is not an opt-out made from a message.
        { workspace_id: WS, contact_id: 'b', channel: 'email', topic: '', status: 'unsubscribed', source: 'admin', created_at: T0 + 3 * H },
      ])
      .execute();
  }, 60_000);
  afterAll(() => t.drop());

  it('counts the workspace per day: deliveries by what each channel can know, hostile revenue as none', async () => {
    const points = await series(t.store, { workspaceId: WS, bucket: 'day', by: 'workspace', from: T0, to: T0 + 2 * DAY_MS });
    expect(points).toEqual([
      { bucket: T0, key: '', sends: 5, deliveries: 2, humanOpens: 1, clicks: 1, bounces: 2, hardBounces: 1, complaints: 0, unsubscribes: 1, conversions: 3, revenue: 30.5 },
      { bucket: T0 + DAY_MS, key: '', sends: 1, deliveries: 1, humanOpens: 0, clicks: 0, bounces: 0, hardBounces: 0, complaints: 1, unsubscribes: 0, conversions: 1, revenue: 12 },
    ]);
  });

  it('keys points by broadcast (cut from the idempotency key), and by channel per hour', async () => {
    const byBroadcast = await series(t.store, { workspaceId: WS, bucket: 'day', by: 'broadcast', from: T0, to: T0 + 2 * DAY_MS });
    expect(byBroadcast.map((p) => [p.bucket, p.key, p.sends, p.unsubscribes])).toEqual([
      [T0, 'bc_spring', 2, null],
      [T0 + DAY_MS, 'bc_spring', 1, null],
    ]);
    const hourly = await series(t.store, { workspaceId: WS, bucket: 'hour', by: 'channel', key: 'sms', from: T0, to: T0 + DAY_MS });
    expect(hourly.map((p) => [p.bucket, p.key, p.sends, p.deliveries])).toEqual([[T0 + 5 * H, 'sms', 2, 1]]);
  });

  it('drills down by lower-cased recipient domain and by locale', async () => {
    const e = await explain(
      t.store,
      {
        workspaceId: WS,
        scope: { kind: 'channel', id: 'email' },
        finding: { metric: 'hard_bounce_rate', direction: 'up', bucket: T0, observed: 0, expected: 0, score: 0, volume: 0 },
        bucketMs: DAY_MS,
        seasonMs: 7 * DAY_MS,
        seasons: 1,
      },
      ['domain', 'locale'],
    );
    expect(e.dimensions.find((d) => d.dimension === 'domain')!.values).toEqual([{ value: 'mail.example', observed: 1, expected: 0, ratio: null, share: 1, volumeShare: 0.667 }]);
    expect(e.dimensions.find((d) => d.dimension === 'locale')!.values.map((v) => v.value)).toEqual(['en']);
  });
});
