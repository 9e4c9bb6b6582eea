import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';

/** A receipt in English with an Arabic variant; `arPreheader` undefined leaves the variant without one. */
const receipt = (id: string, arPreheader?: string) => ({
  id,
  name: 'Receipt',
  kind: 'transactional',
  content: {
    subject: 'Your receipt',
    preheader: 'Thanks for your order',
    body: '<p>Hello {{ contact.first_name }}</p>',
    locales: { ar: { subject: 'إيصالك', ...(arPreheader ? { preheader: arPreheader } : {}), body: '<p>مرحبا {{ contact.first_name }}</p>' } },
  },
});

describe.each(backends())('preheader per locale on %s', (kind) => {
  let h: Harness;
  let a: Tenant;
  const call = (method: 'GET' | 'POST', url: string, payload?: object) => h.app.inject({ method, url, headers: a.admin, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    h = await createHarness(kind);
    a = await h.tenant();
    expect((await call('POST', '/api/contacts', { email: 'layla@example.com', locale: 'ar', attributes: { first_name: 'ليلى' } })).statusCode).toBe(201);
    expect((await call('POST', '/api/contacts', { email: 'sam@example.com', locale: 'en' })).statusCode).toBe(201);
  });
  afterAll(async () => h?.close());

  /** Sends `templateId` to `email` through the outbox and returns the parsed message as delivered. */
  const sent = async (templateId: string, email: string) => {
    const res = await call('POST', '/api/messages/send', { templateId, email });
    expect(res.json().result.status, res.body).toBe('sent');
    const entry = (await call('GET', '/api/outbox')).json().data.find((e: { messageId: string }) => e.messageId === res.json().message.id);
    return simpleParser((await call('GET', `/api/outbox/${entry.id}/raw`)).body);
  };
  const hiddenPreheader = (html: string) => /<div style="display:none[^"]*">([^<]*)<\/div>/.exec(html)?.[1] ?? null;

  it("an Arabic contact's email carries the Arabic preheader, an English one the English", async () => {
    expect((await call('POST', '/api/templates', receipt('receipt-ar', 'شكرا لطلبك'))).statusCode).toBe(201);
    const ar = await sent('receipt-ar', 'layla@example.com');
    expect(ar.subject).toBe('إيصالك');
    expect(hiddenPreheader(String(ar.html))).toBe('شكرا لطلبك');
    expect(String(ar.html)).not.toContain('Thanks for your order');
    const en = await sent('receipt-ar', 'sam@example.com');
    expect(hiddenPreheader(String(en.html))).toBe('Thanks for your order');
  });

  it('an Arabic variant with its own text but no preheader is sent without one, never with the English, and the save warns', async () => {
    const saved = await call('POST', '/api/templates', receipt('receipt-nopre'));
    expect(saved.statusCode).toBe(201);
    expect(saved.json().current.warnings).toEqual([expect.stringMatching(/^locales\.ar\.preheader: the ar variant has its own text but no preheader/)]);
    const ar = await sent('receipt-nopre', 'layla@example.com');
    expect(String(ar.html)).not.toContain('Thanks for your order');
    expect(hiddenPreheader(String(ar.html))).toBeNull();
    const preview = (await call('POST', '/api/templates/receipt-nopre/preview', { locale: 'ar' })).json();
    expect(preview).toMatchObject({ locale: 'ar', direction: 'rtl', preheader: '' });
  });

  it('a variant of the same language (en-GB beside en) still shares the default preheader, without a warning', async () => {
    const content = { subject: 'Your receipt', preheader: 'Thanks for your order', body: '<p>Hi</p>', locales: { 'en-GB': { subject: 'Your receipt, mate' } } };
    const saved = await call('POST', '/api/templates', { id: 'receipt-gb', name: 'Receipt', kind: 'transactional', content });
    expect(saved.json().current.warnings).toEqual([]);
    expect((await call('POST', '/api/templates/receipt-gb/preview', { locale: 'en-GB' })).json()).toMatchObject({ subject: 'Your receipt, mate', preheader: 'Thanks for your order' });
  });
});
