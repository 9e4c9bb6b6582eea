/**
 * @module Password hashing with scrypt (node:crypto), stored as `scrypt$N$r$p$salt$hash` so the cost
 * can be raised later without breaking stored hashes. N=2^15, r=8, p=1 is the OWASP
 * Password Storage Cheat Sheet's scrypt minimum (~50 ms here); verification is constant-time.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { ValidationError } from '../core/errors.js';

const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
export const MIN_PASSWORD_LENGTH = 10;

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    // maxmem: scrypt needs 128*N*r bytes (32 MiB here); Node's default cap is exactly that, so give headroom.
    scryptCb(password.normalize('NFKC'), salt, KEY_LENGTH, { ...options, maxmem: 256 * N * R }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export function checkPasswordStrength(password: string, path = 'password'): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw ValidationError.at(path, `use at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > 1000) throw ValidationError.at(path, 'use at most 1000 characters');
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, { N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * A hash to verify against when the address is unknown, so timing does not reveal which addresses exist.
 * Module-level on purpose: set once, lazily (one scrypt, ~50 ms, not at import), and never changed
 * after; any random password serves every runtime in the process equally.
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}
