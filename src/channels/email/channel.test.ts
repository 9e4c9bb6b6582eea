import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dkimVerify } from 'mailauth';
import { backends } from '../../../test/backends.js';
import { emailKit, PUBLIC_URL, type EmailKit } from './test-kit.js';

function headerLines(raw: string, name: string): string[] {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n'));
  // Unfolded view: a header and its continuation lines.
  return head.split(/\r\n(?![ \t])/).filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
}

describe.each(backends())('the email channel over real SMTP on %s', (kind) => {
  let k: EmailKit;
  beforeAll(async () => {
    k = await emailKit(kind);
  });
  afterAll(async () => k?.close());

  it("the footer shows the workspace's postal address (PATCH /api/workspace, as previews do), else the provider settings'", async () => {
    k.sink.clear();
    const c = await k.contact('postal@example.org', { first_name: 'Pat' });
    expect((await k.send(c, { template: 'welcome-1', key: 'postal:provider' })).status).toBe('sent');
    const [before] = await k.sink.waitFor(1);
    expect(String(before!.parsed.html)).toContain('1 Main St, Springfield');
    const patch = await k.h.app.inject({ method: 'PATCH', url: '/api/workspace', headers: k.t.admin, payload: { postalAddress: '7 Rue Verte, 69001 Lyon' } });
    expect(patch.statusCode).toBe(200);
    k.sink.clear();
    expect((await k.send(c, { template: 'welcome-1', key: 'postal:workspace' })).status).toBe('sent');
    const [after] = await k.sink.waitFor(1);
    expect(String(after!.parsed.html)).toContain('7 Rue Verte, 69001 Lyon');
    expect(String(after!.parsed.html)).not.toContain('1 Main St');
    await k.h.app.inject({ method: 'PATCH', url: '/api/workspace', headers: k.t.admin, payload: { postalAddress: '' } });
  });

  it('sends a marketing email with one-line List-Unsubscribe (https + mailto), List-Unsubscribe-Post, List-Id, Feedback-ID and a Message-ID', async () => {
    k.sink.clear();
    const c = await k.contact('sara@example.org', { first_name: 'Sara' });
    const result = await k.send(c, { template: 'welcome-1', key: 'run_1:welcome:1' });
    expect(result.status).toBe('sent');
    const [mail] = await k.sink.waitFor(1);
    const lu = headerLines(mail!.raw, 'List-Unsubscribe');
    expect(lu).toHaveLength(1);
    // Written on ONE physical line (nodemailer issue #1654): no CRLF inside the header.
    expect(lu[0]).not.toMatch(/\r\n/);
    expect(lu[0]).toMatch(new RegExp(`^List-Unsubscribe: <${PUBLIC_URL}/u/[0-9a-z]{26}\\.[0-9a-z]{16}>, <mailto:unsubscribe\\+[0-9a-z]{26}\\.[0-9a-z]{16}@news\\.example\\.com>$`));
    const local = /mailto:([^@]+)@/.exec(lu[0]!)![1]!;
    expect(local.length).toBeLessThanOrEqual(64);
    expect(headerLines(mail!.raw, 'List-Unsubscribe-Post')).toEqual(['List-Unsubscribe-Post: List-Unsubscribe=One-Click']);
    expect(headerLines(mail!.raw, 'Feedback-ID')[0]).toBe(`Feedback-ID: onboarding:welcome-1:${k.t.workspaceId}:qatra`);
    expect(headerLines(mail!.raw, 'List-Id')[0]).toMatch(/^List-Id: "test" <all\.ws-[0-9a-z]+\.news\.example\.com>$/i);
    expect(mail!.parsed.messageId).toMatch(/^<[0-9a-f]{32}\.[0-9a-f]{20}@news\.example\.com>$/);
    expect(mail!.parsed.date).toBeInstanceOf(Date);
    expect(mail!.parsed.subject).toBe('Welcome, Sara!');
    expect(mail!.parsed.from?.value[0]).toEqual({ address: 'hello@news.example.com', name: 'Acme News' });
    // VERP return path names the message record, signed (bounces/signed-ids.ts).
    const record = await k.h.deps.store.db.selectFrom('messages').selectAll().where('idempotency_key', '=', 'run_1:welcome:1').executeTakeFirstOrThrow();
    expect(mail!.envelope.mailFrom).toMatch(new RegExp(`^bounces\\+${record.id}\\.[0-9a-f]{20}@bounces\\.example\\.com$`));
    expect(record).toMatchObject({
      status: 'sent',
      template_id: 'welcome-1',
      template_version: 1,
      provider: 'smtp',
      journey_id: 'onboarding',
      run_id: 'run_1',
      node_id: 'welcome',
      kind: 'marketing',
      to_address: 'sara@example.org',
    });
    expect(record.header_message_id).toBe(mail!.parsed.messageId);
  });

  it('signs with DKIM: the signature verifies and h= covers List-Unsubscribe, List-Unsubscribe-Post and Feedback-ID', async () => {
    k.sink.clear();
    const c = await k.contact('dkim@example.org', { first_name: 'Dee' });
    expect((await k.send(c, { template: 'welcome-1', key: 'dkim:1' })).status).toBe('sent');
    const [mail] = await k.sink.waitFor(1);
    const verified = await dkimVerify(Buffer.from(mail!.raw), { resolver: k.resolver as never });
    expect(verified.results).toHaveLength(1);
    const r = verified.results[0]!;
    expect(r.status.result).toBe('pass');
    expect(r.signingDomain).toBe('news.example.com');
    const signed = ((r as unknown as { signingHeaders?: { keys: string } }).signingHeaders?.keys ?? '')
      .toLowerCase()
      .split(':')
      .map((s: string) => s.trim());
    expect(signed).toEqual(expect.arrayContaining(['list-unsubscribe', 'list-unsubscribe-post', 'feedback-id', 'from', 'subject', 'message-id', 'list-id']));
  });

  it('a DKIM signature no longer verifies when a signed header is changed in transit', async () => {
    k.sink.clear();
    const c = await k.contact('tamper@example.org');
    await k.send(c, { template: 'welcome-1', key: 'dkim:2' });
    const [mail] = await k.sink.waitFor(1);
    const tampered = mail!.raw.replace(/List-Unsubscribe-Post: List-Unsubscribe=One-Click/, 'List-Unsubscribe-Post: List-Unsubscribe=Two-Click');
    const verified = await dkimVerify(Buffer.from(tampered), { resolver: k.resolver as never });
    expect(verified.results[0]!.status.result).not.toBe('pass');
  });

  it('a retry with the same idempotency key after a send does not send again and answers as before', async () => {
    k.sink.clear();
    const c = await k.contact('once@example.org');
    const first = await k.send(c, { template: 'welcome-1', key: 'once:1' });
    const second = await k.send(c, { template: 'welcome-1', key: 'once:1' });
    expect(first.status).toBe('sent');
    expect(second).toEqual({ status: 'sent', providerMessageId: (first as { providerMessageId: string }).providerMessageId });
    await k.sink.waitFor(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(k.sink.mails).toHaveLength(1);
    const rows = await k.h.deps.store.db.selectFrom('messages').select(['id', 'attempts']).where('idempotency_key', '=', 'once:1').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.attempts).toBe(1);
  });

  it('two attempts of the same delivery racing each other send it once', async () => {
    k.sink.clear();
    const c = await k.contact('race@example.org');
    const results = await Promise.all([1, 2, 3, 4].map(() => k.send(c, { template: 'welcome-1', key: 'race:1' })));
    expect(results.filter((r) => r.status === 'sent').length).toBeGreaterThanOrEqual(1);
    expect(results.every((r) => r.status === 'sent' || r.status === 'retryable')).toBe(true);
    await k.sink.waitFor(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(k.sink.mails).toHaveLength(1);
  });

  it('a Persian subject and From name arrive intact (RFC 2047), and the RTL template keeps dir="rtl"', async () => {
    k.sink.clear();
    const c = await k.contact('reza@example.org', { first_name: 'رضا' });
    expect((await k.send(c, { template: 'fa-news', key: 'fa:1' })).status).toBe('sent');
    const [mail] = await k.sink.waitFor(1);
    expect(mail!.parsed.subject).toBe('سلام رضا — خبرنامهٔ ماه');
    expect(mail!.parsed.from?.value[0]).toEqual({ address: 'shop@news.example.com', name: 'فروشگاه قطره' });
    // Encoded-words on the wire, not raw UTF-8 in the header.
    expect(headerLines(mail!.raw, 'Subject')[0]).toMatch(/=\?UTF-8\?[BQ]\?/i);
    expect(mail!.parsed.html).toMatch(/dir="rtl"/);
    expect(mail!.parsed.html).toContain('سلام رضا');
  });

  it('a transactional email has no List-Unsubscribe and, by default, no tracking', async () => {
    k.sink.clear();
    const c = await k.contact('buyer@example.org');
    expect((await k.send(c, { template: 'receipt', key: 'tx:1', kind: 'transactional', data: { order: 'A-17' } })).status).toBe('sent');
    const [mail] = await k.sink.waitFor(1);
    expect(mail!.parsed.subject).toBe('Your receipt A-17');
    expect(headerLines(mail!.raw, 'List-Unsubscribe')).toEqual([]);
    expect(mail!.parsed.html).toContain('href="https://shop.example.com/orders/A-17"');
    expect(mail!.parsed.html).not.toContain('/o/');
  });

  it('tracks transactional mail too when the workspace asks for it', async () => {
    await k.configure({ tracking: { opens: true, clicks: true, transactional: true } });
    k.sink.clear();
    const c = await k.contact('tracked-tx@example.org');
    expect((await k.send(c, { template: 'receipt', key: 'tx:tracked', kind: 'transactional', data: { order: 'C-3' } })).status).toBe('sent');
    const [mail] = await k.sink.waitFor(1);
    expect(mail!.parsed.html).toMatch(new RegExp(`href="${PUBLIC_URL}/c/[0-9a-z]{26}-0\\.[0-9a-z]{16}"`));
    expect(mail!.parsed.html).toMatch(new RegExp(`src="${PUBLIC_URL}/o/[0-9a-z]{26}\\.[0-9a-z]{16}\\.gif"`));
    await k.configure();
  });
});
