/**
 * Lob's webhook signature checked against a vector computed outside this code (`printf '%s'
 * '<timestamp>.<body>' | openssl dgst -sha256 -hmac <secret>`): the documented scheme (hex
 * HMAC-SHA256 of `Lob-Signature-Timestamp` + "." + raw body, timestamp in epoch milliseconds) is
 * accepted; a wrong secret, an altered body, a base64 digest, a stale or far-future timestamp are not.
 */
import { describe, expect, it } from 'vitest';
import { validLobSignature } from './signature.js';

const SECRET = 'lob_whsec_0123456789';
const TIMESTAMP = '1733600000000';
const BODY = '{"id":"evt_1","event_type":{"id":"letter.mailed"}}';
const SIGNATURE = 'e40e7b058af1d135d909a1e7ba24caa26267293582195de9607f25799135ecf5';
const AT = 1733600000000;

const check = (over: Partial<{ secret: string; timestamp: unknown; signature: unknown; rawBody: string; now: number }> = {}) =>
  validLobSignature({ secret: SECRET, timestamp: TIMESTAMP, signature: SIGNATURE, rawBody: BODY, now: AT + 1_000, ...over });

describe('Lob webhook signature', () => {
  it('accepts the documented scheme: hex HMAC-SHA256 of timestamp "." raw body, timestamp in epoch ms', () => {
    expect(check()).toBe(true);
    expect(check({ signature: SIGNATURE.toUpperCase() })).toBe(true);
  });

  it('refuses a wrong secret, an altered body, a base64 digest, a missing header', () => {
    expect(check({ secret: 'lob_whsec_another' })).toBe(false);
    expect(check({ rawBody: BODY.replace('mailed', 'delivered') })).toBe(false);
    expect(check({ rawBody: `${BODY}\n` })).toBe(false);
    expect(check({ signature: Buffer.from(SIGNATURE, 'hex').toString('base64') })).toBe(false);
    expect(check({ signature: undefined })).toBe(false);
    expect(check({ timestamp: undefined })).toBe(false);
  });

  it('refuses a timestamp more than five minutes old or ahead (a replay of a captured request)', () => {
    expect(check({ now: AT + 5 * 60_000 })).toBe(true);
    expect(check({ now: AT + 5 * 60_000 + 1 })).toBe(false);
    expect(check({ now: AT - 5 * 60_000 - 1 })).toBe(false);
  });
});
