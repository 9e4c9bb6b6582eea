/**
 * @module Reading the three DNS TXT records a sending domain publishes, and what Qatra would have it
 * publish: SPF (`v=spf1 …` at the envelope domain), DKIM (`v=DKIM1; k=rsa; p=<public key>` at
 * `<selector>._domainkey.<domain>`, the key derived from the private key Qatra signs with) and DMARC
 * (`v=DMARC1; p=…` at `_dmarc.<domain>`). Pure functions: the lookups are in ./domain-check.ts.
 */
import { createPublicKey } from 'node:crypto';

/** The DKIM TXT value for a PEM private key (RSA or Ed25519); null when the PEM holds no key. */
export function dkimRecordFor(privateKeyPem: string): string | null {
  try {
    const key = createPublicKey(privateKeyPem);
    // An Ed25519 record holds the bare 32-byte key (RFC 8463), not the SPKI structure.
    if (key.asymmetricKeyType === 'ed25519') return `v=DKIM1; k=ed25519; p=${Buffer.from(key.export({ format: 'jwk' }).x ?? '', 'base64url').toString('base64')}`;
    const p = key.export({ type: 'spki', format: 'der' }).toString('base64');
    return `v=DKIM1; k=rsa; p=${p}`;
  } catch {
    return null;
  }
}

/** `k=v` tags of a DKIM or DMARC record (keys lower-cased, whitespace removed from values). */
export function tags(record: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of record.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    out.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).replace(/\s+/g, ''));
  }
  return out;
}

export const isSpf = (txt: string) => /^v=spf1(\s|$)/i.test(txt.trim());
export const isDmarc = (txt: string) => /^v=DMARC1\s*(;|$)/i.test(txt.trim());
export const isDkim = (txt: string) => /^v=DKIM1\s*(;|$)/i.test(txt.trim()) || /(^|;)\s*p=/i.test(txt);

export interface SpfTerms {
  includes: string[];
  ip4: string[];
  ip6: string[];
  /** `a:host` terms (a bare `a` names the domain itself: kept as ''). */
  a: string[];
  all: string | null;
}

export function spfTerms(record: string): SpfTerms {
  const out: SpfTerms = { includes: [], ip4: [], ip6: [], a: [], all: null };
  for (const term of record.trim().split(/\s+/).slice(1)) {
    const m = /^([+~?-]?)(include|ip4|ip6|a|all)(?::(.*))?$/i.exec(term);
    if (!m) continue;
    const kind = m[2]!.toLowerCase();
    if (kind === 'all') out.all = `${m[1] || '+'}all`;
    else if (kind === 'include') out.includes.push((m[3] ?? '').toLowerCase());
    else if (kind === 'a') out.a.push((m[3] ?? '').toLowerCase());
    else if (kind === 'ip4') out.ip4.push(m[3] ?? '');
    else out.ip6.push(m[3] ?? '');
  }
  return out;
}

const ip4Number = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);

/** Whether `ip` (IPv4) is covered by `range` (`1.2.3.4` or `1.2.3.0/24`). */
export function ip4Covers(range: string, ip: string): boolean {
  const [base, bits = '32'] = range.split('/');
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(base ?? '') || !/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return false;
  const n = Number(bits);
  if (!Number.isInteger(n) || n < 0 || n > 32) return false;
  const size = 2 ** (32 - n);
  return Math.floor(ip4Number(base!) / size) === Math.floor(ip4Number(ip) / size);
}

/** The last two labels (`mail.example.com` → `example.com`): the organisational domain, without a public-suffix list. */
export function orgDomain(domain: string): string {
  return domain.toLowerCase().replace(/\.$/, '').split('.').slice(-2).join('.');
}

/** DMARC's relaxed alignment: the same organisational domain. */
export const aligned = (a: string, b: string) => orgDomain(a) === orgDomain(b);

export const DMARC_POLICY_MEANING: Record<string, string> = {
  none: 'p=none: receivers only report failures to you; nothing is blocked. Start here, read the reports, then tighten.',
  quarantine: 'p=quarantine: mail that fails DMARC goes to spam.',
  reject: 'p=reject: mail that fails DMARC is refused; the strongest protection against spoofing of your domain.',
};
