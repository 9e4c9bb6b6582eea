/**
 * Secrets stay secret, checked on the real server (`qatra start`, trace logging): API keys are
 * stored only as hashes and the SMTP password and DKIM key sealed (their text is nowhere in the
 * database file), and no key, SMTP password,
 * DKIM private key, webhook or tracking secret is ever returned by a read endpoint or written to
 * the log, even when requests carrying them fail.
 */
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnCli, type Child } from '../process.js';

const occurrences = (text: string, needle: string) => text.split(needle).length - 1;

describe('secrets on the real server', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-secrets-'));
  let server: Child | undefined;
  afterAll(async () => {
    if (server && server.proc.exitCode === null) {
      server.proc.kill('SIGKILL');
      await server.exited();
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keys are stored hashed, and no secret is returned by a read or logged', async () => {
    server = spawnCli(['start'], { PORT: '0', HOST: '127.0.0.1', QATRA_DATA_DIR: dataDir, LOG_LEVEL: 'trace', QATRA_ALLOW_PRIVATE_OUTBOUND: '1' });
    const [, url] = await server.waitFor(/listening on (http:\/\/localhost:\d+)/, 60_000);
    const [, adminKey] = await server.waitFor(/admin API key: (qa_\S+)/);
    const [, writeKey] = await server.waitFor(/write key:\s+(qw_\S+)/);
    const call = async (method: string, p: string, body?: unknown, key = adminKey!) => {
      const res = await fetch(`${url}${p}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, text: await res.text() };
    };

    const smtpPassword = 'smtp-password-Zq81x';
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const dkimLine = privateKey.split('\n')[1]!;
    const put = await call('PUT', '/api/email/provider', {
      provider: 'smtp',
      from: { address: 'hello@news.example.com' },
      postalAddress: '1 Main St',
      smtp: { host: '127.0.0.1', port: 2525, user: 'u', password: smtpPassword },
      dkim: { domain: 'news.example.com', selector: 's1', privateKey },
    });
    expect(put.status, put.text).toBe(200);
    const created = await call('POST', '/api/keys', { kind: 'write', name: 'extra' });
    const extraKey = JSON.parse(created.text).secret as string;
    expect(extraKey).toMatch(/^qw_/);
    const hook = await call('POST', '/api/webhooks/email-events/secret');
    expect(hook.status, hook.text).toBeLessThan(300);
    const webhookSecret = Object.values(JSON.parse(hook.text) as Record<string, unknown>).find((v) => typeof v === 'string' && v.length >= 16) as string;
    expect(webhookSecret).toBeTruthy();

    // Failing requests that carry secrets: bad bodies with a good key, good bodies with bad keys.
    await call('PUT', '/api/email/provider', { provider: 'smtp', smtp: { password: smtpPassword, port: 'x' } });
    await call('POST', '/v1/track', { event: 'no user' }, writeKey);
    await call('GET', '/api/keys', undefined, writeKey);
    await call('GET', `/api/contacts?secret=${webhookSecret}`, undefined, `${adminKey}x`);
    await fetch(`${url}/api/webhooks/email-events?secret=${webhookSecret}x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });

    const reads = await Promise.all(['/api/keys', '/api/email/provider', '/api/workspace', '/api/messages', '/api/contacts'].map((p) => call('GET', p)));
    const readText = reads.map((r) => r.text).join('\n');
    expect(reads.every((r) => r.status === 200)).toBe(true);
    for (const secret of [adminKey!, writeKey!, extraKey, smtpPassword, dkimLine, webhookSecret]) expect(readText, secret.slice(0, 8)).not.toContain(secret);
    expect(readText).not.toMatch(/trackingSecret|webhookSecret|PRIVATE KEY/);

    server.proc.kill('SIGTERM');
    expect((await server.exited()).code).toBe(0);
    const log = server.output();
    // The first start prints the two initial keys once, for the operator; nothing else, ever.
    expect(occurrences(log, adminKey!)).toBe(1);
    expect(occurrences(log, writeKey!)).toBe(1);
    for (const secret of [extraKey, smtpPassword, dkimLine, webhookSecret]) expect(occurrences(log, secret), secret.slice(0, 8)).toBe(0);
    expect(log.length).toBeGreaterThan(200); // trace logging did log things

    const files = fs.readdirSync(dataDir).filter((f) => f.startsWith('qatra.db'));
    const db = Buffer.concat(files.map((f) => fs.readFileSync(path.join(dataDir, f)))).toString('latin1');
    expect(db.length).toBeGreaterThan(10_000);
    // Provider secrets are sealed at rest (src/secrets/): neither the password nor the key is in the file.
    for (const key of [adminKey!, writeKey!, extraKey, smtpPassword, dkimLine]) expect(db.includes(key), `${key.slice(0, 8)} stored in clear`).toBe(false);
  }, 120_000);
});
