import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { emailSettingsSchema, saveEmailSettings } from '../channels/email/settings.js';
import { dkimRecordFor } from '../deliverability/dns-records.js';
import { startDnsServer, type DnsServer } from '../deliverability/dns.testkit.js';
import { GALLERY } from '../journeys/gallery/catalogue.js';
import { galleryJourney } from '../journeys/gallery/use.js';

describe.each(backends())('the setup checklist on %s', (kind) => {
  let dns: DnsServer;
  let h: Harness;
  let a: Tenant;
  const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: object) => h.app.inject({ method, url, headers: a.admin, ...(payload ? { payload } : {}) });
  const state = async () => {
    const res = await call('GET', '/api/setup/checklist');
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { complete: boolean; items: { id: string; done: boolean; detail?: string; problem?: { code: string; domain?: string; records?: string[] }; link: string }[] };
  };
  const done = async () => Object.fromEntries((await state()).items.map((i) => [i.id, i.done]));

  beforeAll(async () => {
    dns = await startDnsServer({ txt: {} });
    h = await createHarness(kind, { dnsServers: [`127.0.0.1:${dns.port}`] });
    a = await h.tenant({ postalAddress: '' });
  });
  afterAll(async () => {
    await h?.close();
    await dns?.close();
  });

  it('starts with nothing done, each item linking to where it is done', async () => {
    const s = await state();
    expect(s.complete).toBe(false);
    expect(s.items).toEqual([
      { id: 'postal_address', done: false, link: '/settings#ws-title' },
      { id: 'email_provider', done: false, link: '/settings#email-title' },
      { id: 'sending_domain', done: false, detail: 'no From address of your own yet', problem: { code: 'no_from_address' }, link: '/settings#email-title' },
      { id: 'first_contact', done: false, link: '/contacts' },
      { id: 'first_journey', done: false, link: '/gallery' },
    ]);
  });

  it('ticks each item as it is done, from the real state', async () => {
    await call('PATCH', '/api/workspace', { postalAddress: '1 Main St, Springfield' });
    expect(await done()).toEqual({ postal_address: true, email_provider: false, sending_domain: false, first_contact: false, first_journey: false });

    await saveEmailSettings(h.deps, a.workspaceId, emailSettingsSchema.parse({ provider: 'outbox', from: { address: 'news@shop.test' } }));
    expect((await state()).items[1]).toMatchObject({ id: 'email_provider', done: false, detail: expect.stringContaining('outbox'), problem: { code: 'outbox' } });

    await saveEmailSettings(
      h.deps,
      a.workspaceId,
      emailSettingsSchema.parse({ provider: 'smtp', from: { address: 'news@shop.test' }, smtp: { host: 'smtp.mailer.test', port: 25 }, dkim: { domain: 'shop.test', selector: 'q1', privateKey } }),
    );
    let s = await state();
    expect(s.items[1]).toMatchObject({ id: 'email_provider', done: true });
    // The domain publishes nothing yet: asked of the DNS server, not done, and the summary says why.
    expect(s.items[2]).toMatchObject({ id: 'sending_domain', done: false, detail: expect.stringMatching(/^shop\.test: /), link: '/settings#email-title' });
    // The same as a code the web app words in Arabic or Persian: every record is missing.
    expect(s.items[2]!.problem).toEqual({ code: 'dns', domain: 'shop.test', records: ['spf', 'dkim', 'dmarc'] });
    expect(dns.asked).toContain('TXT _dmarc.shop.test');

    dns.zone.txt!['shop.test'] = ['v=spf1 a:smtp.mailer.test -all'];
    dns.zone.txt!['q1._domainkey.shop.test'] = [dkimRecordFor(privateKey)!];
    dns.zone.txt!['_dmarc.shop.test'] = ['v=DMARC1; p=none'];
    dns.zone.a = { 'smtp.mailer.test': ['192.0.2.1'] };
    s = await state();
    expect(s.items[2], JSON.stringify(s.items[2])).toMatchObject({ id: 'sending_domain', done: true });

    expect((await call('POST', '/api/contacts', { email: 'first@example.com' })).statusCode).toBe(201);
    expect((await done()).first_contact).toBe(true);

    expect((await call('POST', '/api/gallery/birthday/use')).statusCode).toBe(201);
    s = await state();
    expect(s.items[4]).toEqual({ id: 'first_journey', done: false, detail: 'a draft journey exists: publish it', problem: { code: 'draft_journey' }, link: '/journeys' });
    expect(s.complete).toBe(false);

    const item = GALLERY.find((g) => g.id === 'birthday')!;
    expect((await call('PUT', '/api/journeys/birthday', { ...galleryJourney(item, 'birthday', 'Birthday'), status: 'live' })).statusCode).toBe(200);
    s = await state();
    expect(s.items.every((i) => i.done)).toBe(true);
    expect(s.complete).toBe(true);
  });
});
