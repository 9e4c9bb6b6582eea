/**
 * @module Memory of a web-app import as the file grows: `node --import tsx src/contacts/imports.measure.ts [rows...]`.
 * For each size, streams a generated CSV (about 45 bytes a row, every 1000th row bad) through
 * runImport into a fresh SQLite database, as PUT /api/contacts/imports/:id/file does with the
 * request, and prints the rows per second and the process's peak resident memory (maxRSS): flat
 * across sizes means the file is never held whole. Run one size per process for a clean peak.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import pino from 'pino';
import { systemClock } from '../core/clock.js';
import { openStore } from '../store/store.js';
import { migrate } from '../store/migrate.js';
import { createWorkspace } from '../workspaces/workspaces.js';
import { createImport, runImport } from './import-jobs.js';
import { defaultSignals } from '../server/signal-sinks.js';

const sizes = process.argv.slice(2).map(Number);
for (const rows of sizes.length ? sizes : [100_000, 400_000]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-measure-'));
  const store = openStore({ sqliteFile: path.join(dir, 'qatra.db') });
  try {
    await migrate(store);
    const deps = { store, signals: defaultSignals(store), clock: systemClock, log: pino({ level: 'silent' }) };
    const ws = (await createWorkspace(deps, { name: 'measure' })).id;
    const job = await createImport(deps, ws, { fileName: 'big.csv' }, null);
    let bytes = 0;
    function* csv() {
      let chunk = 'user_id,email,plan,score\n';
      for (let i = 0; i < rows; i++) {
        chunk += `u${i},${i % 1000 === 999 ? 'bad' : `person${i}@example.com`},${i % 3 ? 'free' : 'pro'},${i % 100}\n`;
        if (chunk.length > 64 * 1024) {
          bytes += chunk.length;
          yield Buffer.from(chunk);
          chunk = '';
        }
      }
      bytes += chunk.length;
      yield Buffer.from(chunk);
    }
    const started = performance.now();
    const done = await runImport(deps, ws, job.id, Readable.from(csv()));
    const seconds = (performance.now() - started) / 1000;
    console.log(
      JSON.stringify({
        rows,
        fileMb: +(bytes / 1e6).toFixed(1),
        seconds: +seconds.toFixed(1),
        rowsPerS: Math.round(rows / seconds),
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
        created: done.created,
        failed: done.failed,
        reported: done.failures.length,
      }),
    );
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
