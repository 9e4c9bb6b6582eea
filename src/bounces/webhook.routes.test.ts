import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { emailKit, type EmailKit } from '../channels/email/test-kit.js';
import { findMessage, type Message } from '../messages/records.js';
import { suppressionsOf } from '../suppression/suppressions.js';

describe.each(backends())('the provider event webhook on %s', (kind) => {
  let k: EmailKit;
  let n = 0;
  beforeAll(async () => {
    k = await emailKit(kind);
  });
  afterAll(async () => k?.close());

  async function sent(email: string): Promise<Message> {
    const c = await k.contact(email);
    const key = `wh:${++n}`;
    expect((await k.send(c, { template: 'welcome-1', key })).status).toBe('sent');
    const row = await k.h.deps.store.db.selectFrom('messages').select('id').where('idempotency_key', '=', key).executeTakeFirstOrThrow();
    return (await findMessage(k.h.deps.store.db, row.id))!;
  }

  const post = (payload: unknown, headers: Record<string, string> = k.t.admin, query = '') =>
    k.h.app.inject({ method: 'POST', url: `/api/webhooks/email-events${query}`, headers, payload: payload as object });

  it('a hard bounce by our message id suppresses the address and marks the message; the same event again is a duplicate', async () => {
    const m = await sent('wh-hard@example.org');
    const event = { type: 'bounced', messageId: m.id, recipient: 'wh-hard@example.org', bounceType: 'hard', status: '5.1.1', diagnostic: '550 5.1.1 user unknown', timestamp: '2026-01-05T12:00:00Z' };
    const res = await post({ events: [event] });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ results: [{ index: 0, status: 'applied', messageId: m.id, suppressed: true }] });
    expect((await findMessage(k.h.deps.store.db, m.id))!.status).toBe('bounced');
    expect((await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, 'wh-hard@example.org')).map((s) => [s.reason, s.source])).toEqual([['hard_bounce', 'webhook']]);
    const ev = await k.h.deps.store.db.selectFrom('events').select(['timestamp']).where('contact_id', '=', m.contactId).where('name', '=', 'email.bounced').execute();
    expect(ev.map((e) => e.timestamp)).toEqual([Date.parse('2026-01-05T12:00:00Z')]);
    expect((await post({ events: [event] })).json().results[0].status).toBe('duplicate');
  });

  it('soft bounces by the provider message id count; a delivery in between starts the count again; the limit suppresses', async () => {
    const address = 'wh-soft@example.org';
    const c = await k.contact(address);
    const send = async () => {
      const key = `wh:${++n}`;
      await k.send(c, { template: 'welcome-1', key });
      const row = await k.h.deps.store.db.selectFrom('messages').selectAll().where('idempotency_key', '=', key).executeTakeFirstOrThrow();
      return row;
    };
    const soft = async (row: { provider_message_id: string | null }) => (await post({ events: [{ type: 'bounced', providerMessageId: row.provider_message_id, status: '4.2.2' }] })).json().results[0];
    const a = await send();
    expect(a.provider_message_id).toBeTruthy();
    expect(await soft(a)).toMatchObject({ status: 'applied', suppressed: false });
    expect(await soft(await send())).toMatchObject({ status: 'applied', suppressed: false });
    const d = await send();
    expect((await post({ events: [{ type: 'delivered', messageId: d.id }] })).json().results[0].status).toBe('applied');
    expect(await k.h.deps.store.db.selectFrom('email_soft_bounces').selectAll().where('address', '=', address).execute()).toEqual([]);
    expect(await soft(await send())).toMatchObject({ suppressed: false });
    expect(await soft(await send())).toMatchObject({ suppressed: false });
    expect(await soft(await send())).toMatchObject({ status: 'applied', suppressed: true });
    expect((await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, address)).map((s) => s.reason)).toEqual(['hard_bounce']);
  });

  it('a complaint authenticated by the workspace webhook secret suppresses and withdraws consent; a wrong secret is 401', async () => {
    const rotated = await k.h.app.inject({ method: 'POST', url: '/api/webhooks/email-events/secret', headers: k.t.admin });
    expect(rotated.statusCode).toBe(200);
    const { secret } = rotated.json();
    const m = await sent('wh-angry@example.org');
    expect((await post({ events: [{ type: 'complained', messageId: m.id }] }, { 'x-qatra-webhook-secret': 'whsec_wrong' })).statusCode).toBe(401);
    const res = await post({ events: [{ type: 'complained', providerMessageId: m.headerMessageId }] }, {}, `?secret=${encodeURIComponent(secret)}`);
    expect(res.json()).toEqual({ results: [{ index: 0, status: 'applied', messageId: m.id, suppressed: true }] });
    expect((await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, 'wh-angry@example.org')).map((s) => s.reason)).toEqual(['complaint']);
    const consent = await k.h.deps.store.db.selectFrom('consents').selectAll().where('contact_id', '=', m.contactId).executeTakeFirstOrThrow();
    expect(consent).toMatchObject({ channel: 'email', topic: '', status: 'unsubscribed', source: 'complaint:webhook' });
    // A write key is not enough.
    expect((await post({ events: [{ type: 'opened', messageId: m.id }] }, k.t.write)).statusCode).toBe(403);
  });

  it("another workspace's message is unmatched, and an invalid event is a 400 naming the field with nothing applied", async () => {
    const m = await sent('wh-other@example.org');
    const other = await k.h.tenant();
    expect((await post({ events: [{ type: 'bounced', messageId: m.id, bounceType: 'hard' }] }, other.admin)).json().results[0]).toMatchObject({ status: 'unmatched' });
    const bad = await post({
      events: [
        { type: 'bounced', messageId: m.id, bounceType: 'hard' },
        { type: 'bounced', messageId: m.id },
        { type: 'exploded', messageId: m.id },
      ],
    });
    expect(bad.statusCode).toBe(400);
    const paths = bad.json().error.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['body.events.1.bounceType', 'body.events.2.type']));
    expect((await findMessage(k.h.deps.store.db, m.id))!.status).toBe('sent');
    expect(await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, 'wh-other@example.org')).toEqual([]);
  });
});
