import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../../test/backends.js';
import { ManualClock } from '../../../../core/clock.js';
import { findMessage } from '../../../../messages/records.js';
import { suppressionsOf } from '../../../../suppression/suppressions.js';
import { emailKit, type EmailKit } from '../../test-kit.js';
import { startHookApp } from '../esp/fake-server.testkit.js';
import { espEmailSettings, sampleEmail } from '../esp/sample.testkit.js';
import { createMailgunProvider } from './mailgun.js';
import { mailgunEvent, startMailgunFake, type MailgunFake } from './mailgun.testkit.js';

describe('the mailgun provider against the Mailgun test server', () => {
  let fake: MailgunFake;
  const clock = new ManualClock();
  beforeAll(async () => {
    fake = await startMailgunFake();
  });
  afterAll(async () => fake?.close());
  const provider = (apiKey = fake.apiKey, domain = fake.domain) =>
    createMailgunProvider({ clock, allowPrivateOutbound: true }, espEmailSettings({ kind: 'mailgun', region: 'eu', baseUrl: fake.baseUrl, domain }), { esp: { apiKey } });

  it('posts the raw MIME as multipart with basic auth api:<key>, the record id as v:qatra_message_id and tracking off', async () => {
    const p = provider();
    expect(await p.send(sampleEmail('mg@example.org'))).toEqual({ status: 'sent', providerMessageId: '<abc.0123456789abcdef0123@news.example.com>' });
    const form = fake.forms.at(-1)!;
    expect(form.fields).toEqual({ to: 'mg@example.org', 'v:qatra_message_id': 'msg_01hzzzzzzzzzzzzzzzzzzzzzzz', 'o:tracking': 'no' });
    expect(form.message).toContain('Message-ID: <abc.0123456789abcdef0123@news.example.com>\r\n');
    expect(form.message).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n');
    expect(fake.received.at(-1)!.path).toBe('/v3/mg.news.example.com/messages.mime');
    await p.close();
  });

  it('maps Mailgun errors: 400 → permanent; a wrong key, an unknown domain, 429, 500 → retryable', async () => {
    fake.failures.set('bad@example.org', { status: 400, message: 'to parameter is not a valid address. please check documentation' });
    fake.failures.set('busy@example.org', { status: 429, message: 'Too many requests' });
    fake.failures.set('down@example.org', { status: 500, message: 'internal' });
    const p = provider();
    expect(await p.send(sampleEmail('bad@example.org'))).toEqual({ status: 'permanent', reason: 'mailgun HTTP 400: to parameter is not a valid address. please check documentation' });
    expect(await p.send(sampleEmail('busy@example.org'))).toMatchObject({ status: 'retryable' });
    expect(await p.send(sampleEmail('down@example.org'))).toMatchObject({ status: 'retryable' });
    const wrongKey = provider('key-wrong');
    expect(await wrongKey.send(sampleEmail('ok@example.org'))).toMatchObject({ status: 'retryable', reason: 'mailgun HTTP 401: Forbidden' });
    const wrongDomain = provider(fake.apiKey, 'mg.other.example.com');
    expect(await wrongDomain.send(sampleEmail('ok@example.org'))).toMatchObject({ status: 'retryable', reason: expect.stringContaining('Domain not found') });
    await Promise.all([p.close(), wrongKey.close(), wrongDomain.close()]);
  });
});

