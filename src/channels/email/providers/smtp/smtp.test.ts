import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { backends } from '../../../../../test/backends.js';
import { startSmtpSink, type SmtpSink } from '../../../../../test/smtp-sink.js';
import { emailKit, type EmailKit } from '../../test-kit.js';
import { createSmtpProvider } from './smtp.js';
import type { OutgoingEmail } from '../../provider.js';

const message = (to: string): OutgoingEmail => ({
  workspaceId: 'ws_x',
  recordId: 'msg_x',
  from: { address: 'a@example.com', name: 'A' },
  to: { address: to },
  subject: 'hi',
  html: '<p>hi</p>',
  text: 'hi',
  messageId: '<x.qatra@example.com>',
  date: new Date(),
  headers: {},
});

describe('the smtp provider against a real SMTP server', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink({ auth: { user: 'qatra', pass: 's3cret' } });
  });
  afterAll(async () => sink?.close());

  const provider = (pass: string) =>
    createSmtpProvider(
      {
        provider: 'smtp',
        from: { address: 'a@example.com' },
        tracking: { opens: true, clicks: true, transactional: false },
        smtp: { host: sink.host, port: sink.port, secure: false, requireTls: false, user: 'qatra', maxConnections: 1, allowInvalidCertificates: false },
      },
      { password: pass },
      undefined,
      true, // the sink listens on 127.0.0.1: allowed, as with QATRA_ALLOW_PRIVATE_OUTBOUND=1
    );

  it('authenticates, and a 4xx to RCPT TO is retryable while a 5xx is a permanent hard bounce', async () => {
    const p = provider('s3cret');
    sink.rejectRecipient('busy@example.org', 450);
    sink.rejectRecipient('gone@example.org', 550);
    expect((await p.send(message('ok@example.org'))).status).toBe('sent');
    expect(sink.mails.at(-1)!.user).toBe('qatra');
    const soft = await p.send(message('busy@example.org'));
    expect(soft.status).toBe('retryable');
    const hard = await p.send(message('gone@example.org'));
    expect(hard).toMatchObject({ status: 'permanent', hardBounce: true });
    expect((hard as { reason: string }).reason).toMatch(/5\.1\.1/);
    await p.close();
  });

  it('a wrong password is retryable (the configuration can be fixed), not a bounce', async () => {
    const p = provider('wrong');
    const r = await p.send(message('ok@example.org'));
    expect(r.status).toBe('retryable');
    await p.close();
  });

  it('a refused connection is retryable', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const p = createSmtpProvider(
      {
        provider: 'smtp',
        from: { address: 'a@example.com' },
        tracking: { opens: true, clicks: true, transactional: false },
        smtp: { host: '127.0.0.1', port, secure: false, requireTls: false, maxConnections: 1, allowInvalidCertificates: false },
      },
      {},
      { connectionTimeoutMs: 2000, socketTimeoutMs: 2000 },
      true,
    );
    const r = await p.send(message('ok@example.org'));
    expect(r.status).toBe('retryable');
    expect((r as { reason: string }).reason).toMatch(/ECONNREFUSED|ECONNECTION|ESOCKET/);
    await p.close();
  });
});

describe.each(backends())('bounces through the email channel on %s', (kind) => {
  let k: EmailKit;
  beforeAll(async () => {
    k = await emailKit(kind);
  });
  afterAll(async () => k?.close());

  it('SMTP 4xx leaves the message queued and a retry with the same key sends it with the same Message-ID', async () => {
    const c = await k.contact('later@example.org');
    k.sink.rejectRecipient('later@example.org', 451);
    const first = await k.send(c, { template: 'welcome-1', key: 'soft:1' });
    expect(first.status).toBe('retryable');
    const row = await k.h.deps.store.db.selectFrom('messages').selectAll().where('idempotency_key', '=', 'soft:1').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'queued', attempts: 1 });
    expect(row.reason).toMatch(/451/);
    k.sink.acceptRecipient('later@example.org');
    k.sink.clear();
    // example.org backs off after its 4xx (at most 60 s the first time: ../../limits/backoff.ts).
    k.h.clock.advance(61_000);
    const second = await k.send(c, { template: 'welcome-1', key: 'soft:1' });
    expect(second.status).toBe('sent');
    const [mail] = await k.sink.waitFor(1);
    expect(mail!.parsed.messageId).toBe(row.header_message_id);
    const after = await k.h.deps.store.db.selectFrom('messages').selectAll().where('idempotency_key', '=', 'soft:1').executeTakeFirstOrThrow();
    expect(after).toMatchObject({ status: 'sent', attempts: 2, id: row.id });
  });

  it('SMTP 5xx is permanent: the message is bounced, the address hard-bounced, and it then gets neither marketing nor transactional mail', async () => {
    const c = await k.contact('nobody@example.org');
    k.sink.rejectRecipient('nobody@example.org', 550);
    const r = await k.send(c, { template: 'welcome-1', key: 'hard:1' });
    expect(r.status).toBe('permanent');
    const row = await k.h.deps.store.db.selectFrom('messages').selectAll().where('idempotency_key', '=', 'hard:1').executeTakeFirstOrThrow();
    expect(row.status).toBe('bounced');
    const sup = await k.h.deps.store.db.selectFrom('suppressions').selectAll().where('workspace_id', '=', k.t.workspaceId).where('address', '=', 'nobody@example.org').execute();
    expect(sup).toMatchObject([{ reason: 'hard_bounce', source: 'smtp' }]);
    // A retry of the same delivery does not try again.
    expect((await k.send(c, { template: 'welcome-1', key: 'hard:1' })).status).toBe('permanent');
    k.sink.clear();
    expect(await k.send(c, { template: 'welcome-1', key: 'hard:2' })).toEqual({ status: 'skipped', reason: 'suppressed: hard_bounce' });
    expect(await k.send(c, { template: 'receipt', key: 'hard:3', kind: 'transactional', data: { order: '1' } })).toEqual({ status: 'skipped', reason: 'suppressed: hard_bounce' });
    await new Promise((res) => setTimeout(res, 150));
    expect(k.sink.mails).toHaveLength(0);
  });
});
