import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { runtimeFixture, type RuntimeFixture } from './runtime.testkit.js';

const HOUR = 3_600_000;

/** Abandoned cart: wait 4 h for the order, else one counted reminder. */
const cart = {
  id: 'cart-merge',
  name: 'Abandoned cart',
  trigger: { type: 'event', event: 'checkout_started' },
  start: 'wait-order',
  nodes: [
    { id: 'wait-order', type: 'wait_for_event', event: 'order_completed', timeout: '4h' },
    { id: 'reminder', type: 'message', channel: 'counting' },
    { id: 'bought', type: 'exit' },
    { id: 'gave-up', type: 'exit' },
  ],
  edges: [
    { from: 'wait-order', output: 'event', to: 'bought' },
    { from: 'wait-order', output: 'timeout', to: 'reminder' },
    { from: 'reminder', to: 'gave-up' },
  ],
};

describe.each(backends())('a merged contact keeps its journeys and messages on %s', (kind) => {
  let f: RuntimeFixture;
  let seq = 0;
  beforeAll(async () => {
    f = await runtimeFixture(kind);
    await f.live(cart);
  });
  afterAll(async () => f?.close());

  const call = async (type: string, body: Record<string, unknown>) => {
    const res = await f.h.app.inject({ method: 'POST', url: `/v1/${type}`, headers: f.t.write, payload: { messageId: `merge-${++seq}`, ...body } });
    expect(res.statusCode, res.body).toBe(200);
  };
  const contactOf = async (anonymousId: string) =>
    (await f.h.deps.store.db.selectFrom('contact_anonymous_ids').select('contact_id').where('workspace_id', '=', f.t.workspaceId).where('anonymous_id', '=', anonymousId).executeTakeFirstOrThrow())
      .contact_id;
  const sendsTo = async (contactId: string) => (await f.h.deps.store.db.selectFrom('channel_counting_sends').select('id').where('contact_id', '=', contactId).execute()).length;

  it('an anonymous cart abandoner who signs in still gets the reminder, as the known contact', async () => {
    const known = await f.contact({ userId: 'u-cart', email: 'cart@example.com' });
    await call('track', { anonymousId: 'anon-cart', event: 'checkout_started', properties: { total: 40 } });
    await f.advance(1);
    const anon = await contactOf('anon-cart');
    expect(anon).not.toBe(known.id);
    expect((await f.runs('cart-merge')).filter((r) => r.contactId === anon)).toHaveLength(1);

    await call('identify', { userId: 'u-cart', anonymousId: 'anon-cart', traits: {} });
    await f.advance(5 * HOUR);

    const runs = (await f.runs('cart-merge')).filter((r) => r.contactId === known.id || r.contactId === anon);
    expect(runs.map((r) => [r.contactId, r.status, r.exitReason])).toEqual([[known.id, 'completed', 'exit_node']]);
    expect(await sendsTo(known.id)).toBe(1);
    expect(await sendsTo(anon)).toBe(0);
  });

  it('when both had the journey open, the survivor goes on and the merged run ends as contact_merged: one reminder', async () => {
    const known = await f.contact({ userId: 'u-both' });
    await f.track('u-both', 'checkout_started', { total: 10 });
    await call('track', { anonymousId: 'anon-both', event: 'checkout_started', properties: { total: 20 } });
    await f.advance(1);
    const anon = await contactOf('anon-both');
    await call('alias', { userId: 'u-both', previousId: 'anon-both' });
    await f.advance(5 * HOUR);

    const runs = (await f.runs('cart-merge')).filter((r) => r.contactId === known.id);
    expect(runs.map((r) => [r.status, r.exitReason]).sort()).toEqual([
      ['completed', 'exit_node'],
      ['exited', 'contact_merged'],
    ]);
    expect(await sendsTo(known.id)).toBe(1);
    expect(await f.h.deps.store.db.selectFrom('journey_runs').select('id').where('contact_id', '=', anon).execute()).toEqual([]);
  });

  it('message records of the merged contact move to the survivor instead of cascading away', async () => {
    const known = await f.contact({ userId: 'u-msg' });
    await call('page', { anonymousId: 'anon-msg', name: 'Landing' });
    const anon = await contactOf('anon-msg');
    const now = f.h.clock.now();
    await f.h.deps.store.db
      .insertInto('messages')
      .values({
        id: 'msg_merge_1',
        workspace_id: f.t.workspaceId,
        contact_id: anon,
        channel: 'email',
        kind: 'marketing',
        idempotency_key: 'merge-test-1',
        status: 'sent',
        links: '[]',
        open_count: 2,
        created_at: now,
        updated_at: now,
        sent_at: now,
      } as never)
      .execute();

    await call('identify', { userId: 'u-msg', anonymousId: 'anon-msg', traits: {} });

    const row = await f.h.deps.store.db.selectFrom('messages').select(['contact_id', 'open_count']).where('id', '=', 'msg_merge_1').executeTakeFirst();
    expect(row && [row.contact_id, Number(row.open_count)]).toEqual([known.id, 2]);
  });
});
