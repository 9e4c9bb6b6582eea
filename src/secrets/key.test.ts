import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/config.js';
import { keyFile, KEY_FILE, resolveSecretKeys } from './key.js';
import { keyIdOf } from './secret-box.js';

const run = promisify(execFile);
const dirs: string[] = [];
const tempDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-key-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('the secret key', () => {
  it('QATRA_SECRET_KEY is read as 64 hex characters or base64/base64url of 32 bytes', () => {
    const key = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7 + 250));
    for (const text of [key.toString('hex'), key.toString('base64'), key.toString('base64url'), ` ${key.toString('base64')}\n`]) {
      expect(parseConfig({ QATRA_SECRET_KEY: text }).secretKey?.equals(key)).toBe(true);
    }
    expect(parseConfig({ QATRA_SECRET_KEY_PREVIOUS: key.toString('hex') }).secretKeyPrevious?.equals(key)).toBe(true);
    expect(parseConfig({}).secretKey).toBeUndefined();
  });

  it('anything else stops the start with an error naming the variable, never echoing the value', () => {
    for (const bad of ['hunter2hunter2', 'ab'.repeat(31), Buffer.alloc(16, 1).toString('base64'), Buffer.alloc(33, 1).toString('base64'), `${'g'.repeat(64)}`]) {
      let message = '';
      try {
        parseConfig({ QATRA_SECRET_KEY: bad });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/^QATRA_SECRET_KEY: must be 32 bytes written as base64 or as 64 hex characters/);
      expect(message).not.toContain(bad);
    }
    expect(() => parseConfig({ QATRA_SECRET_KEY_PREVIOUS: 'short' })).toThrow(/QATRA_SECRET_KEY_PREVIOUS/);
  });

  it('unset on PostgreSQL: refused, saying why', () => {
    expect(() => resolveSecretKeys({ databaseUrl: 'postgres://db/qatra', dataDir: tempDir() })).toThrow(/QATRA_SECRET_KEY: is required with PostgreSQL .*same key/);
    const key = Buffer.alloc(32, 3);
    expect(resolveSecretKeys({ databaseUrl: 'postgres://db/qatra', dataDir: tempDir(), secretKey: key }).current).toBe(key);
  });

  it('unset on SQLite: generated once into <dataDir>/secret.key (mode 0600) and reused', () => {
    const dir = path.join(tempDir(), 'data');
    const first = resolveSecretKeys({ databaseUrl: undefined, dataDir: dir });
    expect(first.source).toBe('file');
    const file = path.join(dir, KEY_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(resolveSecretKeys({ databaseUrl: undefined, dataDir: dir }).current.equals(first.current)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual([KEY_FILE]); // no temporary file left behind
    fs.writeFileSync(file, 'not a key\n');
    expect(() => keyFile(dir)).toThrow(/secret\.key: must be 32 bytes/);
  });

  it('two processes starting at once end with one key', async () => {
    const base = tempDir();
    const rounds = 20;
    const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'key-file.child.ts');
    const startAt = String(Date.now() + 4000); // after every child has loaded
    const outs = await Promise.all(Array.from({ length: 4 }, () => run(process.execPath, ['--import', 'tsx', child, base, startAt, String(rounds)])));
    const perChild = outs.map((o) => o.stdout.trim().split('\n'));
    for (let i = 0; i < rounds; i++) {
      const dir = path.join(base, String(i));
      const ids = perChild.map((lines) => lines[i]);
      expect(new Set(ids).size, `round ${i}`).toBe(1);
      expect(ids[0]).toBe(keyIdOf(keyFile(dir)));
      expect(fs.readdirSync(dir)).toEqual([KEY_FILE]);
    }
  }, 60_000);
});
