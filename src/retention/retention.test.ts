import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { parseConfig } from '../config/config.js';
import { ValidationError } from '../core/errors.js';
import { series } from '../insights/series.js';
import { eraseContact } from '../privacy/erase.js';
import { findInDatabase } from '../privacy/db-scan.testkit.js';
import { cutoffOf } from './delete-events.js';
import { retentionTask } from './task.js';

const NOW = Date.UTC(2026, 11, 15, 12); // mid-December 2026
const H = 3_600_000;
const DAY = 24 * H;
const FROM = Date.UTC(2026, 5, 1); // June: six months of history

describe.each(backends())('retention of raw events (%s)', (kind) => {
  let h: Harness;
  let t: Tenant;
  const total = { events: 0 };
  const count = async (where: 'old' | 'kept' | 'all') => {
    const cutoff = cutoffOf(NOW, 2);
    let q = h.deps.store.db
      .selectFrom('events')
      .select(sql<number>`count(*)`.as('n'))
      .where('workspace_id', '=', t.workspaceId);
    if (where === 'old') q = q.where('timestamp', '<', cutoff);
    if (where === 'kept') q = q.where('timestamp', '>=', cutoff);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };
  const put = (body: unknown) => h.app.inject({ method: 'PUT', url: '/api/retention', headers: t.admin, payload: body as object });
  const runTask = async () => {
    const task = retentionTask(h.deps, { maxBatchesPerTick: 3 });
    let deleted = 0;
    for (let i = 0; i < 1000; i++) {
      const n = await task.tick();
      if (n === 0) break;
      deleted += n;
    }
    return deleted;
  };

  beforeAll(async () => {
    h = await createHarness(kind);
    h.clock.set(NOW);
    t = await h.tenant();
    // Six months of a shop's history: orders with revenue (some hostile, some without), page views,
    // two customers. Timestamps land in every hour of the day so the hourly rollup is exercised.
    const batch: object[] = [];
    let k = 0;
    for (let at = FROM; at < NOW; at += 7 * H + 13 * 60_000) {
      const userId = k % 2 === 0 ? 'ann' : 'bob';
      const revenue = k % 5 === 0 ? 'abc' : k % 7 === 0 ? undefined : (k % 40) + 1;
      batch.push({
        type: 'track',
        userId,
        event: 'Order Completed',
        properties: revenue === undefined ? {} : { revenue, note: `secret-${userId}` },
        timestamp: new Date(at).toISOString(),
        messageId: `o${k}`,
      });
      batch.push({ type: 'page', userId, name: 'Home', properties: { path: '/' }, timestamp: new Date(at + 60_000).toISOString(), messageId: `p${k}` });
      k++;
    }
    batch.push({ type: 'identify', userId: 'ann', traits: { email: 'ann.retention@example.test' }, timestamp: new Date(FROM).toISOString(), messageId: 'id-ann' });
    for (let i = 0; i < batch.length; i += 400) {
      const r = await h.app.inject({ method: 'POST', url: '/v1/batch', headers: t.write, payload: { batch: batch.slice(i, i + 400) } });
      expect(r.statusCode, r.body).toBe(200);
    }
    total.events = batch.length;
  });
  afterAll(() => h?.close());

  it('the series of an older period shows the same figures after retention deleted its raw events', async () => {
    const q = { workspaceId: t.workspaceId, from: FROM, to: NOW, by: 'workspace' as const };
    const daily = await series(h.deps.store, { ...q, bucket: 'day' });
    const hourly = await series(h.deps.store, { ...q, bucket: 'hour' });
    expect(daily.reduce((s, p) => s + (p.conversions ?? 0), 0)).toBeGreaterThan(500);
    const old = await count('old');
    expect(old).toBeGreaterThan(500);
    const kept = await count('kept');

    expect((await put({ eventsMonths: 2 })).statusCode).toBe(200);
    expect(await runTask()).toBe(old);

    expect(await count('old')).toBe(0);
    expect(await count('kept')).toBe(kept);
    const rolled = await h.deps.store.db
      .selectFrom('event_rollups')
      .select(sql<number>`sum(events)`.as('n'))
      .where('workspace_id', '=', t.workspaceId)
      .executeTakeFirstOrThrow();
    expect(Number(rolled.n)).toBe(old);
    expect(await series(h.deps.store, { ...q, bucket: 'day' })).toEqual(daily);
    expect(await series(h.deps.store, { ...q, bucket: 'hour' })).toEqual(hourly);

    // A second pass a day later finds nothing more to do, and the figures hold.
    h.clock.advance(DAY);
    expect(await runTask()).toBe(0);
    expect(await series(h.deps.store, { ...q, bucket: 'day' })).toEqual(daily);
  });

  it('an event sent late with an old timestamp is rolled up into the same hour by the next pass', async () => {
    const at = Date.UTC(2026, 6, 3, 10, 30);
    const q = { workspaceId: t.workspaceId, from: Date.UTC(2026, 6, 3), to: Date.UTC(2026, 6, 4), by: 'workspace' as const, bucket: 'day' as const };
    const before = (await series(h.deps.store, q))[0]!;
    const r = await h.app.inject({
      method: 'POST',
      url: '/v1/track',
      headers: t.write,
      payload: { userId: 'ann', event: 'Order Completed', properties: { revenue: 1000 }, timestamp: new Date(at).toISOString(), messageId: 'late' },
    });
    expect(r.statusCode).toBe(200);
    h.clock.advance(2 * H);
    expect(await runTask()).toBe(1);
    const after = (await series(h.deps.store, q))[0]!;
    expect(after.conversions).toBe(before.conversions! + 1);
    expect(after.revenue).toBe(before.revenue! + 1000);
  });

  it('a retention of 0, a negative or a fractional number of months is refused with its field path, and nothing changes', async () => {
    expect((await put({ eventsMonths: 6 })).statusCode).toBe(200);
    for (const eventsMonths of [0, -3, 1.5, '6', 5000]) {
      const r = await put({ eventsMonths });
      expect(r.statusCode, JSON.stringify(eventsMonths)).toBe(400);
      expect(r.body).toContain('eventsMonths');
    }
    const r = await h.app.inject({ method: 'GET', url: '/api/retention', headers: t.admin });
    expect(r.json()).toEqual({ eventsMonths: 6, effectiveEventsMonths: 6 });
    expect(() => parseConfig({ QATRA_RETENTION_EVENTS_MONTHS: '0' })).toThrow(ValidationError);
    expect(() => parseConfig({ QATRA_RETENTION_EVENTS_MONTHS: '-1' })).toThrow(/QATRA_RETENTION_EVENTS_MONTHS/);
  });

  it('a workspace without a setting follows the server default; unset, it keeps events forever', async () => {
    const other = await h.tenant();
    const get = () => h.app.inject({ method: 'GET', url: '/api/retention', headers: other.admin });
    expect((await get()).json()).toEqual({ eventsMonths: null, effectiveEventsMonths: null });
    await h.app.inject({ method: 'POST', url: '/v1/track', headers: other.write, payload: { userId: 'x', event: 'Old', timestamp: new Date(FROM).toISOString() } });
    const none = retentionTask(h.deps);
    await none.tick();
    expect(await h.deps.store.db.selectFrom('events').select('id').where('workspace_id', '=', other.workspaceId).execute()).toHaveLength(1);
    const withDefault = retentionTask({ ...h.deps, config: parseConfig({ QATRA_RETENTION_EVENTS_MONTHS: '3' }) });
    expect(await withDefault.tick()).toBeGreaterThanOrEqual(1);
    expect(await h.deps.store.db.selectFrom('events').select('id').where('workspace_id', '=', other.workspaceId).execute()).toHaveLength(0);
  });

  it('erasure stays complete across raw and rolled-up events: nothing of the person is left anywhere', async () => {
    const contact = await h.deps.store.db.selectFrom('contacts').select('id').where('workspace_id', '=', t.workspaceId).where('user_id', '=', 'ann').executeTakeFirstOrThrow();
    expect(await findInDatabase(h.deps.store, 'secret-ann')).not.toEqual([]);
    await eraseContact(h.deps, t.workspaceId, contact.id, null);
    for (const needle of ['secret-ann', 'ann.retention@example.test']) expect(await findInDatabase(h.deps.store, needle), needle).toEqual([]);
    expect(await findInDatabase(h.deps.store, 'secret-bob')).not.toEqual([]);
  }, 180_000); // the scan reads every column of every table
});
