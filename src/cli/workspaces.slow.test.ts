/**
 * `qatra workspaces`: the real CLI creates, lists, renames, rates, archives and unarchives
 * workspaces in the server's database, and says clearly what is wrong with bad input.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness } from '../../test/harness.js';
import { databaseEnv, runCli } from '../../test/cli.js';
import { createKey } from '../keys/keys.js';

// Every test runs the real CLI as child processes (through tsx); on a loaded machine each takes seconds.
vi.setConfig({ testTimeout: 1_800_000 });

describe.each(backends())('qatra workspaces on %s', (kind) => {
  let h: Harness;
  let env: Record<string, string>;
  beforeAll(async () => {
    h = await createHarness(kind);
    env = databaseEnv(kind, h.database);
  });
  afterAll(async () => h?.close());

  it('creates, lists, renames, rates, archives and unarchives; an archived workspace refuses ingestion', async () => {
    const created = await runCli(['workspaces', 'create', '  Acme EU '], env, { timeoutMs: 600_000 });
    expect(created.code, created.stderr).toBe(0);
    const id = created.stdout.trim();
    expect(id).toMatch(/^ws_\w+$/);
    expect(created.stderr).toContain(`created workspace ${id} "Acme EU" active`);
    expect(created.stderr).toMatch(/one-time link .*\/app\/setup#token=/);

    expect((await runCli(['workspaces', 'rename', id, 'Acme Europe'], env, { timeoutMs: 600_000 })).stdout).toContain(`${id} "Acme Europe" active`);
    expect((await runCli(['workspaces', 'rate', id, '25'], env, { timeoutMs: 600_000 })).stdout).toContain('ingestion rate 25/s');
    const archived = await runCli(['workspaces', 'archive', id], env, { timeoutMs: 600_000 });
    expect(archived.code, archived.stderr).toBe(0);
    expect(archived.stdout).toMatch(new RegExp(`${id} "Acme Europe" archived \\d{4}-`));

    const listed = await runCli(['workspaces', 'list'], env, { timeoutMs: 600_000 });
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+STATUS\s+RATE\s+CREATED$/);
    expect(lines.find((l) => l.startsWith(id))!.split(/\s{2,}/)).toEqual([id, 'Acme Europe', 'archived', '25/s', expect.stringMatching(/^\d{4}-/)]);

    const key = await createKey(h.deps, { workspaceId: id, kind: 'write' });
    const track = () => h.app.inject({ method: 'POST', url: '/v1/track', headers: { authorization: `Bearer ${key.secret}` }, payload: { userId: 'u', event: 'E' } });
    expect((await track()).statusCode).toBe(403);
    expect((await runCli(['workspaces', 'unarchive', id], env, { timeoutMs: 600_000 })).stdout).toContain(`${id} "Acme Europe" active`);
    expect((await track()).statusCode).toBe(200);
  });

  it('refuses bad input with one clear line and exit code 2, changing nothing', async () => {
    const count = async () => await h.deps.store.db.selectFrom('workspaces').select(['id', 'name', 'archived_at', 'ingest_rate_per_second']).orderBy('id').execute();
    const before = await count();
    const cases: Array<[string[], RegExp]> = [
      [['workspaces', 'create', '   '], /qatra: name: a name is required/],
      [['workspaces', 'rate', before[0]!.id, '-5'], /qatra: rate: "-5" is not a whole number/],
      [['workspaces', 'archive', 'ws_missing'], /qatra: workspace ws_missing not found/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args, env, { timeoutMs: 600_000 });
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(await count()).toEqual(before);
  });
});
