/**
 * The streaming import under a small heap: 100,000 rows through the real CLI with
 * `--max-old-space-size=96`. Minutes on a loaded machine, so it is in the slow suite
 * (`npm run test:slow`, vitest.slow.config.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backends, freshDatabase, type TestDatabase } from '../../test/backends.js';
import { databaseEnv, runCli } from '../../test/cli.js';
import { toContact } from '../contacts/contact.js';
import type { DialectName } from '../store/store.js';

describe.each(backends())('qatra contacts import of a large file on %s', (kind: DialectName) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-cli-'));
  const databases: TestDatabase[] = [];
  async function fresh(): Promise<{ database: TestDatabase; env: Record<string, string> }> {
    const database = await freshDatabase(kind);
    databases.push(database);
    return { database, env: databaseEnv(kind, database) };
  }
  afterAll(async () => {
    for (const d of databases) await d.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a 100,000-row CSV imports in a 96 MB heap (memory stays flat) and reports rows/s', { timeout: 300_000 }, async () => {
    const { database, env } = await fresh();
    const csv = path.join(dir, 'big.csv');
    const out = fs.createWriteStream(csv);
    out.write('user_id,email,timezone,plan,score:number,vip:boolean,signed_up:date,bio\n');
    const bio = 'lorem ipsum dolor sit amet '.repeat(8);
    for (let i = 0; i < 100_000; i++) {
      const line = `u${i},user${i}@example.com,${['UTC', 'Asia/Riyadh', 'Europe/Berlin'][i % 3]},plan${i % 5},${i * 1.5},${i % 2 === 1},2024-01-${String(1 + (i % 28)).padStart(2, '0')},"${bio}${i}"\n`;
      if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((r) => out.end(() => r()));
    // The file is 29 MB; held in memory as strings and row objects it would need far more than 96 MB
    // of heap, so the import only finishes inside this limit if it streams.
    const run = await runCli(['contacts', 'import', csv], env, { nodeArgs: ['--max-old-space-size=96'], timeoutMs: 280_000 });
    expect(run.code, run.stderr.slice(0, 2000)).toBe(0);
    const m = /100000 rows, 100000 created, 0 updated, 0 unchanged, 0 failed in ([\d.]+) s \((\d+) rows\/s, peak RSS (\d+) MB\)/.exec(run.stdout);
    expect(m, run.stdout).not.toBeNull();
    const [, seconds, rate, rss] = m!;
    console.log(`[import ${kind}] 100,000 rows in ${seconds} s: ${rate} rows/s, peak RSS ${rss} MB`);
    expect(Number(rss)).toBeLessThan(300);
    const count = await database.store.db.selectFrom('contacts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(100_000);
    const sample = (await database.store.db.selectFrom('contacts').selectAll().where('user_id', '=', 'u99999').executeTakeFirstOrThrow()) as never;
    expect(toContact(sample).attributes).toEqual({ plan: 'plan4', score: 149998.5, vip: true, signed_up: '2024-01-12', bio: `${bio}99999` });
  });
});
