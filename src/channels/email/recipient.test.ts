import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { parseEmailAddress } from '../../core/email-address.js';
import { createSmtpProvider } from './providers/smtp/smtp.js';
import { createOutboxProvider } from './providers/outbox/outbox.js';
import { emailSettingsSchema } from './settings.js';
import type { OutgoingEmail } from './provider.js';
import { emailKit, type EmailKit } from './test-kit.js';

/** Contacts whose stored email predates address parsing: written straight into the row. */
const HOSTILE = [
  ['a list', 'attacker@evil.example, victim@example.net'],
  ['a header injection', 'x@evil.example\r\nBcc: victim@example.net'],
  ['a display name', 'Attacker <victim@example.net>'],
] as const;

describe.each(backends())('the recipient of an email is one parsed mailbox, over real SMTP, on %s', (kind) => {
  let k: EmailKit;
  beforeAll(async () => {
    k = await emailKit(kind);
  });
  afterAll(async () => k?.close());

  const legacyContact = async (email: string) => {
    const c = await k.contact(`legacy-${Math.random().toString(36).slice(2)}@example.org`, { first_name: 'L' });
    await k.h.deps.store.db.updateTable('contacts').set({ email }).where('id', '=', c.id).execute();
    return { ...c, email };
  };

  it.each(HOSTILE)('a stored email that is %s is skipped with the reason, and nothing reaches the SMTP server', async (_what, email) => {
    k.sink.clear();
    const c = await legacyContact(email);
    const key = `hostile:${email}`;
    const result = await k.send(c, { template: 'welcome-1', key });
    expect(result.status).toBe('skipped');
    expect((result as { reason: string }).reason).toMatch(/^invalid email address: /);
    const record = await k.h.deps.store.db.selectFrom('messages').select(['status', 'reason']).where('idempotency_key', '=', key).executeTakeFirstOrThrow();
    expect(record.status).toBe('skipped');
    // A legitimate send afterwards arrives alone: the hostile one never left.
    const ok = await k.contact(`after-${Math.random().toString(36).slice(2)}@example.org`, { first_name: 'A' });
    expect((await k.send(ok, { template: 'welcome-1', key: `after:${email}` })).status).toBe('sent');
    const mails = await k.sink.waitFor(1);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.envelope.rcptTo).toEqual([ok.email]);
  });

  it('a good address is the To header and the whole envelope: exactly one RCPT TO', async () => {
    k.sink.clear();
    const c = await k.contact('One.Reader@Example.ORG', { first_name: 'One' });
    expect((await k.send(c, { template: 'welcome-1', key: 'one-rcpt' })).status).toBe('sent');
    const [mail] = await k.sink.waitFor(1);
    expect(mail!.envelope.rcptTo).toEqual(['one.reader@example.org']);
    expect(mail!.parsed.to).toMatchObject({ value: [{ address: 'one.reader@example.org', name: '' }] });
    expect(mail!.parsed.headers.has('bcc')).toBe(false);
    expect(mail!.parsed.headers.has('cc')).toBe(false);
  });

  it('the providers refuse a To that is not one mailbox (permanent, nothing sent), whoever built the message', async () => {
    k.sink.clear();
    const good = parseEmailAddress('x@example.org');
    if (!good.ok) throw new Error(good.reason);
    const settings = emailSettingsSchema.parse({ provider: 'smtp', from: { address: 'hello@news.example.com' }, smtp: { host: k.sink.host, port: k.sink.port } });
    // The sink is on 127.0.0.1: private targets allowed, as the operator of a test machine would.
    const smtp = createSmtpProvider(settings, {}, undefined, true);
    const outbox = createOutboxProvider({ store: k.h.deps.store, clock: k.h.clock });
    const message = (address: string): OutgoingEmail => ({
      workspaceId: k.t.workspaceId,
      recordId: `msg_${Math.random().toString(36).slice(2)}`,
      from: { address: 'hello@news.example.com' },
      to: { address },
      subject: 'hi',
      html: '<p>hi</p>',
      text: 'hi',
      messageId: '<m@news.example.com>',
      date: new Date(k.h.clock.now()),
      headers: {},
    });
    try {
      for (const [, email] of HOSTILE) {
        for (const provider of [smtp, outbox]) {
          const r = await provider.send(message(email));
          expect(r.status, `${provider.name}: ${email}`).toBe('permanent');
          expect((r as { reason: string }).reason).toMatch(/^invalid recipient address: /);
        }
      }
      expect((await smtp.send(message(good.value.address))).status).toBe('sent');
      const mails = await k.sink.waitFor(1);
      expect(mails.map((m) => m.envelope.rcptTo)).toEqual([['x@example.org']]);
      const stored = await k.h.deps.store.db.selectFrom('outbox').select('to_address').where('workspace_id', '=', k.t.workspaceId).execute();
      expect(stored).toEqual([]);
    } finally {
      await smtp.close();
    }
  });
});
