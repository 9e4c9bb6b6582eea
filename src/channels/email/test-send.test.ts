import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../test/harness.js';
import { startSmtpSink, type SmtpSink } from '../../../test/smtp-sink.js';

describe.each(backends())('POST /api/email/provider/test on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let sink: SmtpSink;
  beforeAll(async () => {
    h = await createHarness(kind, { allowPrivateOutbound: true }); // the sink is on 127.0.0.1
    t = await h.tenant();
    sink = await startSmtpSink({ auth: { user: 'relay-user', pass: 'relay-pass' } });
  });
  afterAll(async () => {
    await sink?.close();
    await h?.close();
  });
  const smtpSettings = (port: number, pass?: string) => ({
    provider: 'smtp',
    from: { address: 'news@example.com', name: 'News' },
    smtp: { host: '127.0.0.1', port, user: 'relay-user', ...(pass !== undefined ? { password: pass } : {}) },
  });
  const test = (to: string, headers: Record<string, string> = t.admin) => h.app.inject({ method: 'POST', url: '/api/email/provider/test', headers, payload: { to } });

  it('sends through the stored SMTP settings (with the stored password) and answers with the message id', async () => {
    expect((await h.app.inject({ method: 'PUT', url: '/api/email/provider', headers: t.admin, payload: smtpSettings(sink.port, 'relay-pass') })).statusCode).toBe(200);
    const res = await test('me@example.org');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ status: 'sent', provider: 'smtp' });
    expect(body.messageId).toMatch(/^<test_[0-9a-z]+@example\.com>$/);
    const [mail] = await sink.waitFor(1);
    expect(mail!.user).toBe('relay-user');
    expect(mail!.envelope.rcptTo).toEqual(['me@example.org']);
    expect(mail!.parsed.messageId).toBe(body.messageId);
    expect(mail!.parsed.from?.value[0]).toMatchObject({ name: 'News', address: 'news@example.com' });
    expect(body.response).toMatch(/^250/);
  });

  it("a refusing server's error text comes back, and nothing is recorded as a message", async () => {
    sink.rejectRecipient('nobody@example.org', 550, '5.1.1 <nobody@example.org>: Recipient address rejected');
    const res = await test('nobody@example.org');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'failed', provider: 'smtp', retryable: false });
    expect(res.json().error).toContain('5.1.1 <nobody@example.org>: Recipient address rejected');
    const messages = await h.deps.store.db.selectFrom('messages').select('id').where('workspace_id', '=', t.workspaceId).execute();
    expect(messages).toEqual([]);
  });

  it('a wrong password shows the authentication error', async () => {
    await h.app.inject({ method: 'PUT', url: '/api/email/provider', headers: t.admin, payload: smtpSettings(sink.port, 'wrong') });
    const res = await test('me@example.org');
    expect(res.json()).toMatchObject({ status: 'failed', retryable: true });
    expect(res.json().error).toMatch(/EAUTH/);
  });

  it('a server that is not there is an error, not a hang', async () => {
    const closed = await startSmtpSink();
    const port = closed.port;
    await closed.close();
    await h.app.inject({ method: 'PUT', url: '/api/email/provider', headers: t.admin, payload: smtpSettings(port) });
    const res = await test('me@example.org');
    expect(res.json()).toMatchObject({ status: 'failed', retryable: true });
    expect(res.json().error).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);
  });

  it('on the outbox the test lands in the outbox', async () => {
    await h.app.inject({ method: 'PUT', url: '/api/email/provider', headers: t.admin, payload: { provider: 'outbox', from: { address: 'dev@example.com' } } });
    const res = await test('me@example.org');
    expect(res.json()).toMatchObject({ status: 'sent', provider: 'outbox' });
    const row = await h.deps.store.db.selectFrom('outbox').select(['to_address', 'subject']).where('workspace_id', '=', t.workspaceId).executeTakeFirstOrThrow();
    expect(row).toEqual({ to_address: 'me@example.org', subject: 'Qatra test email' });
  });

  it('needs an admin and a valid address (400 naming the field)', async () => {
    expect((await test('me@example.org', t.write)).statusCode).toBe(403);
    const bad = await test('not-an-address');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues[0].path).toBe('body.to');
  });
});
