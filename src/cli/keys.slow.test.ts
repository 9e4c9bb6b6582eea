import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { backends } from '../../test/backends.js';
import { createHarness, type Harness } from '../../test/harness.js';
import { databaseEnv, runCli } from '../../test/cli.js';

// Every test runs the real CLI as child processes (through tsx); on a loaded machine each takes seconds.
vi.setConfig({ testTimeout: 180_000 });

describe.each(backends())('qatra keys on %s', (kind) => {
  let h: Harness;
  let env: Record<string, string>;
  beforeAll(async () => {
    h = await createHarness(kind);
    env = databaseEnv(kind, h.database);
  });
  afterAll(async () => h?.close());

  const listContacts = (secret: string) => h.app.inject({ method: 'GET', url: '/api/contacts', headers: { authorization: `Bearer ${secret}` } });

  it('a key created, listed and revoked through the CLI works until it is revoked', async () => {
    const created = await runCli(['keys', 'create', '--kind', 'admin', '--name', 'ci'], env);
    expect(created.code, created.stderr).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^qa_[\w-]{32}$/);
    expect(created.stderr).toMatch(/created admin key key_\w+ "ci" in ws_default/);
    expect((await listContacts(secret)).statusCode).toBe(200);

    const listed = await runCli(['keys', 'list'], env);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+KIND\s+NAME\s+PREFIX\s+CREATED\s+REVOKED\s+ORIGINS$/);
    const row = lines.find((l) => l.includes(' ci '))!;
    const [id, kindCol, , prefix, createdAt, revoked, originsCol] = row.split(/\s{2,}/);
    expect(id).toMatch(/^key_/);
    expect(kindCol).toBe('admin');
    expect(prefix).toBe(secret.slice(0, 8));
    expect(createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(revoked).toBe('-');
    expect(originsCol).toBe('none');
    // The bootstrap keys of the default workspace are listed too, and no secret is ever printed.
    expect(lines.filter((l) => l.startsWith('key_'))).toHaveLength(3);
    expect(listed.stdout).not.toContain(secret);

    const revokedRun = await runCli(['keys', 'revoke', id!], env);
    expect(revokedRun.code, revokedRun.stderr).toBe(0);
    expect(revokedRun.stdout).toMatch(new RegExp(`^revoked ${id} at \\d{4}-`));
    const res = await listContacts(secret);
    expect(res.statusCode).toBe(401);
    expect(
      (await runCli(['keys', 'list'], env)).stdout
        .split('\n')
        .find((l) => l.startsWith(id!))!
        .split(/\s{2,}/)[5],
    ).not.toBe('-');
  });

  it('a write key from the CLI reaches ingestion only: the management API refuses it', async () => {
    const created = await runCli(['keys', 'create', '--kind', 'write'], env);
    expect(created.code).toBe(0);
    expect(created.stdout.trim()).toMatch(/^qw_/);
    expect((await listContacts(created.stdout.trim())).statusCode).toBe(403);
  });

  it("a write key's origins set by the CLI restrict browsers: listed, changed, cleared, bad ones refused", async () => {
    const created = await runCli(['keys', 'create', '--kind', 'write', '--name', 'shop', '--origin', 'https://Shop.example.com', 'https://*.example.org'], env);
    expect(created.code, created.stderr).toBe(0);
    const secret = created.stdout.trim();
    const id = /created write key (key_\w+)/.exec(created.stderr)![1]!;
    const call = (origin: string) =>
      h.app.inject({ method: 'POST', url: '/v1/t', headers: { 'content-type': 'text/plain', origin }, payload: JSON.stringify({ writeKey: secret, anonymousId: 'a', event: 'CLI' }) });
    expect((await call('https://shop.example.com')).statusCode).toBe(200);
    expect((await call('https://a.example.org')).statusCode).toBe(200);
    expect((await call('https://evil.example.net')).statusCode).toBe(403);
    const listed = (await runCli(['keys', 'list'], env)).stdout.split('\n').find((l) => l.startsWith(id))!;
    expect(listed).toMatch(/https:\/\/shop\.example\.com https:\/\/\*\.example\.org$/);

    const set = await runCli(['keys', 'origins', id, 'https://evil.example.net'], env);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe(`${id} origins: https://evil.example.net\n`);
    expect((await call('https://evil.example.net')).statusCode).toBe(200);
    expect((await call('https://shop.example.com')).statusCode).toBe(403);

    const bad = await runCli(['keys', 'origins', id, 'https://ok.example.com', 'https://x.example.com/path'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/allowedOrigins\.1/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    expect((await call('https://evil.example.net')).statusCode).toBe(200);

    const cleared = await runCli(['keys', 'origins', id], env);
    expect(cleared.stdout).toBe(`${id} origins: any\n`);
    expect((await call('https://shop.example.com')).statusCode).toBe(200);
  });

  it('bad input is one clear line and a non-zero exit, never a stack trace', async () => {
    const unknown = await runCli(['keys', 'revoke', 'key_nope'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('qatra: key key_nope not found\n');

    const badKind = await runCli(['keys', 'create', '--kind', 'root'], env);
    expect(badKind.code).not.toBe(0);
    expect(badKind.stderr.split('\n')[0]).toMatch(/option '--kind <kind>' argument 'root' is invalid. Allowed choices are admin, write/);
    expect(badKind.stderr).not.toMatch(/\n\s+at /);

    const noKind = await runCli(['keys', 'create'], env);
    expect(noKind.code).not.toBe(0);
    expect(noKind.stderr).toMatch(/required option '--kind <kind>' not specified/);

    const noWorkspace = await runCli(['keys', 'list', '--workspace', 'ws_missing'], env);
    expect(noWorkspace.code).toBe(2);
    expect(noWorkspace.stderr).toBe('qatra: workspace ws_missing not found\n');
  });

  it('--help of every keys command shows examples', async () => {
    for (const cmd of ['create', 'list', 'origins', 'revoke']) {
      const help = await runCli(['keys', cmd, '--help'], env);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/Examples:\n\s+\$ qatra keys /);
    }
  });
});
