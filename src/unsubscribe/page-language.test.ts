import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { emailKit, type EmailKit } from '../channels/email/test-kit.js';
import type { Contact } from '../contacts/contact.js';
import { PAGE_STRINGS, choosePageLang } from './strings.js';

describe.each(backends())("the unsubscribe and preference pages in the contact's language on %s", (kind) => {
  let k: EmailKit;
  beforeAll(async () => {
    k = await emailKit(kind);
  });
  afterAll(async () => k?.close());

  async function links(c: Contact, key: string): Promise<{ unsubscribe: string }> {
    k.sink.clear();
    expect((await k.send(c, { template: 'welcome-1', key })).status).toBe('sent');
    const [mail] = await k.sink.waitFor(1);
    const header = mail!.raw.split('\r\n').find((l) => l.startsWith('List-Unsubscribe:'))!;
    return { unsubscribe: /<https:\/\/q\.example\.com(\/u\/[^>]+)>/.exec(header)![1]! };
  }

  async function withLocale(email: string, locale: string | null): Promise<Contact> {
    const c = await k.contact(email);
    await k.h.deps.store.db.updateTable('contacts').set({ locale }).where('id', '=', c.id).execute();
    return c;
  }

  it('an Arabic contact gets lang="ar" dir="rtl" and Arabic text on every page', async () => {
    const c = await withLocale('layla@example.org', 'ar-EG');
    const { unsubscribe } = await links(c, 'lang:ar');
    const page = await k.h.app.inject({ method: 'GET', url: unsubscribe, headers: { 'accept-language': 'en-US' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html lang="ar" dir="rtl">');
    expect(page.body).toContain('<button type="submit">إلغاء الاشتراك</button>');
    expect(page.body).toContain('لماذا تغادر؟ (اختياري)');
    expect(page.body).not.toContain('Unsubscribe');

    const prefsUrl = /href="https:\/\/q\.example\.com(\/p\/[^"]+)"/.exec(page.body)![1]!;
    const prefs = await k.h.app.inject({ method: 'GET', url: prefsUrl });
    expect(prefs.body).toContain('<html lang="ar" dir="rtl">');
    expect(prefs.body).toContain('<h1>تفضيلات البريد</h1>');

    const done = await k.h.app.inject({ method: 'POST', url: unsubscribe, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'scope=all' });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('<html lang="ar" dir="rtl">');
    expect(done.body).toContain('<h1>تم إلغاء اشتراكك</h1>');
  });

  it('a Persian contact gets Persian; a contact without a locale gets the browser language, else English', async () => {
    const fa = await withLocale('dara@example.org', 'fa_IR');
    const faPage = await k.h.app.inject({ method: 'GET', url: (await links(fa, 'lang:fa')).unsubscribe });
    expect(faPage.body).toContain('<html lang="fa" dir="rtl">');
    expect(faPage.body).toContain('<button type="submit">لغو اشتراک</button>');

    const none = await withLocale('sam@example.org', null);
    const path = (await links(none, 'lang:none')).unsubscribe;
    const asked = await k.h.app.inject({ method: 'GET', url: path, headers: { 'accept-language': 'de-DE,fa;q=0.8,en;q=0.5' } });
    expect(asked.body).toContain('<html lang="fa" dir="rtl">');
    const plain = await k.h.app.inject({ method: 'GET', url: path });
    expect(plain.body).toContain('<html lang="en" dir="ltr">');
    expect(plain.body).toContain('<button type="submit">Unsubscribe</button>');
  });

  it('the names and addresses in a translated string stay escaped', async () => {
    await k.h.deps.store.db.updateTable('workspaces').set({ name: '<b>Acme</b>' }).execute();
    const c = await withLocale('esc@example.org', 'ar');
    const page = await k.h.app.inject({ method: 'GET', url: (await links(c, 'lang:esc')).unsubscribe });
    expect(page.body).toContain('&lt;b&gt;Acme&lt;/b&gt;');
    expect(page.body).not.toContain('<b>Acme</b>');
  });
});

describe('the page language', () => {
  it('has every page string in Arabic and Persian', () => {
    for (const lang of ['ar', 'fa'] as const) expect(Object.keys(PAGE_STRINGS[lang]).sort()).toEqual(Object.keys(PAGE_STRINGS.en).sort());
  });
  it('takes the contact locale first, then Accept-Language, then English', () => {
    expect(choosePageLang('AR', 'fa')).toBe('ar');
    expect(choosePageLang('de', 'fr, fa-IR;q=0.5')).toBe('fa');
    expect(choosePageLang(null, undefined)).toBe('en');
    expect(choosePageLang('x'.repeat(10_000), 'x,'.repeat(10_000))).toBe('en');
  });
});
