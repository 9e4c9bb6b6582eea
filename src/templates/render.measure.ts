/**
 * @module Measures render throughput: `node --import tsx src/templates/render.measure.ts [N]`.
 * Renders the personalised MJML welcome email (three links, a partial-free body, a Persian variant)
 * N times for different contacts against a temporary SQLite database, and prints renders per second.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { systemClock } from '../core/clock.js';
import { openStore } from '../store/store.js';
import { migrate } from '../store/migrate.js';
import { createWorkspace } from '../workspaces/workspaces.js';
import { TemplateCache } from './cache.js';
import { renderEmail } from './render.js';
import { saveTemplates } from './service.js';
import { links, welcomeMjml, workspaceInfo } from './test-fixtures.js';
import { defaultSignals } from '../server/signal-sinks.js';

const n = Number(process.argv[2] ?? 20_000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-measure-'));
const store = openStore({ sqliteFile: path.join(dir, 'qatra.db') });
try {
  await migrate(store);
  const ws = (await createWorkspace({ store, signals: defaultSignals(store), clock: systemClock }, { name: 'Acme' })).id;
  await saveTemplates({ store, signals: defaultSignals(store), clock: systemClock }, ws, [welcomeMjml], 'create');
  const deps = { store, templateCache: new TemplateCache() };
  for (const pinned of [false, true]) {
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const r = await renderEmail(deps, {
        workspaceId: ws,
        templateId: 'welcome-1',
        ...(pinned ? { version: 1 } : {}),
        contact: { id: `ct_${i}`, email: `c${i}@example.com`, locale: i % 10 === 0 ? 'fa-IR' : 'en', attributes: { first_name: `Name${i}` } },
        context: { trigger: { plan: i % 2 ? 'pro' : 'team' } },
        workspace: workspaceInfo,
        links: { unsubscribeUrl: `${links.unsubscribeUrl}${i}`, preferencesUrl: links.preferencesUrl },
      });
      bytes += r.html.length + r.text.length;
    }
    const s = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    // CPU time as well as wall time: on a shared machine the wall clock mostly measures the neighbours.
    console.log(
      `${pinned ? 'version given' : 'current version looked up'}: ${n} renders in ${s.toFixed(2)} s wall = ${Math.round(n / s)} renders/s; ` +
        `${cpuS.toFixed(2)} s CPU = ${Math.round(n / cpuS)} renders per CPU-second (${Math.round(bytes / n)} chars each)`,
    );
  }
} finally {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
