import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { countedSends } from '../../channels/counting/counting.js';
import { deleteContact } from '../../contacts/contacts.js';
import { runtimeFixture, type RuntimeFixture } from './runtime.testkit.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const count = (id: string) => ({ id, type: 'message', channel: 'counting' });

const cart = {
  id: 'cart',
  name: 'Abandoned cart',
  trigger: { type: 'event', event: 'checkout_started', where: [{ property: 'total', op: 'gt', value: 0 }] },
  entry: { reentry: { mode: 'after_exit' } },
  start: 'wait-order',
  nodes: [
    { id: 'wait-order', type: 'wait_for_event', event: 'order_completed', where: [{ property: 'cart_id', op: 'exists' }], timeout: '4h' },
    count('thanks'),
    count('reminder'),
    { id: 'bought', type: 'exit' },
    { id: 'gave-up', type: 'exit' },
  ],
  edges: [
    { from: 'wait-order', output: 'event', to: 'thanks' },
    { from: 'wait-order', output: 'timeout', to: 'reminder' },
    { from: 'thanks', to: 'bought' },
    { from: 'reminder', to: 'gave-up' },
  ],
};

function delayThenSend(id: string, event: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    name: id,
    trigger: { type: 'event', event },
    start: 'd1',
    nodes: [{ id: 'd1', type: 'delay', duration: '3d' }, count('m1'), { id: 'done', type: 'exit' }],
    edges: [
      { from: 'd1', to: 'm1' },
      { from: 'm1', to: 'done' },
    ],
    ...extra,
  };
}

