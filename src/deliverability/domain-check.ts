/**
 * @module The sending-domain check (docs/email.md "Sending domain check"): for each From domain of a
 * workspace, the SPF, DKIM and DMARC records it should publish, looked up in DNS and explained in
 * words, alignment included. The resolver is a dependency (a `node:dns/promises` Resolver; tests
 * point one at a local DNS server, ./dns.testkit.ts).
 *
 * Each record is `ok`, `missing`, `wrong` (found but not what it must be), `multiple` (more than one
 * SPF or DMARC record: receivers treat that as an error and ignore them) or `error` (the lookup
 * failed: timeout, server failure), with what to publish and why.
 */
import { isIP } from 'node:net';
import { DMARC_POLICY_MEANING, aligned, dkimRecordFor, ip4Covers, isDkim, isDmarc, isSpf, orgDomain, spfTerms, tags } from './dns-records.js';

/** The part of node:dns/promises' Resolver the check uses. */
export interface TxtResolver {
  resolveTxt(name: string): Promise<string[][]>;
  resolve4(name: string): Promise<string[]>;
}

export type RecordStatus = 'ok' | 'missing' | 'wrong' | 'multiple' | 'error';

export interface RecordCheck {
  /** Where the record lives. */
  name: string;
  status: RecordStatus;
  /** The relevant TXT records found there. */
  found: string[];
  /** What to publish (a corrected record where one was found); null when nothing is to change. */
  publish: string | null;
  /** What was checked and what it means, in words. */
  explanation: string[];
}

export interface DomainReport {
  domain: string;
  spf: RecordCheck & { envelopeDomain: string; aligned: boolean };
  dkim: RecordCheck & { selector: string | null; signingDomain: string | null; aligned: boolean };
  dmarc: RecordCheck & { policy: string | null };
  ok: boolean;
  summary: string;
}

export interface DomainCheckInput {
  fromDomains: readonly string[];
  /** The envelope (Return-Path) domain when VERP is set: SPF is checked there. */
  returnPathDomain?: string | undefined;
  dkim?: { domain: string; selector: string; privateKey?: string | undefined } | undefined;
  /** The SMTP relay mail leaves through (none: the outbox, or a provider Qatra cannot see). */
  smtpHost?: string | undefined;
  /** An ESP's SPF domain the record must include (`amazonses.com`, `sendgrid.net`, …). */
  spfInclude?: string | undefined;
}

type Lookup = { records: string[] } | { error: string };

