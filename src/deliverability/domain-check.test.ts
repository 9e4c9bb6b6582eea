import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDomains } from './domain-check.js';
import { dkimRecordFor } from './dns-records.js';
import { startDnsServer, type DnsServer } from './dns.testkit.js';

const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const dkimRecord = dkimRecordFor(key)!;

// One zone, one domain per case.
const zone = {
  txt: {
    'good.test': ['v=spf1 include:relay.test ~all', 'google-site-verification=abc'],
    'q1._domainkey.good.test': [dkimRecord],
    '_dmarc.good.test': ['v=DMARC1; p=reject; rua=mailto:d@good.test'],
    'wrong.test': ['v=spf1 ip4:192.0.2.0/24 -all'],
    'q1._domainkey.wrong.test': [dkimRecordFor(otherKey)!],
    '_dmarc.wrong.test': ['v=DMARC1; p=sometimes'],
    'multi.test': ['v=spf1 include:relay.test ~all', 'v=spf1 ip4:198.51.100.7 ~all'],
    'q1._domainkey.multi.test': [dkimRecord],
    '_dmarc.multi.test': ['v=DMARC1; p=none', 'v=DMARC1; p=reject'],
    'byip.test': ['v=spf1 ip4:203.0.113.0/28 ~all'],
    '_dmarc.byip.test': ['v=DMARC1; p=quarantine'],
    '_dmarc.parent.test': ['v=DMARC1; p=quarantine'],
  },
  a: { 'smtp.relay.test': ['203.0.113.9'], 'missing.test': ['192.0.2.1'] },
};

describe('sending domain check against a local DNS server', () => {
  let dns: DnsServer;
  beforeAll(async () => {
    dns = await startDnsServer(zone);
  });
  afterAll(() => dns.close());

  const check = (domain: string, over: Partial<Parameters<typeof checkDomains>[1]> = {}) =>
    checkDomains(dns.resolver(), { fromDomains: [domain], smtpHost: 'smtp.relay.test', dkim: { domain, selector: 'q1', privateKey: key }, ...over }).then((r) => r[0]!);

  it('a domain with the right SPF, the DKIM key Qatra signs with and a DMARC policy is ok and aligned', async () => {
    const r = await check('good.test');
    expect(r.spf).toMatchObject({ status: 'ok', name: 'good.test', aligned: true, found: ['v=spf1 include:relay.test ~all'] });
    expect(r.spf.explanation.join(' ')).toContain('include:relay.test');
    expect(r.dkim).toMatchObject({ status: 'ok', name: 'q1._domainkey.good.test', aligned: true, publish: null });
    expect(r.dmarc).toMatchObject({ status: 'ok', policy: 'reject' });
    expect(r.dmarc.explanation.join(' ')).toContain('refused');
    expect(r.ok).toBe(true);
  });

  it('the DKIM record Qatra asks for carries the public key of its private key, split into 255-byte strings by DNS and joined back', async () => {
    expect(dkimRecord).toMatch(/^v=DKIM1; k=rsa; p=MIIB/);
    expect(dkimRecord.length).toBeGreaterThan(255);
    expect((await check('good.test')).dkim.found).toEqual([dkimRecord]);
  });

  it('wrong records are named wrong, with the record to publish instead', async () => {
    const r = await check('wrong.test');
    expect(r.spf.status).toBe('wrong');
    expect(r.spf.publish).toBe('v=spf1 ip4:192.0.2.0/24 a:smtp.relay.test -all');
    expect(r.spf.explanation.join(' ')).toContain('does not authorise your SMTP relay smtp.relay.test (203.0.113.9)');
    expect(r.dkim.status).toBe('wrong');
    expect(r.dkim.publish).toBe(dkimRecord);
    expect(r.dmarc.status).toBe('wrong');
    expect(r.ok).toBe(false);
  });

  it('missing records are missing, with fresh ones to publish; DMARC is looked up at the organisational domain too', async () => {
    const r = await check('missing.test');
    expect(r.spf).toMatchObject({ status: 'missing', publish: 'v=spf1 a:smtp.relay.test ~all' });
    expect(r.dkim).toMatchObject({ status: 'missing', publish: dkimRecord });
    expect(r.dmarc).toMatchObject({ status: 'missing', publish: 'v=DMARC1; p=none; rua=mailto:dmarc-reports@missing.test' });
    expect(r.summary).toContain('would fail DMARC');
    const sub = await check('news.parent.test');
    expect(sub.dmarc).toMatchObject({ status: 'ok', policy: 'quarantine', name: '_dmarc.parent.test' });
    expect(dns.asked).toContain('TXT _dmarc.news.parent.test');
  });

  it('two SPF records, or two DMARC records, are reported as multiple (receivers treat them as an error)', async () => {
    const r = await check('multi.test');
    expect(r.spf.status).toBe('multiple');
    expect(r.spf.found).toHaveLength(2);
    expect(r.dmarc.status).toBe('multiple');
    expect(r.dkim.status).toBe('ok');
  });

  it('an ip4 range covering the relay address authorises it; a Return-Path on another domain is explained as not aligned', async () => {
    const r = await check('byip.test', { dkim: undefined, returnPathDomain: 'bounces.other.test' });
    expect(r.spf.name).toBe('bounces.other.test');
    expect(r.spf.aligned).toBe(false);
    expect(r.spf.explanation.join(' ')).toContain('not aligned');
    const own = await check('byip.test', { dkim: undefined });
    expect(own.spf).toMatchObject({ status: 'ok', aligned: true });
    expect(own.spf.explanation.join(' ')).toContain('203.0.113.9');
    expect(own.dkim.status).toBe('missing');
    expect(own.summary).toContain('SPF only');
  });

  it('a DNS server that does not answer is an error, not a missing record', async () => {
    const silent = await startDnsServer({});
    await silent.close();
    const r = await checkDomains(silent.resolver(), { fromDomains: ['good.test'] });
    expect(r[0]!.spf.status).toBe('error');
    expect(r[0]!.dmarc.status).toBe('error');
  }, 15_000);
});

describe('the default resolver', () => {
  it('does not ask the system DNS servers reserved names (RFC 2606, RFC 6761): an error that says so', async () => {
    const { defaultResolver } = await import('./domains.js');
    const [r] = await checkDomains(defaultResolver(undefined), { fromDomains: ['news.example.com'], smtpHost: 'smtp.example.com' });
    expect(r!.spf).toMatchObject({ status: 'error', name: 'news.example.com' });
    expect(r!.spf.explanation.join(' ')).toContain('news.example.com is a reserved name');
    expect(r!.dmarc.status).toBe('error');
  });
});
