import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import type { Signal } from '../events/signals.js';
import { SignalTap } from '../../test/signal-tap.js';
import { fromJson } from '../core/json.js';
import { processDirty, refreshDueSegment, segmentTask } from './task.js';
import { DAY } from './test-seed.js';

describe.each(backends())('segment membership kept current on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  const tap = new SignalTap();

  beforeAll(async () => {
    h = await createHarness(kind, {}, { extraSinks: [tap] });
    t = await h.tenant();
  });
  afterEach(() => tap.stop());
  afterAll(async () => h?.close());

  const recordSignals = (): Signal[] => tap.collect();
  const send = async (type: 'identify' | 'track', body: object) => {
    const res = await h.app.inject({ method: 'POST', url: `/v1/${type}`, headers: t.write, payload: body });
    expect(res.statusCode).toBe(200);
  };
  const contactId = async (userId: string) =>
    (await h.deps.store.db.selectFrom('contacts').select('id').where('workspace_id', '=', t.workspaceId).where('user_id', '=', userId).executeTakeFirstOrThrow()).id;
  const members = async (segmentId: string) => {
    const rows = await h.deps.store.db
      .selectFrom('segment_members as m')
      .innerJoin('contacts as c', 'c.id', 'm.contact_id')
      .select('c.user_id')
      .where('m.segment_id', '=', segmentId)
      .orderBy('c.user_id')
      .execute();
    return rows.map((r) => r.user_id);
  };
  const dirtyCount = async () =>
    Number(
      (
        await h.deps.store.db
          .selectFrom('segment_dirty')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const drain = async () => {
    let total = 0;
    for (let n = await processDirty(h.deps); n > 0; n = await processDirty(h.deps)) total += n;
    return total;
  };
  const refreshAllDue = async () => {
    while ((await refreshDueSegment(h.deps)) > 0);
  };
  const segmentEvents = async (userId: string) => {
    const rows = await h.deps.store.db
      .selectFrom('events')
      .select(['name', 'properties', 'message_id', 'timestamp'])
      .where('contact_id', '=', await contactId(userId))
      .where('type', '=', 'segment')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ name: r.name, segmentId: fromJson<{ segmentId: string }>(r.properties).segmentId, messageId: r.message_id }));
  };

  it('identify and track enter and exit exactly the affected contacts, recording events and signals', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/segments',
      headers: t.admin,
      payload: {
        name: 'pro buyers',
        conditions: {
          all: [
            { type: 'attribute', attribute: 'plan', op: 'equals', value: 'pro' },
            { type: 'event', event: 'Order Completed', withinDays: 30 },
          ],
        },
      },
    });
    expect(res.statusCode).toBe(201);
    const seg = res.json();
    expect(seg.memberCount).toBe(0);

    await send('identify', { userId: 'u1', traits: { plan: 'pro' } });
    await send('identify', { userId: 'u2', traits: { plan: 'pro' } });
    await send('identify', { userId: 'u3', traits: { plan: 'free' } });
    await send('track', { userId: 'u1', event: 'Order Completed', properties: { revenue: 10 } });
    await send('track', { userId: 'u3', event: 'Order Completed' });
    // One row per (segment, contact) however many signals touched it.
    expect(await dirtyCount()).toBe(3);

    const seen = recordSignals();
    expect(await drain()).toBe(3);
    expect(await members(seg.id)).toEqual(['u1']);
    const u1 = await contactId('u1');
    expect(seen.filter((s) => s.kind === 'segment_entered')).toEqual([{ kind: 'segment_entered', workspaceId: t.workspaceId, contactId: u1, segmentId: seg.id }]);
    expect(await segmentEvents('u1')).toEqual([{ name: 'segment.entered', segmentId: seg.id, messageId: `segment:${seg.id}:entered:${u1}:${h.clock.now()}` }]);

    // An event or attribute the segment does not read marks nothing.
    await send('track', { userId: 'u2', event: 'Page Viewed' });
    await send('identify', { userId: 'u2', traits: { color: 'red' } });
    expect(await dirtyCount()).toBe(0);

    h.clock.advance(60_000);
    await send('identify', { userId: 'u1', traits: { plan: 'free' } });
    await send('track', { userId: 'u2', event: 'Order Completed' });
    expect(await dirtyCount()).toBe(2);
    expect(await segmentTask(h.deps).tick()).toBe(2);
    expect(await members(seg.id)).toEqual(['u2']);
    expect((await segmentEvents('u1')).map((e) => e.name)).toEqual(['segment.entered', 'segment.exited']);
    expect((await segmentEvents('u2')).map((e) => e.name)).toEqual(['segment.entered']);
    expect(seen.flatMap((s) => (s.kind === 'segment_entered' ? [s.contactId] : []))).toEqual([u1, await contactId('u2')]);
    expect((await segmentEvents('u3')).length).toBe(0);

    // Nothing changed: re-checking records nothing.
    await send('identify', { userId: 'u2', traits: { plan: 'pro', note: 'again' } });
    await drain();
    expect((await segmentEvents('u2')).length).toBe(1);
  });

  it('a scheduled recompute moves a contact out when its window slides', async () => {
    await send('track', { userId: 'w1', event: 'Signed In' });
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/segments',
      headers: t.admin,
      payload: { name: 'active this week', refreshIntervalMinutes: 60, conditions: { type: 'event', event: 'Signed In', withinDays: 7 } },
    });
    const seg = res.json();
    expect(seg.refreshIntervalMinutes).toBe(60);
    expect(await members(seg.id)).toEqual(['w1']);
    await drain();

    const computedAt = async () => Number((await h.deps.store.db.selectFrom('segments').select('computed_at').where('id', '=', seg.id).executeTakeFirstOrThrow()).computed_at);
    const created = h.clock.now();
    h.clock.advance(30 * 60_000);
    await refreshAllDue();
    expect(await computedAt()).toBe(created); // not due yet
    h.clock.advance(31 * 60_000);
    await refreshAllDue();
    expect(await computedAt()).toBe(h.clock.now());
    expect(await members(seg.id)).toEqual(['w1']);

    h.clock.advance(7 * DAY);
    await refreshAllDue();
    expect(await members(seg.id)).toEqual([]);
    expect((await segmentEvents('w1')).map((e) => e.name)).toEqual(['segment.entered', 'segment.exited']);
    const row = await h.deps.store.db.selectFrom('segments').select(['computed_at', 'next_refresh_at']).where('id', '=', seg.id).executeTakeFirstOrThrow();
    expect(Number(row.next_refresh_at)).toBe(h.clock.now() + 60 * 60_000);
  });
  it('entering a segment puts a segment_entered signal in the inbox of a journey triggered by it', async () => {
    const seg = (
      await h.app.inject({ method: 'POST', url: '/api/segments', headers: t.admin, payload: { id: 'vips', name: 'VIPs', conditions: { type: 'lead_score', op: 'gte', value: 90 } } })
    ).json();
    const journey = await h.app.inject({
      method: 'POST',
      url: '/api/journeys',
      headers: t.admin,
      payload: {
        id: 'vip-welcome',
        name: 'VIP welcome',
        status: 'live',
        trigger: { type: 'segment_entered', segment: seg.id },
        entry: { reentry: { mode: 'never' } },
        start: 'd1',
        nodes: [
          { id: 'd1', type: 'delay', duration: '1d' },
          { id: 'done', type: 'exit' },
        ],
        edges: [{ from: 'd1', to: 'done' }],
      },
    });
    expect(journey.statusCode).toBe(201);
    await send('identify', { userId: 'vip1', traits: { lead_score: 95 } });
    await send('identify', { userId: 'vip2', traits: { lead_score: 10 } });
    await drain();
    const inbox = await h.deps.store.db.selectFrom('journey_inbox').select(['kind', 'contact_id', 'payload']).where('workspace_id', '=', t.workspaceId).where('kind', '=', 'segment_entered').execute();
    expect(inbox.map((r) => ({ kind: r.kind, contactId: r.contact_id, payload: fromJson(r.payload) }))).toEqual([
      { kind: 'segment_entered', contactId: await contactId('vip1'), payload: { segmentId: 'vips' } },
    ]);
  });
});