async function txt(resolver: TxtResolver, name: string): Promise<Lookup> {
  try {
    // A record longer than 255 bytes arrives in chunks: joined without separators (RFC 7208 §3.3).
    return { records: (await resolver.resolveTxt(name)).map((chunks) => chunks.join('')) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENODATA' || code === 'ENOTFOUND') return { records: [] };
    if (code === 'ERESERVED') return { error: (err as Error).message };
    return { error: `DNS lookup of ${name} failed (${code ?? (err as Error).message})` };
  }
}

async function hostAddresses(resolver: TxtResolver, host: string): Promise<string[]> {
  if (isIP(host)) return [host];
  try {
    return await resolver.resolve4(host);
  } catch {
    return [];
  }
}

async function checkSpf(resolver: TxtResolver, input: DomainCheckInput, from: string): Promise<DomainReport['spf']> {
  const envelopeDomain = (input.returnPathDomain ?? from).toLowerCase();
  const isAligned = aligned(envelopeDomain, from);
  const explanation = [
    `SPF is checked against the envelope sender's domain ${envelopeDomain}${input.returnPathDomain ? ' (the Return-Path domain of your email settings)' : ' (your From address, as no Return-Path domain is set)'}.`,
    isAligned
      ? `${envelopeDomain} is aligned with your From domain ${from}, so an SPF pass counts for DMARC.`
      : `${envelopeDomain} is not aligned with your From domain ${from}: an SPF pass does not count for DMARC; DKIM must pass instead.`,
  ];
  const mechanism = input.smtpHost ? (isIP(input.smtpHost) ? `ip4:${input.smtpHost}` : `a:${input.smtpHost.toLowerCase()}`) : null;
  const base = { name: envelopeDomain, envelopeDomain, aligned: isAligned };
  const looked = await txt(resolver, envelopeDomain);
  if ('error' in looked) return { ...base, status: 'error', found: [], publish: null, explanation: [...explanation, looked.error] };
  const found = looked.records.filter(isSpf);
  const wanted = input.spfInclude ? `include:${input.spfInclude}` : mechanism;
  const fresh = `v=spf1 ${wanted ? `${wanted} ` : ''}~all`;
  if (found.length === 0) return { ...base, status: 'missing', found, publish: fresh, explanation: [...explanation, `No SPF record at ${envelopeDomain}: publish one TXT record.`] };
  if (found.length > 1)
    return {
      ...base,
      status: 'multiple',
      found,
      publish: fresh,
      explanation: [...explanation, `${found.length} SPF records at ${envelopeDomain}: receivers treat that as a permanent error (RFC 7208 §4.5). Merge them into one.`],
    };
  const record = found[0]!;
  if (input.spfInclude) return checkSpfInclude(base, explanation, record, found, input.spfInclude);
  if (!input.smtpHost)
    return {
      ...base,
      status: 'ok',
      found,
      publish: null,
      explanation: [...explanation, 'An SPF record is published; Qatra cannot see which servers your provider sends from, so check it lists them.'],
    };
  const terms = spfTerms(record);
  const host = input.smtpHost.toLowerCase();
  const addresses = await hostAddresses(resolver, host);
  const byIp = addresses.find((ip) => terms.ip4.some((range) => ip4Covers(range, ip)));
  const byA = terms.a.includes(host);
  const byInclude = terms.includes.find((inc) => orgDomain(inc) === orgDomain(host));
  if (byIp || byA || byInclude) {
    const how = byIp ? `ip4 covers ${byIp}, the address of ${host}` : byA ? `a:${host} names it` : `include:${byInclude} is your provider's`;
    return { ...base, status: 'ok', found, publish: null, explanation: [...explanation, `The SPF record authorises your SMTP relay ${host}: ${how}.`] };
  }
  // The relay's mechanism goes before `all` (terms after `all` are never reached).
  const parts = record.trim().split(/\s+/);
  const at = parts.findIndex((term) => /^[+~?-]?all$/i.test(term));
  parts.splice(at < 0 ? parts.length : at, 0, mechanism!);
  const withMechanism = parts.join(' ');
  return {
    ...base,
    status: 'wrong',
    found,
    publish: withMechanism.trim(),
    explanation: [...explanation, `The SPF record does not authorise your SMTP relay ${host}${addresses.length ? ` (${addresses.join(', ')})` : ''}: mail from it fails SPF. Add ${mechanism}.`],
  };
}

/** SPF for an ESP: the record must include its SPF domain (an `include:` of the same organisational domain). */
function checkSpfInclude(base: { name: string; envelopeDomain: string; aligned: boolean }, explanation: string[], record: string, found: string[], include: string): DomainReport['spf'] {
  const terms = spfTerms(record);
  const byInclude = terms.includes.find((inc) => orgDomain(inc) === orgDomain(include));
  if (byInclude) return { ...base, status: 'ok', found, publish: null, explanation: [...explanation, `The SPF record includes ${byInclude}, your provider's.`] };
  const parts = record.trim().split(/\s+/);
  const at = parts.findIndex((term) => /^[+~?-]?all$/i.test(term));
  parts.splice(at < 0 ? parts.length : at, 0, `include:${include}`);
  return {
    ...base,
    status: 'wrong',
    found,
    publish: parts.join(' '),
    explanation: [...explanation, `The SPF record does not include ${include}: mail your provider sends fails SPF. Add include:${include}.`],
  };
}

async function checkDkim(resolver: TxtResolver, input: DomainCheckInput, from: string): Promise<DomainReport['dkim']> {
  if (!input.dkim)
    return {
      name: '',
      selector: null,
      signingDomain: null,
      aligned: false,
      status: 'missing',
      found: [],
      publish: null,
      explanation: ['Qatra does not sign your mail: set a DKIM domain, selector and private key in the email settings. Without DKIM, DMARC rests on SPF alone, which forwarding breaks.'],
    };
  const signingDomain = input.dkim.domain.toLowerCase();
  const name = `${input.dkim.selector}._domainkey.${signingDomain}`;
  const isAligned = aligned(signingDomain, from);
  const expected = input.dkim.privateKey ? dkimRecordFor(input.dkim.privateKey) : null;
  const explanation = [
    `Qatra signs with d=${signingDomain}, s=${input.dkim.selector}; receivers fetch the public key from ${name}.`,
    isAligned
      ? `d=${signingDomain} is aligned with your From domain ${from}, so a DKIM pass counts for DMARC.`
      : `d=${signingDomain} is not aligned with your From domain ${from}: a DKIM pass does not count for DMARC.`,
  ];
  const base = { name, selector: input.dkim.selector, signingDomain, aligned: isAligned };
  const looked = await txt(resolver, name);
  if ('error' in looked) return { ...base, status: 'error', found: [], publish: expected, explanation: [...explanation, looked.error] };
  const found = looked.records.filter(isDkim);
  if (!expected) return { ...base, status: 'wrong', found, publish: null, explanation: [...explanation, 'No usable DKIM private key is stored, so the record to publish cannot be derived.'] };
  if (found.length === 0) return { ...base, status: 'missing', found, publish: expected, explanation: [...explanation, `No DKIM key at ${name}: publish the TXT record below.`] };
  if (found.length > 1) return { ...base, status: 'multiple', found, publish: expected, explanation: [...explanation, `${found.length} DKIM records at ${name}: keep exactly one, the one below.`] };
  const published = tags(found[0]!).get('p') ?? '';
  if (published !== tags(expected).get('p'))
    return {
      ...base,
      status: 'wrong',
      found,
      publish: expected,
      explanation: [
        ...explanation,
        published ? `The key published at ${name} is not the one Qatra signs with: signatures fail. Replace it.` : `The record at ${name} has no key (p=): signatures fail.`,
      ],
    };
  return { ...base, status: 'ok', found, publish: null, explanation: [...explanation, 'The published key is the one Qatra signs with.'] };
}

async function checkDmarc(resolver: TxtResolver, from: string): Promise<DomainReport['dmarc']> {
  const explanation = ['DMARC passes when SPF or DKIM passes for a domain aligned with From, and tells receivers what to do when neither does.'];
  const lookIn = [...new Set([from, orgDomain(from)])];
  const publish = `v=DMARC1; p=none; rua=mailto:dmarc-reports@${orgDomain(from)}`;
  for (const domain of lookIn) {
    const name = `_dmarc.${domain}`;
    const looked = await txt(resolver, name);
    if ('error' in looked) return { name, policy: null, status: 'error', found: [], publish: null, explanation: [...explanation, looked.error] };
    const found = looked.records.filter(isDmarc);
    if (found.length === 0) continue;
    const inherited = domain !== from ? [`No record at _dmarc.${from}: the organisational domain's record applies.`] : [];
    if (found.length > 1)
      return { name, policy: null, status: 'multiple', found, publish, explanation: [...explanation, ...inherited, `${found.length} DMARC records at ${name}: receivers ignore them all. Keep one.`] };
    const policy = tags(found[0]!).get('p')?.toLowerCase() ?? null;
    const meaning = policy ? DMARC_POLICY_MEANING[policy] : undefined;
    if (!meaning) return { name, policy, status: 'wrong', found, publish, explanation: [...explanation, ...inherited, `The record has no valid policy (p=none, quarantine or reject).`] };
    return { name, policy, status: 'ok', found, publish: null, explanation: [...explanation, ...inherited, meaning] };
  }
  return {
    name: `_dmarc.${from}`,
    policy: null,
    status: 'missing',
    found: [],
    publish,
    explanation: [...explanation, `No DMARC record: Gmail and Yahoo require one of bulk senders. Start with p=none.`],
  };
}

export async function checkDomains(resolver: TxtResolver, input: DomainCheckInput): Promise<DomainReport[]> {
  const domains = [...new Set(input.fromDomains.map((d) => d.toLowerCase()))];
  return Promise.all(
    domains.map(async (domain) => {
      const [spf, dkim, dmarc] = await Promise.all([checkSpf(resolver, input, domain), checkDkim(resolver, input, domain), checkDmarc(resolver, domain)]);
      const spfPasses = spf.status === 'ok' && spf.aligned;
      const dkimPasses = dkim.status === 'ok' && dkim.aligned;
      const ok = spf.status === 'ok' && dkim.status === 'ok' && dkim.aligned && dmarc.status === 'ok';
      const summary = ok
        ? `${domain} is set up: SPF, DKIM and DMARC (${dmarc.policy}) in place and aligned.`
        : spfPasses || dkimPasses
          ? `${domain} passes DMARC alignment through ${spfPasses && dkimPasses ? 'SPF and DKIM' : spfPasses ? 'SPF only' : 'DKIM only'}; fix the records marked below.`
          : `${domain} would fail DMARC: neither SPF nor DKIM passes aligned with it. Publish the records below.`;
      return { domain, spf, dkim, dmarc, ok, summary };
    }),
  );
}
