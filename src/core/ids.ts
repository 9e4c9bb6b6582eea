/**
 * @module Identifiers: a short type prefix and a ULID-like body (48-bit time + 80 random bits,
 * Crockford base32), so ids sort by creation time and cursor pagination can use them.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

function encodeTime(ms: number): string {
  let out = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32]! + out;
    t = Math.floor(t / 32);
  }
  return out;
}

function encodeRandom(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31]!;
      bits -= 5;
    }
  }
  return out;
}

export type IdPrefix = 'ws' | 'key' | 'ct' | 'lst' | 'jr' | 'run' | 'msg' | 'tpl' | 'seg' | 'bc' | string;

export function newId(prefix: IdPrefix, nowMs: number = Date.now()): string {
  return `${prefix}_${encodeTime(nowMs)}${encodeRandom(randomBytes(10))}`;
}

/** A random secret token (for API keys and signing secrets): url-safe base64 of n bytes. */
export function newSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}
