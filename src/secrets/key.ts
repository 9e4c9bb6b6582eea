/**
 * @module Where the secret key of the SecretBox (./secret-box.ts) comes from.
 *
 * - `QATRA_SECRET_KEY` (and, while rotating, `QATRA_SECRET_KEY_PREVIOUS`): 32 bytes written as
 *   base64 (or base64url) or as 64 hex characters; anything else stops the start with a clear error
 *   (config.ts parses them with `parseSecretKey`).
 * - Unset on SQLite: the key lives in `<dataDir>/secret.key` (mode 0600), generated on the first
 *   start and read on every later one. It is created atomically: written whole to a temporary file,
 *   then hard-linked to its name, which fails if the name exists; so two processes starting at once
 *   both end up reading the one key that won, never a half-written or a second key.
 * - Unset on PostgreSQL: refused. Workers on several machines share the database and must share the
 *   key; a key generated on one machine's disk would seal secrets the others cannot open.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ValidationError } from '../core/errors.js';
import type { SecretKeys } from './secret-box.js';

export const KEY_FILE = 'secret.key';
const HOW = 'must be 32 bytes written as base64 or as 64 hex characters (generate one with `openssl rand -base64 32`)';

/** Reads a key written as 64 hex characters or base64/base64url of 32 bytes; undefined when unset. */
export function parseSecretKey(name: string, raw: string | undefined): Buffer | undefined {
  const text = (raw ?? '').trim();
  if (text === '') return undefined;
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(text) || /^[A-Za-z0-9_-]{43}=?$/.test(text)) {
    const key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === 32) return key;
  }
  // Never echo the value: it is (meant to be) a secret.
  throw ValidationError.at(name, `${HOW}; got ${text.length} characters`);
}

export interface KeySource {
  secretKey?: Buffer | undefined;
  secretKeyPrevious?: Buffer | undefined;
  databaseUrl: string | undefined;
  dataDir: string;
}

/** The keys this process seals and opens with (see the module comment for where they come from). */
export function resolveSecretKeys(config: KeySource): SecretKeys & { source: 'env' | 'file' } {
  if (config.secretKey) return { current: config.secretKey, previous: config.secretKeyPrevious, source: 'env' };
  if (config.databaseUrl) {
    const why =
      'is required with PostgreSQL (DATABASE_URL): every process sharing the database must seal and open provider secrets with the same key, ' +
      'so it cannot be generated on one machine. Set it on every process (generate one with `openssl rand -base64 32`)';
    // The whole message: a ValidationError's default one clips long issues.
    throw new ValidationError([{ path: 'QATRA_SECRET_KEY', message: why }], `QATRA_SECRET_KEY: ${why}`);
  }
  return { current: keyFile(config.dataDir), previous: config.secretKeyPrevious, source: 'file' };
}

/** The key in `<dataDir>/secret.key`, created (atomically, mode 0600) when there is none. */
export function keyFile(dataDir: string): Buffer {
  const file = path.join(dataDir, KEY_FILE);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      fs.writeSync(fd, `${randomBytes(32).toString('base64')}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.linkSync(tmp, file); // atomic; EEXIST when another process got there first: use its key
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
  const key = parseSecretKey(file, fs.readFileSync(file, 'utf8'));
  if (!key) throw ValidationError.at(file, `is empty; it ${HOW.replace('must be', 'must hold')} (delete it only if no secret was ever sealed with it)`);
  return key;
}
