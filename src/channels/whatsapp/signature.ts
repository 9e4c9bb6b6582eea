/**
 * @module `X-Hub-Signature-256` of Meta's webhooks: `sha256=` + the hex HMAC-SHA256 of the raw
 * request body under the app secret. Compared in constant time; anything else (missing, another
 * algorithm, wrong length) is invalid.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function hubSignature(appSecret: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

export function validHubSignature(appSecret: string, rawBody: string | Buffer, header: unknown): boolean {
  if (typeof header !== 'string' || !/^sha256=[0-9a-fA-F]{64}$/.test(header)) return false;
  const expected = Buffer.from(hubSignature(appSecret, rawBody).slice(7), 'hex');
  return timingSafeEqual(expected, Buffer.from(header.slice(7), 'hex'));
}