describe.each(backends())('journey events on %s', (kind) => {
  let f: RuntimeFixture;
  beforeAll(async () => {
    f = await runtimeFixture(kind);
    await f.live(cart);
  });
  afterAll(async () => f?.close());

  const stepsOf = async (runId: string) => (await f.steps(runId)).map((s) => `${s.node}:${s.outcome}`);
  const runOf = async (journey: string, contactId: string) => (await f.runs(journey)).filter((r) => r.contactId === contactId);

  it('abandoned cart: the order event resumes the wait along `event`, and its properties become event.*', async () => {
    const c = await f.contact({ userId: 'cart-buyer' });
    await f.track('cart-buyer', 'checkout_started', { total: 50, cart_id: 'c1' });
    await f.worker.drain();
    const [waiting] = await runOf('cart', c.id);
    expect(waiting!.status).toBe('waiting');
    expect(waiting!.dueAt).toBe(f.h.clock.now() + 4 * HOUR);
    await f.advance(HOUR);
    await f.track('cart-buyer', 'order_completed', { total: 50 }); // no cart_id: does not match the wait
    await f.worker.drain();
    expect((await runOf('cart', c.id))[0]!.status).toBe('waiting');
    await f.track('cart-buyer', 'order_completed', { total: 50, cart_id: 'c1' });
    await f.worker.drain();
    const [run] = await runOf('cart', c.id);
    expect(run!.status).toBe('completed');
    expect(run!.event).toEqual({ total: 50, cart_id: 'c1' });
    expect(run!.trigger).toEqual({ total: 50, cart_id: 'c1' });
    expect(await stepsOf(run!.id)).toEqual(['wait-order:waiting', 'wait-order:event', 'thanks:sent', 'bought:completed']);
  });

  it('abandoned cart: without the order, the wait times out along `timeout` and the reminder is sent once', async () => {
    const c = await f.contact({ userId: 'cart-leaver' });
    await f.track('cart-leaver', 'checkout_started', { total: 20 });
    await f.track('cart-leaver', 'checkout_started', { total: 0 }); // filtered out by the trigger
    await f.worker.drain();
    await f.advance(4 * HOUR - 1);
    expect((await runOf('cart', c.id))[0]!.status).toBe('waiting');
    await f.advance(1);
    const runs = await runOf('cart', c.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.status).toBe('completed');
    expect(await stepsOf(runs[0]!.id)).toEqual(['wait-order:waiting', 'wait-order:timeout', 'reminder:sent', 'gave-up:completed']);
    expect(await countedSends(f.h.deps.store.db, f.t.workspaceId, `run:${runs[0]!.id}:reminder:3`)).toBe(1);
  });

  it('a goal event ends the run at once as converted, with the value from valueProperty', async () => {
    await f.live(delayThenSend('upsell', 'trial_started', { goal: { event: 'purchase', valueProperty: 'amount' } }));
    const c = await f.contact({ userId: 'goal-getter' });
    await f.track('goal-getter', 'trial_started');
    await f.worker.drain();
    await f.advance(HOUR);
    await f.track('goal-getter', 'purchase', { amount: 49.5 });
    await f.worker.drain();
    const [run] = await runOf('upsell', c.id);
    expect(run!.status).toBe('converted');
    expect(run!.goalValue).toBe(49.5);
    expect(run!.endedAt).toBe(f.h.clock.now());
    await f.advance(5 * DAY);
    expect(await stepsOf(run!.id)).toEqual(['d1:delayed', '$goal:converted']);
    expect(await countedSends(f.h.deps.store.db, f.t.workspaceId, `run:${run!.id}:m1:2`)).toBe(0);
  });

  it('an exitWhen event ends the run without credit', async () => {
    await f.live(delayThenSend('nurture', 'lead_created', { exitWhen: [{ event: 'opted_out', where: [{ property: 'all', op: 'eq', value: true }] }] }));
    const c = await f.contact({ userId: 'quitter' });
    await f.track('quitter', 'lead_created');
    await f.worker.drain();
    await f.track('quitter', 'opted_out', { all: false });
    await f.worker.drain();
    expect((await runOf('nurture', c.id))[0]!.status).toBe('active');
    await f.track('quitter', 'opted_out', { all: true });
    await f.worker.drain();
    const [run] = await runOf('nurture', c.id);
    expect(run!.status).toBe('exited');
    expect(run!.exitReason).toBe('exit_event:opted_out');
    expect(run!.goalValue).toBeNull();
  });

  it('a contact deleted mid-journey ends its runs and gets nothing more', async () => {
    await f.live(delayThenSend('drip', 'joined'));
    const c = await f.contact({ userId: 'leaving' });
    await f.track('leaving', 'joined');
    await f.worker.drain();
    await deleteContact(f.h.deps, f.t.workspaceId, c.id);
    const [run] = await runOf('drip', c.id);
    expect(run!.status).toBe('exited');
    expect(run!.exitReason).toBe('contact_deleted');
    await f.advance(4 * DAY);
    expect(await countedSends(f.h.deps.store.db, f.t.workspaceId, `run:${run!.id}:m1:2`)).toBe(0);
  });

  it('pausing a journey holds its runs; resuming continues them', async () => {
    await f.live(delayThenSend('pausable', 'begun'));
    const c = await f.contact({ userId: 'held' });
    await f.track('held', 'begun');
    await f.worker.drain();
    await f.pause('pausable');
    await f.advance(5 * DAY);
    const [held] = await runOf('pausable', c.id);
    expect(held!.status).toBe('active');
    expect(held!.node).toBe('m1');
    await f.resume('pausable');
    await f.worker.drain();
    const [done] = await runOf('pausable', c.id);
    expect(done!.status).toBe('completed');
    expect(await countedSends(f.h.deps.store.db, f.t.workspaceId, `run:${done!.id}:m1:2`)).toBe(1);
  });

  it('a run still open after the maximum duration ends as timed out', async () => {
    const doc = delayThenSend('short-lived', 'begin-short', { settings: { maxDuration: '2d' } });
    (doc.nodes[0] as { duration: string }).duration = '5d';
    await f.live(doc);
    const c = await f.contact({ userId: 'slow' });
    await f.track('slow', 'begin-short');
    await f.worker.drain();
    const [waiting] = await runOf('short-lived', c.id);
    expect(waiting!.dueAt).toBe(waiting!.enteredAt + 2 * DAY);
    await f.advance(2 * DAY);
    const [run] = await runOf('short-lived', c.id);
    expect(run!.status).toBe('timed_out');
    expect(run!.exitReason).toBe('max_duration');
    expect(await countedSends(f.h.deps.store.db, f.t.workspaceId, `run:${run!.id}:m1:2`)).toBe(0);
  });
});
