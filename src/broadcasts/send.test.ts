import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { setConsent } from '../consent/consent.js';
import { suppress } from '../suppression/suppressions.js';
import { createSegment } from '../segments/segments.js';
import { addMembers } from '../lists/memberships.js';
import { countingChannel } from '../channels/counting/counting.js';
import { startDue } from './task.js';
import { broadcastFixture, outboxAddresses, type BroadcastFixture } from './test-kit.js';

describe.each(backends())('broadcasts sending on %s', (kind) => {
  let f: BroadcastFixture;
  beforeAll(async () => {
    f = await broadcastFixture(kind);
  });
  afterAll(async () => f?.close());

  it('a broadcast to a list sends once to each subscribed member through the email channel (outbox), and completes', async () => {
    const members = await Promise.all(['a', 'b', 'c', 'd'].map((n) => f.contact(`list-${n}@example.com`)));
    const pending = await f.contact('list-pending@example.com');
    await f.contact('list-outsider@example.com');
    const listId = await f.list(members);
    await addMembers(f.h.deps, f.t.workspaceId, listId, { contactIds: [pending.id], status: 'pending' });
    const { task } = f.worker();
    const b = await f.launch({ audience: { type: 'list', id: listId } });
    expect(b.status).toBe('scheduled');
    await f.drain(task);
    const done = await f.get(b.id);
    expect(done.status).toBe('completed');
    expect(done.progress).toEqual({ total: 4, sent: 4, failed: 0, skipped: 0, remaining: 0 });
    const sent = (await outboxAddresses(f)).filter((a) => a.startsWith('list-'));
    expect(sent).toEqual(members.map((m) => m.email).sort());
    const deliveries = await f.h.deps.store.db.selectFrom('deliveries').select(['idempotency_key', 'status']).where('idempotency_key', 'like', `broadcast:${b.id}:%`).execute();
    expect(deliveries.map((d) => d.idempotency_key).sort()).toEqual(members.map((m) => `broadcast:${b.id}:${m.id}`).sort());
    expect(deliveries.every((d) => d.status === 'sent')).toBe(true);
    // Another round of the worker sends nothing again.
    await f.drain(task);
    expect((await outboxAddresses(f)).filter((a) => a.startsWith('list-'))).toHaveLength(4);
  });

  it('a broadcast to a segment sends to its members only, once each', async () => {
    const pro = await Promise.all([1, 2, 3].map((i) => f.contact(`seg-pro${i}@example.com`, undefined, { tier: 'gold' })));
    await f.contact('seg-free@example.com', undefined, { tier: 'tin' });
    const segment = await createSegment(f.h.deps, f.t.workspaceId, { name: 'Gold', conditions: { type: 'attribute', attribute: 'tier', op: 'equals', value: 'gold' } });
    const { task } = f.worker();
    const b = await f.launch({ audience: { type: 'segment', id: segment.id } });
    await f.drain(task);
    expect((await f.get(b.id)).progress).toMatchObject({ total: 3, sent: 3, remaining: 0 });
    expect((await outboxAddresses(f)).filter((a) => a.startsWith('seg-'))).toEqual(pro.map((c) => c.email).sort());
  });

  it('contacts who unsubscribe or get suppressed after scheduling are skipped at send time', async () => {
    const cs = await Promise.all([1, 2, 3, 4].map((i) => f.contact(`late-${i}@example.com`)));
    const listId = await f.list(cs);
    const { rt, task } = f.worker();
    const start = f.h.clock.now() + 3_600_000;
    const b = await f.launch({ audience: { type: 'list', id: listId } }, start);
    await f.drain(task);
    expect((await f.get(b.id)).status).toBe('scheduled');
    f.h.clock.set(start);
    // The snapshot is taken with everyone in it; the unsubscribe and the bounce come after it.
    expect(await startDue(rt, start)).toBe(1);
    expect((await f.get(b.id)).progress).toMatchObject({ total: 4, remaining: 4 });
    await setConsent(f.h.deps, f.t.workspaceId, cs[0]!.id, { channel: 'email', status: 'unsubscribed', source: 'test' });
    await suppress(f.h.deps.store.db, { workspaceId: f.t.workspaceId, address: cs[1]!.email!, reason: 'hard_bounce', now: f.h.clock.now() });
    await f.drain(task);
    const done = await f.get(b.id);
    expect(done.progress).toEqual({ total: 4, sent: 2, failed: 0, skipped: 2, remaining: 0 });
    expect((await outboxAddresses(f)).filter((a) => a.startsWith('late-'))).toEqual([cs[2]!.email, cs[3]!.email]);
    const reasons = await f.h.deps.store.db.selectFrom('broadcast_recipients').select(['contact_id', 'error']).where('broadcast_id', '=', b.id).where('status', '=', 'skipped').execute();
    expect(new Map(reasons.map((r) => [r.contact_id, r.error]))).toEqual(
      new Map([
        [cs[0]!.id, 'unsubscribed from email'],
        [cs[1]!.id, 'suppressed: hard_bounce'],
      ]),
    );
  });

  it('the snapshot is taken at the start: a contact joining the list afterwards is not sent to', async () => {
    const early = await f.contact('snap-early@example.com');
    const listId = await f.list([early]);
    const { rt, task } = f.worker([countingChannel(f.h.deps)]);
    const b = await f.launch({ channel: 'counting', template: null, audience: { type: 'list', id: listId } });
    expect(await startDue(rt, f.h.clock.now())).toBe(1);
    const late = await f.contact('snap-late@example.com');
    await addMembers(f.h.deps, f.t.workspaceId, listId, { contactIds: [late.id], status: 'subscribed' });
    await f.drain(task);
    expect((await f.get(b.id)).progress).toMatchObject({ total: 1, sent: 1 });
  });
});
