import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { emailKit, type EmailKit } from '../channels/email/test-kit.js';

describe.each(backends())('the transactional send API and message records on %s', (kind) => {
  let k: EmailKit;
  beforeAll(async () => {
    k = await emailKit(kind);
  });
  afterAll(async () => k?.close());

  const send = (payload: object) => k.h.app.inject({ method: 'POST', url: '/api/messages/send', headers: k.t.admin, payload });

  it('sends to an email address (creating the contact) and records the message', async () => {
    k.sink.clear();
    const res = await send({ templateId: 'receipt', email: 'New.Buyer@Example.org', data: { order: 'Z-9' } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.result.status).toBe('sent');
    expect(body.message).toMatchObject({ status: 'sent', kind: 'transactional', templateId: 'receipt', templateVersion: 1, to: 'new.buyer@example.org', subject: 'Your receipt Z-9' });
    const [mail] = await k.sink.waitFor(1);
    expect(mail!.parsed.subject).toBe('Your receipt Z-9');
    const one = await k.h.app.inject({ method: 'GET', url: `/api/messages/${body.message.id}`, headers: k.t.admin });
    expect(one.json()).toMatchObject({ id: body.message.id, status: 'sent' });
    const list = await k.h.app.inject({ method: 'GET', url: `/api/messages?contactId=${body.message.contactId}`, headers: k.t.admin });
    expect(list.json().data.map((m: { id: string }) => m.id)).toEqual([body.message.id]);
  });

  it('bypasses marketing consent, and the same idempotencyKey never sends twice', async () => {
    const c = await k.contact('optout@example.org');
    await k.h.app.inject({ method: 'PUT', url: `/api/contacts/${c.id}/consent/email`, headers: k.t.admin, payload: { status: 'unsubscribed' } });
    k.sink.clear();
    const a = await send({ templateId: 'receipt', contactId: c.id, data: { order: '1' }, idempotencyKey: 'order-1' });
    const b = await send({ templateId: 'receipt', contactId: c.id, data: { order: '1' }, idempotencyKey: 'order-1' });
    expect(a.json().result.status).toBe('sent');
    expect(b.json().result.status).toBe('sent');
    expect(b.json().message.id).toBe(a.json().message.id);
    await k.sink.waitFor(1);
    await new Promise((r) => setTimeout(r, 150));
    expect(k.sink.mails).toHaveLength(1);
  });

  it('never sends to a complained or manually suppressed address', async () => {
    for (const [address, reason] of [
      ['angry@example.org', 'complaint'],
      ['blocked@example.org', 'manual'],
    ] as const) {
      const add = await k.h.app.inject({ method: 'POST', url: '/api/suppressions', headers: k.t.admin, payload: { address, reason } });
      expect(add.statusCode).toBe(200);
      const res = await send({ templateId: 'receipt', email: address, data: { order: '2' } });
      expect(res.json().result).toEqual({ status: 'skipped', reason: `suppressed: ${reason}` });
      expect(res.json().message.status).toBe('skipped');
    }
  });

  it('bad input is a 400 with the field path; unknown contact or template is a clear answer, never a 500', async () => {
    const none = await send({ templateId: 'receipt' });
    expect(none.statusCode).toBe(400);
    const two = await send({ templateId: 'receipt', email: 'a@example.org', userId: 'u1' });
    expect(two.statusCode).toBe(400);
    const badEmail = await send({ templateId: 'receipt', email: 'nope' });
    expect(badEmail.statusCode).toBe(400);
    expect(badEmail.json().error.issues[0].path).toBe('body.email');
    const unknownContact = await send({ templateId: 'receipt', contactId: 'ct_missing' });
    expect(unknownContact.statusCode).toBe(404);
    const unknownTemplate = await send({ templateId: 'no-such-template', email: 'x@example.org' });
    expect(unknownTemplate.statusCode).toBe(200);
    expect(unknownTemplate.json().result.status).toBe('permanent');
    expect(unknownTemplate.json().message.status).toBe('failed');
  });

  it('message records are per workspace', async () => {
    const other = await k.h.tenant();
    const mine = await send({ templateId: 'receipt', email: 'mine@example.org', data: { order: '3' } });
    const res = await k.h.app.inject({ method: 'GET', url: `/api/messages/${mine.json().message.id}`, headers: other.admin });
    expect(res.statusCode).toBe(404);
  });
});