describe.each(backends())('Mailgun webhooks on %s', (kind) => {
  let k: EmailKit;
  let fake: MailgunFake;
  let hooks: Awaited<ReturnType<typeof startHookApp>>;
  let url: string;
  let n = 0;
  const now = () => Math.floor(k.h.clock.now() / 1000);
  beforeAll(async () => {
    k = await emailKit(kind);
    fake = await startMailgunFake();
    await k.configure({ provider: 'mailgun', esp: { kind: 'mailgun', baseUrl: fake.baseUrl, domain: fake.domain, apiKey: fake.apiKey, webhookSigningKey: fake.signingKey } });
    hooks = await startHookApp(k.h.deps);
    url = hooks.url('mailgun', k.t.workspaceId);
  });
  afterAll(async () => {
    await hooks?.close();
    await fake?.close();
    await k?.close();
  });

  async function sent(email: string) {
    const c = await k.contact(email);
    const key = `mg:${++n}`;
    expect((await k.send(c, { template: 'welcome-1', key })).status).toBe('sent');
    const row = await k.h.deps.store.db.selectFrom('messages').select(['id', 'provider_message_id', 'contact_id']).where('idempotency_key', '=', key).executeTakeFirstOrThrow();
    return { id: row.id, messageId: row.provider_message_id!, to: email, contactId: row.contact_id };
  }

  it('a journey email goes out DKIM-signed and its Message-ID is the provider id', async () => {
    const m = await sent('mg-send@example.org');
    expect(m.messageId).toMatch(/^<.+@news\.example\.com>$/);
    expect(fake.forms.at(-1)!.message).toMatch(/^DKIM-Signature: v=1; a=rsa-sha256;/m);
  });

  it('a permanent failure suppresses once; a temporary one counts as soft; delivered, opened, clicked are events', async () => {
    const m = await sent('mg-fail@example.org');
    const ids = { recordId: m.id, messageId: m.messageId, to: m.to };
    for (const e of ['delivered', 'opened', 'clicked'] as const)
      expect((await fake.postEvent(url, mailgunEvent(e, ids, e === 'clicked' ? { url: 'https://shop.example.com/' } : {}), { timestamp: now() })).status).toBe(200);
    const soft = await fake.postEvent(
      url,
      mailgunEvent('failed', ids, { severity: 'temporary', reason: 'generic', 'delivery-status': { code: 452, 'enhanced-code': '4.2.2', message: 'mailbox full' } }),
      { timestamp: now() },
    );
    expect(JSON.parse(soft.body)).toMatchObject({ applied: 1 });
    expect(await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, m.to)).toEqual([]);
    // Named by the Message-ID only.
    const hard = mailgunEvent(
      'failed',
      { messageId: m.messageId, to: m.to },
      { severity: 'permanent', reason: 'bounce', 'delivery-status': { code: 550, 'enhanced-code': '5.1.1', message: 'user unknown' } },
    );
    expect(JSON.parse((await fake.postEvent(url, hard, { timestamp: now() })).body)).toMatchObject({ applied: 1 });
    expect(JSON.parse((await fake.postEvent(url, hard, { timestamp: now() })).body)).toMatchObject({ applied: 0, duplicate: 1 });
    expect((await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, m.to)).map((s) => [s.reason, s.source])).toEqual([['hard_bounce', 'mailgun']]);
    const names = await k.h.deps.store.db.selectFrom('events').select('name').where('contact_id', '=', m.contactId).where('name', 'like', 'email.%').orderBy('id').execute();
    expect(names.map((e) => e.name)).toEqual(['email.delivered', 'email.opened', 'email.clicked', 'email.bounced', 'email.bounced']);
  });

  it('a complaint suppresses and withdraws consent', async () => {
    const m = await sent('mg-angry@example.org');
    expect((await fake.postEvent(url, mailgunEvent('complained', { recordId: m.id, messageId: m.messageId, to: m.to }), { timestamp: now() })).status).toBe(200);
    expect((await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, m.to)).map((s) => s.reason)).toEqual(['complaint']);
    const consent = await k.h.deps.store.db.selectFrom('consents').selectAll().where('contact_id', '=', m.contactId).executeTakeFirstOrThrow();
    expect(consent).toMatchObject({ status: 'unsubscribed', source: 'complaint:mailgun' });
  });

  it('a wrong key, a forged signature, an old timestamp or a reused token: 403 and nothing changed', async () => {
    const m = await sent('mg-forged@example.org');
    const hard = mailgunEvent('failed', { recordId: m.id, messageId: m.messageId, to: m.to }, { severity: 'permanent' });
    expect((await fake.postEvent(url, hard, { timestamp: now(), key: 'not-the-key' })).status).toBe(403);
    expect((await fake.postEvent(url, hard, { timestamp: now(), signature: 'f'.repeat(64) })).status).toBe(403);
    expect((await fake.postEvent(url, hard, { timestamp: now() - 3600 })).status).toBe(403);
    expect((await findMessage(k.h.deps.store.db, m.id))!.status).toBe('sent');
    expect(await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, m.to)).toEqual([]);
    const token = 'a'.repeat(50);
    expect((await fake.postEvent(url, mailgunEvent('delivered', { recordId: m.id, messageId: m.messageId, to: m.to }), { timestamp: now(), token })).status).toBe(200);
    const replay = await fake.postEvent(url, hard, { timestamp: now(), token });
    expect(replay.status).toBe(403);
    expect(replay.body).toContain('replay');
    expect(await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, m.to)).toEqual([]);
  });

  it('a signed request without event-data is a 400 naming the field', async () => {
    const res = await fake.postEvent(url, undefined, { timestamp: now() });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error.issues[0].path).toBe('body.event-data');
  });
});
