import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { backends } from '../../../../test/backends.js';
import { emailKit, type EmailKit } from '../test-kit.js';
import { startInboundListener, type InboundListener } from './listener.js';
import type { InboundOutcome } from './inbound.js';

function dsn(recipient: string, action: string, status: string, diagnostic: string): string {
  return [
    'From: MAILER-DAEMON@mx.example.org',
    'To: bounces@bounces.example.com',
    'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"',
    '',
    '--B1',
    'Content-Type: text/plain',
    '',
    'Your message could not be delivered.',
    '--B1',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.org',
    '',
    `Final-Recipient: rfc822; ${recipient}`,
    `Action: ${action}`,
    `Status: ${status}`,
    `Diagnostic-Code: smtp; ${diagnostic}`,
    '',
    '--B1--',
    '',
  ].join('\r\n');
}

function arf(recipient: string): string {
  return [
    'From: feedback@isp.example.net',
    'To: bounces@bounces.example.com',
    'Subject: FW: complaint',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=feedback-report; boundary="A1"',
    '',
    '--A1',
    'Content-Type: text/plain',
    '',
    'This is an email abuse report.',
    '--A1',
    'Content-Type: message/feedback-report',
    '',
    'Feedback-Type: abuse',
    'User-Agent: SomeISP/1.0',
    'Version: 1',
    '',
    '--A1',
    'Content-Type: message/rfc822',
    '',
    'From: hello@news.example.com',
    `To: ${recipient}`,
    'Subject: Welcome',
    '',
    'body',
    '--A1--',
    '',
  ].join('\r\n');
}

describe.each(backends())('mail coming back (mailto unsubscribe, DSN bounces, ARF complaints) on %s', (kind) => {
  let k: EmailKit;
  let listener: InboundListener;
  const outcomes: InboundOutcome[] = [];
  let transport: ReturnType<typeof nodemailer.createTransport>;

  beforeAll(async () => {
    k = await emailKit(kind);
    listener = await startInboundListener({ ...k.h.deps }, { port: 0, host: '127.0.0.1', onOutcome: (o) => outcomes.push(o) });
    transport = nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false, ignoreTLS: true });
  });
  afterAll(async () => {
    transport?.close();
    await listener?.close();
    await k?.close();
  });

  async function sent(address: string, key: string): Promise<{ verp: string; mailto: string; id: string }> {
    k.sink.clear();
    const c = await k.contact(address);
    expect((await k.send(c, { template: 'welcome-1', key })).status).toBe('sent');
    const [mail] = await k.sink.waitFor(1);
    const mailto = /<mailto:([^>]+)>/.exec(mail!.raw)![1]!;
    const id = (await k.h.deps.store.db.selectFrom('messages').select('id').where('idempotency_key', '=', key).executeTakeFirstOrThrow()).id;
    return { verp: mail!.envelope.mailFrom, mailto, id };
  }

  const deliver = (to: string, raw: string) => transport.sendMail({ envelope: { from: '', to }, raw });

  it('a mail to the List-Unsubscribe mailto address unsubscribes (source mailto)', async () => {
    const { mailto } = await sent('mailto@example.org', 'in:1');
    await transport.sendMail({ from: 'mailto@example.org', to: mailto, subject: 'unsubscribe', text: 'unsubscribe' });
    expect(outcomes.at(-1)).toMatchObject({ kind: 'unsubscribed', topic: '' });
    const c = await k.h.deps.store.db.selectFrom('contacts').select('id').where('email', '=', 'mailto@example.org').executeTakeFirstOrThrow();
    const h = await k.h.deps.store.db.selectFrom('consent_history').selectAll().where('contact_id', '=', c.id).execute();
    expect(h).toMatchObject([{ status: 'unsubscribed', source: 'mailto' }]);
  });

  it('a hard DSN (5.1.1) to the VERP address bounces the message and suppresses the address', async () => {
    const { verp, id } = await sent('gone@example.org', 'in:2');
    await deliver(verp, dsn('gone@example.org', 'failed', '5.1.1', '550 5.1.1 user unknown'));
    expect(outcomes.at(-1)).toEqual({ kind: 'bounce', messageId: id, hard: true, status: '5.1.1' });
    const m = await k.h.deps.store.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(m.status).toBe('bounced');
    expect(m.reason).toMatch(/^5\.1\.1/);
    const sup = await k.h.deps.store.db.selectFrom('suppressions').selectAll().where('address', '=', 'gone@example.org').execute();
    expect(sup).toMatchObject([{ reason: 'hard_bounce', source: 'dsn' }]);
  });

  it('a soft DSN (5.2.2 mailbox full) marks the message bounced but does not suppress the address', async () => {
    const { verp, id } = await sent('full@example.org', 'in:3');
    await deliver(verp, dsn('full@example.org', 'failed', '5.2.2', '552 5.2.2 mailbox full'));
    expect(outcomes.at(-1)).toMatchObject({ kind: 'bounce', hard: false, messageId: id });
    expect(await k.h.deps.store.db.selectFrom('suppressions').selectAll().where('address', '=', 'full@example.org').execute()).toEqual([]);
  });

  it('an ARF abuse report suppresses the address as a complaint: no more mail at all', async () => {
    const { verp } = await sent('angry@example.org', 'in:4');
    await deliver(verp, arf('angry@example.org'));
    expect(outcomes.at(-1)).toMatchObject({ kind: 'complaint', address: 'angry@example.org' });
    const c = (await k.h.deps.store.db.selectFrom('contacts').selectAll().where('email', '=', 'angry@example.org').executeTakeFirstOrThrow());
    const contact = { id: c.id, workspaceId: c.workspace_id, userId: null, email: c.email, phone: null, timezone: null, locale: null, attributes: {}, createdAt: 0, updatedAt: 0 };
    expect(await k.send(contact, { template: 'receipt', key: 'in:4:tx', kind: 'transactional', data: { order: '1' } })).toEqual({ status: 'skipped', reason: 'suppressed: complaint' });
  });

  it('mail to any other address is refused with 550; a forged unsubscribe token changes nothing', async () => {
    await expect(transport.sendMail({ from: 'x@example.org', to: 'postmaster@bounces.example.com', subject: 'hi', text: 'hi' })).rejects.toMatchObject({ responseCode: 550 });
    const before = outcomes.length;
    await transport.sendMail({ from: 'x@example.org', to: `unsubscribe+${'0'.repeat(26)}.${'0'.repeat(16)}@news.example.com`, subject: 'x', text: 'x' });
    expect(outcomes.slice(before)).toEqual([{ kind: 'ignored', reason: 'unknown or tampered unsubscribe token' }]);
  });
});
