import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { databaseEnv, runCli } from '../../test/cli.js';
import { CLI, REPO, childEnv } from '../../test/process.js';
import { withDatabase } from '../../test/templates.js';
import { openStore, type Store } from '../store/store.js';
import { migrate } from '../store/migrate.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An empty place to restore into: a new data directory, or a new PostgreSQL database. */
async function emptyTarget(kind: 'sqlite' | 'postgres'): Promise<{ env: Record<string, string>; open(): Store; drop(): Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-restore-'));
    return { env: { QATRA_DATA_DIR: dir }, open: () => openStore({ sqliteFile: path.join(dir, 'qatra.db') }), drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const base = process.env.QATRA_TEST_DATABASE_URL!;
  const name = `qatra_r_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(base, name);
  return {
    env: { DATABASE_URL: url },
    open: () => openStore({ databaseUrl: url }),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

describe.each(backends())('qatra backup and restore on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let dir: string;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-backup-'));
  });
  afterAll(async () => {
    await h?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const env = () => databaseEnv(kind, h.database);

  /** Ingests batches through the real /v1/batch until stopped; `acked` holds every acknowledged messageId in order. */
  function ingestUntilStopped() {
    const acked: string[] = [];
    let stopped = false;
    let n = 0;
    const done = (async () => {
      while (!stopped) {
        // Random padding: a dump compresses it little, so the database has some size.
        const batch = Array.from({ length: 50 }, () => ({ type: 'track', userId: `u-${n % 40}`, event: 'Load', messageId: `load-${n++}`, properties: { pad: randomBytes(100).toString('hex') } }));
        const res = await h.app.inject({ method: 'POST', url: '/v1/batch', headers: { 'content-type': 'application/json', ...t.write }, payload: JSON.stringify({ batch }) });
        if (res.statusCode !== 200) throw new Error(`ingest answered ${res.statusCode}: ${res.body}`);
        acked.push(...batch.map((b) => b.messageId));
      }
    })();
    return {
      acked,
      async stop() {
        stopped = true;
        await done;
      },
    };
  }

  it('a backup taken while events are being ingested restores every event acknowledged before it began', async () => {
    const file = path.join(dir, 'under-load.backup');
    const load = ingestUntilStopped();
    while (load.acked.length < 3000) await sleep(20);
    const before = load.acked.slice();
    const backup = await runCli(['backup', file], env());
    const duringBackup = load.acked.length - before.length;
    await load.stop();
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/backup written to .*under-load\.backup \(\d+ bytes\)/);
    expect(duringBackup, 'ingestion went on while the backup ran').toBeGreaterThan(0);

    const target = await emptyTarget(kind);
    try {
      const restore = await runCli(['restore', file], target.env);
      expect(restore.code, restore.stderr).toBe(0);
      const restored = target.open();
      try {
        const rows = await restored.db.selectFrom('events').select('message_id').where('workspace_id', '=', t.workspaceId).execute();
        const have = new Set(rows.map((r) => r.message_id));
        expect(before.filter((id) => !have.has(id))).toEqual([]);
        // Nothing from after the snapshot that was not acknowledged by then: every restored id was acknowledged at some point.
        expect(rows.length).toBeLessThanOrEqual(load.acked.length);
        expect(await migrate(restored)).toEqual([]);
      } finally {
        await restored.close();
      }
    } finally {
      await target.drop();
    }
  });

  it('refuses to overwrite a backup or replace a database that holds data unless forced', async () => {
    const file = path.join(dir, 'twice.backup');
    expect((await runCli(['backup', file], env())).code).toBe(0);
    const again = await runCli(['backup', file], env());
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists; pass --force to replace it');
    expect((await runCli(['backup', file, '--force'], env())).code).toBe(0);

    const restore = await runCli(['restore', file], env());
    expect(restore.code).toBe(2);
    expect(restore.stderr).toMatch(/already holds .*pass --force/);
    if (kind === 'sqlite') {
      // The harness has the database open, as a running server would: even --force does not replace it under it.
      const forced = await runCli(['restore', file, '--force'], env());
      expect(forced.code).toBe(2);
      expect(forced.stderr).toContain('is in use (a running qatra start or worker?)');
      expect(fs.readdirSync(path.dirname(h.database.url)).filter((f) => f.includes('before-restore'))).toEqual([]);
    }
    const notBackup = path.join(dir, 'not-a-backup');
    fs.writeFileSync(notBackup, 'hello');
    const bad = await runCli(['restore', notBackup], (await emptyTarget(kind)).env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a (SQLite database|readable pg_dump|readable database)/);
  });

  it('a backup target that fills up gets a clear error and nothing left behind', async () => {
    // Enough data that the backup is larger than the limit below, whichever test ran before.
    const load = ingestUntilStopped();
    while (load.acked.length < 3000) await sleep(20);
    await load.stop();
    const full = path.join(dir, 'full');
    fs.mkdirSync(full);
    const file = path.join(full, 'too-big.backup');
    // A file-size limit of 128 KiB (dash counts 512-byte blocks) stands in for a full disk: writes
    // past it fail with EFBIG, as they would with ENOSPC. SIGXFSZ is ignored so the write fails instead of killing.
    const cmd = `trap '' XFSZ; ulimit -f 256; exec "${process.execPath}" --import tsx "${CLI}" backup "${file}"`;
    const proc = spawn('/bin/sh', ['-c', cmd], { cwd: REPO, env: childEnv(env()) });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
    expect(code, stderr).toBe(2);
    expect(stderr).toMatch(/qatra: backup not written: (.* has no room for it|writing to .* failed \(.*a full disk, a quota or a file-size limit\?\)).*; nothing was left at .*too-big\.backup/);
    expect(fs.readdirSync(full)).toEqual([]);
  });
});
