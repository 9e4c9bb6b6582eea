/**
 * @module Measures what parallel worst-case previews do to the server:
 * `node --import tsx src/templates/preview-load.measure.ts [N]` (default 10). A real Qatra app on
 * 127.0.0.1 with a temporary SQLite database; N previews of each template of preview-load.testkit.ts
 * at once, while /healthz is polled every 20 ms; prints the event loop's largest delay and the
 * /healthz latencies.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { systemClock } from '../core/clock.js';
import { parseConfig } from '../config/config.js';
import { buildApp } from '../api/app.js';
import { createMetrics } from '../metrics/metrics.js';
import { openStore } from '../store/store.js';
import { migrate } from '../store/migrate.js';
import { createWorkspace } from '../workspaces/workspaces.js';
import { createKey } from '../keys/keys.js';
import { saveTemplates } from './service.js';
import { endlessTemplate, heavyPartial, heavyTemplate, loadPreviews } from './preview-load.testkit.js';
import { defaultSignals } from '../server/signal-sinks.js';
import { testSecretBox } from '../../test/secret-key.js';

const n = Number(process.argv[2] ?? 10);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-measure-'));
const store = openStore({ sqliteFile: path.join(dir, 'qatra.db') });
try {
  await migrate(store);
  const deps = { store, signals: defaultSignals(store), secretBox: testSecretBox(), clock: systemClock, log: pino({ level: 'silent' }), config: parseConfig({}), metrics: createMetrics() };
  const ws = (await createWorkspace(deps, { name: 'Acme' })).id;
  const admin = await createKey(deps, { workspaceId: ws, kind: 'admin' });
  await saveTemplates(deps, ws, [heavyPartial, heavyTemplate, endlessTemplate], 'upsert');
  const app = await buildApp(deps);
  const url = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('[::1]', '127.0.0.1');
  // One preview first, so that thread start-up is not in the figures.
  await fetch(`${url}/api/templates/heavy/preview`, { method: 'POST', headers: { authorization: `Bearer ${admin.secret}`, 'content-type': 'application/json' }, body: '{}' });
  for (const [id, count] of [
    ['heavy', 0],
    ['heavy', n],
    ['endless', n],
  ] as const) {
    const f = await loadPreviews(url, admin.secret, id, count);
    const counts = Object.entries(f.statuses.reduce<Record<number, number>>((a, s) => ((a[s] = (a[s] ?? 0) + 1), a), {}))
      .map(([s, c]) => `${c}×${s}`)
      .join(' ');
    console.log(
      `${count ? `${count} parallel previews of "${id}": ${counts}` : 'idle, no previews:'} in ${f.elapsedMs.toFixed(0)} ms; event loop max delay ${f.loopMaxMs.toFixed(0)} ms (p99 ${f.loopP99Ms.toFixed(0)}); /healthz max ${f.healthzMaxMs.toFixed(0)} ms, median ${f.healthzP50Ms.toFixed(0)} ms over ${f.healthzCount} calls`,
    );
  }
  await app.close();
} finally {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
