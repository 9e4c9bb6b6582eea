import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { emailSettingsSchema, saveEmailSettings } from '../channels/email/settings.js';
import { dkimRecordFor } from './dns-records.js';
import { startDnsServer, type DnsServer } from './dns.testkit.js';

describe.each(backends())('GET /api/deliverability/domains (%s)', (kind) => {
  let dns: DnsServer;
  let h: Harness;
  let t: Tenant;
  const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

  beforeAll(async () => {
    dns = await startDnsServer({
      txt: {
        'shop.test': ['v=spf1 include:mailer.test -all'],
        'q1._domainkey.shop.test': [dkimRecordFor(privateKey)!],
        '_dmarc.shop.test': ['v=DMARC1; p=none'],
      },
    });
    // allowPrivateOutbound: the list's relays are made-up .test names the address guard would refuse.
    h = await createHarness(kind, { dnsServers: [`127.0.0.1:${dns.port}`], allowPrivateOutbound: true });
    t = await h.tenant();
  });
  afterAll(async () => {
    await h?.close();
    await dns?.close();
  });

  it('answers the From domains of the stored settings, looked up through the configured DNS server', async () => {
    const none = await h.app.inject({ method: 'GET', url: '/api/deliverability/domains', headers: t.admin });
    // Before the workspace stores its own: the process defaults' From (the outbox's).
    expect(none.json()).toMatchObject({ source: 'default', domains: [{ domain: 'localhost.localdomain' }] });
    await saveEmailSettings(
      h.deps,
      t.workspaceId,
      emailSettingsSchema.parse({
        provider: 'smtp',
        from: { address: 'news@shop.test' },
        transactionalFrom: { address: 'orders@receipts.test' },
        smtp: { host: 'smtp.mailer.test', port: 25 },
        dkim: { domain: 'shop.test', selector: 'q1', privateKey },
      }),
    );
    const res = await h.app.inject({ method: 'GET', url: '/api/deliverability/domains', headers: t.admin });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.source).toBe('workspace');
    expect(body.domains.map((d: { domain: string }) => d.domain)).toEqual(['shop.test', 'receipts.test']);
    const [shop, receipts] = body.domains;
    expect(shop).toMatchObject({ ok: true, spf: { status: 'ok' }, dkim: { status: 'ok', aligned: true }, dmarc: { status: 'ok', policy: 'none' } });
    expect(shop.dmarc.explanation.join(' ')).toContain('p=none: receivers only report');
    // The transactional From's domain publishes nothing, and the DKIM key signs for shop.test, not for it.
    expect(receipts).toMatchObject({ ok: false, spf: { status: 'missing', publish: 'v=spf1 a:smtp.mailer.test ~all' }, dkim: { status: 'ok', aligned: false }, dmarc: { status: 'missing' } });
    expect(receipts.dkim.explanation.join(' ')).toContain('d=shop.test is not aligned with your From domain receipts.test');
    expect(receipts.summary).toContain('would fail DMARC');
    expect(dns.asked).toContain('TXT q1._domainkey.shop.test');
  });

  it('checks the From domains for every provider of the list, not only primary: each relay or ESP must be in SPF', async () => {
    const put = await h.app.inject({
      method: 'PUT',
      url: '/api/email/providers',
      headers: t.admin,
      payload: {
        providers: [
          { id: 'primary', name: 'Own relay', kind: 'smtp', settings: { smtp: { host: 'smtp.mailer.test', port: 25 } } },
          { id: 'backup', name: 'Other relay', kind: 'smtp', settings: { smtp: { host: 'relay.other.test', port: 25 } } },
          { id: 'esp', name: 'SendGrid', kind: 'sendgrid', settings: { esp: { kind: 'sendgrid' } }, secrets: { apiKey: 'SG.x' } },
        ],
      },
    });
    expect(put.statusCode, put.body).toBe(200);
    const body = (await h.app.inject({ method: 'GET', url: '/api/deliverability/domains', headers: t.admin })).json();
    const shop = (id: string) => body.providers.find((p: { id: string }) => p.id === id).domains.find((d: { domain: string }) => d.domain === 'shop.test');
    expect(body.providers.map((p: { id: string }) => p.id)).toEqual(['primary', 'backup', 'esp']);
    expect(shop('primary')).toMatchObject({ ok: true, spf: { status: 'ok' }, dkim: { status: 'ok' } });
    expect(shop('backup')).toMatchObject({ ok: false, spf: { status: 'wrong', publish: 'v=spf1 include:mailer.test a:relay.other.test -all' }, dkim: { status: 'ok' } });
    expect(shop('esp')).toMatchObject({ ok: false, spf: { status: 'wrong', publish: 'v=spf1 include:mailer.test include:sendgrid.net -all' } });
    expect(shop('esp').spf.explanation.join(' ')).toContain('does not include sendgrid.net');
  });
});
