import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../../test/backends.js';
import { ManualClock } from '../../../../core/clock.js';
import { findMessage } from '../../../../messages/records.js';
import { suppressionsOf } from '../../../../suppression/suppressions.js';
import { emailKit, type EmailKit } from '../../test-kit.js';
import { startHookApp } from '../esp/fake-server.testkit.js';
import { espEmailSettings, sampleEmail } from '../esp/sample.testkit.js';
import { createPostmarkProvider } from './postmark.js';
import { INACTIVE_RECIPIENT, postmarkEvent, startPostmarkFake, type PostmarkFake } from './postmark.testkit.js';

describe('the postmark provider against the Postmark test server', () => {
  let fake: PostmarkFake;
  const clock = new ManualClock();
  beforeAll(async () => {
    fake = await startPostmarkFake();
  });
  afterAll(async () => fake?.close());
  const provider = (serverToken = fake.serverToken) =>
    createPostmarkProvider({ clock, allowPrivateOutbound: true }, espEmailSettings({ kind: 'postmark', baseUrl: fake.baseUrl, messageStream: 'broadcast', webhookIps: [] }), { esp: { serverToken } });

  it('sends fields, our headers and the record id as metadata, on the configured message stream', async () => {
    const p = provider();
    expect(await p.send(sampleEmail('pm@example.org'))).toMatchObject({ status: 'sent', providerMessageId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const body = JSON.parse(fake.received.at(-1)!.body);
    expect(body).toMatchObject({
      From: '"Acme \\"News\\"" <hello@news.example.com>',
      To: 'pm@example.org',
      MessageStream: 'broadcast',
      Metadata: { qatra_message_id: 'msg_01hzzzzzzzzzzzzzzzzzzzzzzz' },
      TrackOpens: false,
      TrackLinks: 'None',
    });
    expect(body.Headers).toEqual(
      expect.arrayContaining([
        { Name: 'Message-ID', Value: '<abc.0123456789abcdef0123@news.example.com>' },
        { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
      ]),
    );
    await p.close();
  });

  it('maps Postmark errors: inactive recipient → hard bounce; invalid request → permanent; bad token, 429, 500 → retryable', async () => {
    fake.failures.set('gone@example.org', INACTIVE_RECIPIENT);
    fake.failures.set('busy@example.org', { status: 429, errorCode: 429, message: 'Rate limit exceeded' });
    fake.failures.set('down@example.org', { status: 500, errorCode: 500, message: 'Internal server error' });
    const p = provider();
    expect(await p.send(sampleEmail('gone@example.org'))).toMatchObject({ status: 'permanent', hardBounce: true, reason: expect.stringContaining('ErrorCode 406') });
    expect(await p.send({ ...sampleEmail('x@example.org'), html: '', text: '' })).toMatchObject({ status: 'permanent', reason: expect.stringContaining('ErrorCode 300') });
    expect(await p.send(sampleEmail('busy@example.org'))).toMatchObject({ status: 'retryable' });
    expect(await p.send(sampleEmail('down@example.org'))).toMatchObject({ status: 'retryable' });
    const bad = provider('wrong-token');
    expect(await bad.send(sampleEmail('ok@example.org'))).toMatchObject({ status: 'retryable', reason: expect.stringContaining('ErrorCode 10') });
    await Promise.all([p.close(), bad.close()]);
  });
});

describe.each(backends())('Postmark sends and webhooks on %s', (kind) => {
  let k: EmailKit;
  let fake: PostmarkFake;
  let hooks: Awaited<ReturnType<typeof startHookApp>>;
  let url: string;
  let n = 0;
  const creds = { user: 'postmark-hooks', password: 'hook-password-123' };
  beforeAll(async () => {
    k = await emailKit(kind);
    fake = await startPostmarkFake();
    await k.configure({
      provider: 'postmark',
      esp: { kind: 'postmark', baseUrl: fake.baseUrl, serverToken: fake.serverToken, webhookUser: creds.user, webhookPassword: creds.password, webhookIps: ['127.0.0.1'] },
    });
    hooks = await startHookApp(k.h.deps);
    url = hooks.url('postmark', k.t.workspaceId);
  });
  afterAll(async () => {
    await hooks?.close();
    await fake?.close();
    await k?.close();
  });

  async function sent(email: string) {
    const c = await k.contact(email);
    const key = `pm:${++n}`;
    const result = await k.send(c, { template: 'welcome-1', key });
    const row = await k.h.deps.store.db.selectFrom('messages').select(['id', 'provider_message_id', 'contact_id']).where('idempotency_key', '=', key).executeTakeFirstOrThrow();
    return { result, id: row.id, messageId: row.provider_message_id!, to: email, contactId: row.contact_id };
  }

  it('an inactive recipient at send time is a hard bounce: the address is suppressed', async () => {
    fake.failures.set('pm-gone@example.org', INACTIVE_RECIPIENT);
    const m = await sent('pm-gone@example.org');
    expect(m.result.status).toBe('permanent');
    expect((await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, m.to)).map((s) => [s.reason, s.source])).toEqual([['hard_bounce', 'postmark']]);
  });

  it('a hard bounce webhook with the right credentials suppresses once; delivery, open, click are events; a repeat is a duplicate', async () => {
    const m = await sent('pm-bounce@example.org');
    expect(m.result.status).toBe('sent');
    const ids = { recordId: m.id, messageId: m.messageId, to: m.to };
    expect(await fake.webhook(url, postmarkEvent('Delivery', ids), creds)).toEqual({ status: 200, body: JSON.stringify({ applied: 1, duplicate: 0, ignored: 0, unmatched: 0 }) });
    expect((await fake.webhook(url, postmarkEvent('Open', ids), creds)).status).toBe(200);
    expect((await fake.webhook(url, postmarkEvent('Click', ids), creds)).status).toBe(200);
    // Named by Postmark's MessageID only.
    const bounce = postmarkEvent('Bounce', { messageId: m.messageId, to: m.to });
    expect(JSON.parse((await fake.webhook(url, bounce, creds)).body)).toMatchObject({ applied: 1 });
    expect(JSON.parse((await fake.webhook(url, bounce, creds)).body)).toMatchObject({ applied: 0, duplicate: 1 });
    expect((await findMessage(k.h.deps.store.db, m.id))!.status).toBe('bounced');
    expect((await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, m.to)).map((s) => s.reason)).toEqual(['hard_bounce']);
    const names = await k.h.deps.store.db.selectFrom('events').select('name').where('contact_id', '=', m.contactId).where('name', 'like', 'email.%').orderBy('id').execute();
    expect(names.map((e) => e.name)).toEqual(['email.delivered', 'email.opened', 'email.clicked', 'email.bounced']);
  });

  it('a spam complaint suppresses and withdraws email consent', async () => {
    const m = await sent('pm-angry@example.org');
    expect((await fake.webhook(url, postmarkEvent('SpamComplaint', { recordId: m.id, messageId: m.messageId, to: m.to }), creds)).status).toBe(200);
    expect((await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, m.to)).map((s) => s.reason)).toEqual(['complaint']);
    const consent = await k.h.deps.store.db.selectFrom('consents').selectAll().where('contact_id', '=', m.contactId).executeTakeFirstOrThrow();
    expect(consent).toMatchObject({ status: 'unsubscribed', source: 'complaint:postmark' });
  });

  it('missing or wrong credentials, or an address off the allow-list: 403 and nothing changed', async () => {
    const m = await sent('pm-forged@example.org');
    const bounce = postmarkEvent('Bounce', { recordId: m.id, messageId: m.messageId, to: m.to });
    expect((await fake.webhook(url, bounce, null)).status).toBe(403);
    expect((await fake.webhook(url, bounce, { ...creds, password: 'guess' })).status).toBe(403);
    await k.configure({ provider: 'postmark', esp: { kind: 'postmark', baseUrl: fake.baseUrl, webhookUser: creds.user, webhookIps: ['203.0.113.7'] } });
    const refused = await fake.webhook(url, bounce, creds);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('not one of the allowed addresses');
    expect((await findMessage(k.h.deps.store.db, m.id))!.status).toBe('sent');
    expect(await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, m.to)).toEqual([]);
    // The stored token and password were kept by that save (write-only secrets).
    await k.configure({ provider: 'postmark', esp: { kind: 'postmark', baseUrl: fake.baseUrl, webhookUser: creds.user } });
    expect((await fake.webhook(url, bounce, creds)).status).toBe(200);
  });

  it('the settings API never returns the token or password, and the app serves the webhook route', async () => {
    const res = await k.h.app.inject({ method: 'GET', url: '/api/email/provider', headers: k.t.admin });
    expect(res.statusCode).toBe(200);
    expect(res.json().esp).toMatchObject({ kind: 'postmark', hasServerToken: true, hasWebhookPassword: true, webhookUser: creds.user });
    expect(res.body).not.toContain(fake.serverToken);
    expect(res.body).not.toContain(creds.password);
    // Sealed at rest too: the stored row holds neither in the clear.
    const row = JSON.stringify(await k.h.deps.store.db.selectFrom('email_providers').selectAll().where('workspace_id', '=', k.t.workspaceId).executeTakeFirstOrThrow());
    expect(row).not.toContain(fake.serverToken);
    expect(row).not.toContain(creds.password);
    expect(row).toContain('"kind":"postmark"');
    const hook = await k.h.app.inject({ method: 'POST', url: `/hooks/email/postmark/${k.t.workspaceId}`, payload: { RecordType: 'Delivery' } });
    expect(hook.statusCode).toBe(403);
    const bad = await k.h.app.inject({
      method: 'PUT',
      url: '/api/email/provider',
      headers: k.t.admin,
      payload: { provider: 'postmark', from: { address: 'a@news.example.com' }, esp: { kind: 'sendgrid' } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues.map((i: { path: string }) => i.path)).toContain('body.esp.kind');
  });
});
