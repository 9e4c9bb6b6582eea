/**
 * @module Amazon SNS message signatures (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html):
 * the string to sign is the message's fields as `Name\nValue\n` in a fixed order (Notification:
 * Message, MessageId, Subject when present, Timestamp, TopicArn, Type; SubscriptionConfirmation and
 * UnsubscribeConfirmation: Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type),
 * signed RSA with SHA1 (SignatureVersion 1) or SHA256 (2) by the certificate at `SigningCertURL`.
 *
 * The certificate URL is attacker-supplied, so it is trusted only when it is https on
 * `sns.<region>.amazonaws.com` (the topic's region; `.amazonaws.com.cn` in China) and names a .pem
 * file; `SubscribeURL` must pass the same check before it is visited. Both checks and the fetch are
 * an injectable `SnsTrust` (tests serve a self-signed certificate from 127.0.0.1). Certificates are
 * cached per URL by the caller and refused once expired (by the injected clock).
 */
import { verify as verifySignature, X509Certificate } from 'node:crypto';
import https from 'node:https';
import { ForbiddenError } from '../../../../core/errors.js';

export interface SnsMessage {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Subject?: string | undefined;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  SubscribeURL?: string | undefined;
  Token?: string | undefined;
}

export interface SnsTrust {
  /** May Qatra fetch this URL (a signing certificate, a SubscribeURL) for a topic in `region`? */
  allowed(url: URL, region: string): boolean;
  /** GETs a URL that passed `allowed`; answers its body. */
  get(url: URL): Promise<string>;
}

const MAX_CERT_BYTES = 16_384;

/** The production trust: https, `sns.<region>.amazonaws.com[.cn]`, default port. */
export const awsSnsTrust: SnsTrust = {
  allowed(url, region) {
    const host = region.startsWith('cn-') ? `sns.${region}.amazonaws.com.cn` : `sns.${region}.amazonaws.com`;
    return url.protocol === 'https:' && url.hostname === host && url.port === '' && url.username === '' && url.password === '';
  },
  get(url) {
    return new Promise((resolve, reject) => {
      const req = https.get(url, { timeout: 10_000 }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`HTTP ${res.statusCode}`));
        }
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          if (body.length > MAX_CERT_BYTES) req.destroy(new Error('answer too large'));
        });
        res.on('end', () => resolve(body));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
    });
  },
};

/** The topic's region (`arn:aws:sns:eu-west-1:123456789012:ses-events` → `eu-west-1`), or null. */
export function topicRegion(topicArn: string): string | null {
  return /^arn:aws[a-z-]*:sns:([a-z0-9-]+):\d{12}:[A-Za-z0-9_-]{1,256}$/.exec(topicArn)?.[1] ?? null;
}

export function snsStringToSign(m: SnsMessage): string {
  const fields =
    m.Type === 'Notification'
      ? (['Message', 'MessageId', ...(m.Subject !== undefined ? ['Subject' as const] : []), 'Timestamp', 'TopicArn', 'Type'] as const)
      : (['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const);
  return fields.map((f) => `${f}\n${(m as unknown as Record<string, string>)[f] ?? ''}\n`).join('');
}

/** The message's fields as strings, or ForbiddenError when it is not an SNS message. */
export function snsMessageOf(value: unknown): SnsMessage {
  const v = value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  const required = ['Type', 'MessageId', 'TopicArn', 'Message', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL'];
  for (const f of required) if (typeof v[f] !== 'string') throw new ForbiddenError(`not a signed SNS message (no ${f})`);
  const m: Record<string, unknown> = { ...v };
  // An absent optional field may come as null; it is then not part of the string to sign.
  for (const f of ['Subject', 'SubscribeURL', 'Token']) {
    if (m[f] === null) delete m[f];
    else if (m[f] !== undefined && typeof m[f] !== 'string') throw new ForbiddenError(`not a signed SNS message (${f})`);
  }
  return m as unknown as SnsMessage;
}

/**
 * Checks the message's signature against its signing certificate (fetched through `trust` and kept
 * in `cache`); throws ForbiddenError for anything but a valid signature by a trusted certificate.
 */
export async function verifySnsSignature(m: SnsMessage, region: string, trust: SnsTrust, cache: Map<string, X509Certificate>, now: number): Promise<void> {
  const algorithm = m.SignatureVersion === '1' ? 'sha1' : m.SignatureVersion === '2' ? 'sha256' : null;
  if (!algorithm) throw new ForbiddenError(`unsupported SNS SignatureVersion ${JSON.stringify(m.SignatureVersion).slice(0, 20)}`);
  let url: URL;
  try {
    url = new URL(m.SigningCertURL);
  } catch {
    throw new ForbiddenError('invalid SigningCertURL');
  }
  if (!trust.allowed(url, region) || !url.pathname.endsWith('.pem')) throw new ForbiddenError(`untrusted SigningCertURL host ${url.host} (must be sns.${region}.amazonaws.com)`);
  let cert = cache.get(url.href);
  if (!cert) {
    try {
      cert = new X509Certificate(await trust.get(url));
    } catch (err) {
      throw new ForbiddenError(`SNS signing certificate unusable: ${(err as Error).message}`.slice(0, 200));
    }
    if (cache.size > 100) cache.clear();
    cache.set(url.href, cert);
  }
  if (!(Date.parse(cert.validTo) > now)) throw new ForbiddenError('SNS signing certificate expired');
  const ok = verifySignature(algorithm, Buffer.from(snsStringToSign(m), 'utf8'), cert.publicKey, Buffer.from(m.Signature, 'base64'));
  if (!ok) throw new ForbiddenError('invalid SNS signature');
}
