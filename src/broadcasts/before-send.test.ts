import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { setConsent } from '../consent/consent.js';
import { suppress } from '../suppression/suppressions.js';
import { createContact } from '../contacts/contacts.js';
import { addMembers } from '../lists/memberships.js';
import { broadcastFixture, outboxAddresses, type BroadcastFixture } from './test-kit.js';

describe.each(backends())('a broadcast before it sends on %s', (kind) => {
  let f: BroadcastFixture;
  beforeAll(async () => {
    f = await broadcastFixture(kind);
  });
  afterAll(async () => f?.close());

  it('counts the recipients the send then sends to: unsubscribed, suppressed, topic-unsubscribed and address-less members are left out', async () => {
    const cs = await Promise.all(['ok1', 'ok2', 'unsub', 'bounced', 'topic'].map((n) => f.contact(`count-${n}@example.com`)));
    const phoneOnly = await createContact(f.h.deps, f.t.workspaceId, { phone: '+966501112233' });
    const listId = await f.list([...cs, phoneOnly]);
    const pending = await f.contact('count-pending@example.com');
    await addMembers(f.h.deps, f.t.workspaceId, listId, { contactIds: [pending.id], status: 'pending' });
    await setConsent(f.h.deps, f.t.workspaceId, cs[2]!.id, { channel: 'email', status: 'unsubscribed', source: 'test' });
    await suppress(f.h.deps.store.db, { workspaceId: f.t.workspaceId, address: cs[3]!.email!, reason: 'hard_bounce', now: f.h.clock.now() });
    await setConsent(f.h.deps, f.t.workspaceId, cs[4]!.id, { channel: 'email', topic: 'news', status: 'unsubscribed', source: 'test' });

    const draft = (await f.api('POST', '/api/broadcasts', { name: 'Count me', template: 'welcome-1', topic: 'news', audience: { type: 'list', id: listId } })).json();
    const count = await f.api('GET', `/api/broadcasts/${draft.id}/recipients`);
    expect(count.statusCode).toBe(200);
    expect(count.json()).toEqual({ audience: 6, recipients: 2, excluded: { unsubscribed: 1, suppressed: 2, noAddress: 1 }, sampleContactId: [cs[0]!.id, cs[1]!.id].sort()[0] });

    // The send reaches exactly the counted recipients.
    const { task } = f.worker();
    expect((await f.api('POST', `/api/broadcasts/${draft.id}/schedule`, {})).statusCode).toBe(200);
    await f.drain(task);
    const done = await f.get(draft.id);
    expect(done.progress.sent).toBe(count.json().recipients);
    expect((await outboxAddresses(f)).filter((a) => a.startsWith('count-'))).toEqual([cs[0]!.email, cs[1]!.email].sort());
    expect((await f.api('GET', '/api/broadcasts/bc_nope/recipients')).statusCode).toBe(404);
  });

  it('a scheduled broadcast is edited until it starts; once sending, an edit is refused with 409 and nothing changes', async () => {
    const listId = await f.list([await f.contact('edit-1@example.com')]);
    const b = await f.launch({ name: 'Spring', audience: { type: 'list', id: listId } }, f.h.clock.now() + 3_600_000);
    expect(b.status).toBe('scheduled');
    const edited = await f.api('PATCH', `/api/broadcasts/${b.id}`, { name: 'Spring sale', sendAt: f.h.clock.now() + 60_000 });
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({ name: 'Spring sale', status: 'scheduled', sendAt: f.h.clock.now() + 60_000 });
    const bad = await f.api('PATCH', `/api/broadcasts/${b.id}`, { ratePerSecond: 0 });
    expect(bad.statusCode).toBe(400);

    f.h.clock.advance(120_000);
    const { task } = f.worker();
    await f.drain(task);
    expect((await f.get(b.id)).status).toBe('completed');
    const late = await f.api('PATCH', `/api/broadcasts/${b.id}`, { name: 'Too late' });
    expect(late.statusCode).toBe(409);
    expect(late.json().error.issues[0].path).toBe('status');
    expect((await f.get(b.id)).name).toBe('Spring sale');
  });

  it('a test send goes through the email channel to the typed address, recorded as a test, and moves no figure', async () => {
    const listId = await f.list([await f.contact('real-1@example.com')]);
    const draft = (await f.api('POST', '/api/broadcasts', { name: 'Tested', template: 'welcome-1', audience: { type: 'list', id: listId } })).json();
    const before = (await f.api('GET', '/api/templates/welcome-1/stats')).json();
    const res = await f.api('POST', `/api/broadcasts/${draft.id}/test`, { email: 'Tester@Example.com' });
    expect(res.statusCode, JSON.stringify(res.json())).toBe(200);
    expect(res.json().result.status).toBe('sent');
    expect(await outboxAddresses(f)).toContain('tester@example.com');
    const msg = await f.h.deps.store.db.selectFrom('messages').select(['idempotency_key', 'template_id', 'status']).where('id', '=', res.json().messageId).executeTakeFirstOrThrow();
    expect(msg).toMatchObject({ template_id: 'welcome-1', status: 'sent' });
    expect(msg.idempotency_key.startsWith(`test:broadcast:${draft.id}:`)).toBe(true);
    const after = (await f.api('GET', '/api/templates/welcome-1/stats')).json();
    expect(typeof before.total.messages.sent).toBe('number');
    expect(after.total.messages.sent).toBe(before.total.messages.sent);
    expect((await f.get(draft.id)).progress).toEqual({ total: 0, sent: 0, failed: 0, skipped: 0, remaining: 0 });
    expect((await f.get(draft.id)).status).toBe('draft');

    const none = await f.api('POST', `/api/broadcasts/${draft.id}/test`, {});
    expect(none.statusCode).toBe(400);
    expect(none.json().error.issues[0].path).toBe('body.email');
    const badAddress = await f.api('POST', `/api/broadcasts/${draft.id}/test`, { email: 'not an address' });
    expect(badAddress.statusCode).toBe(400);
  });
});
