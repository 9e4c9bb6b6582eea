/**
 * @module Lob's webhook signature: `Lob-Signature` is the hex HMAC-SHA256, under the webhook's
 * secret, of `Lob-Signature-Timestamp` + `.` + the raw request body. We also refuse a timestamp
 * more than five minutes from our clock (a replayed request), read as epoch milliseconds, epoch
 * seconds (10 digits or fewer) or an ISO 8601 time. Compared in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const LOB_SIGNATURE_TOLERANCE_MS = 5 * 60_000;

export function signLob(secret: string, timestamp: string, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
}

function timestampMs(ts: string): number | null {
  if (/^\d{1,10}$/.test(ts)) return Number(ts) * 1000;
  if (/^\d{11,16}$/.test(ts)) return Number(ts);
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(ts)) {
    const ms = Date.parse(ts);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

export function validLobSignature(input: { secret: string; timestamp: unknown; signature: unknown; rawBody: string; now: number }): boolean {
  const { timestamp, signature } = input;
  if (typeof timestamp !== 'string' || typeof signature !== 'string' || !/^[0-9a-f]{64}$/i.test(signature) || timestamp.length > 40) return false;
  const at = timestampMs(timestamp);
  if (at === null || Math.abs(input.now - at) > LOB_SIGNATURE_TOLERANCE_MS) return false;
  const expected = Buffer.from(signLob(input.secret, timestamp, input.rawBody), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}
