import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';
import { openStore } from '../src/store/store.js';
import { migrate } from '../src/store/migrate.js';
import { systemClock } from '../src/core/clock.js';
import { createWorkspace } from '../src/workspaces/workspaces.js';
import { ingest } from '../src/events/ingest.js';
import { toCall } from '../src/events/call.js';
import { batchBody } from '../src/events/segment.js';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-'));
const store = process.env.PGURL ? openStore({ databaseUrl: process.env.PGURL }) : openStore({ sqliteFile: path.join(dir, 'q.db') });
await migrate(store);
const deps = { store, clock: systemClock };
const ws = await createWorkspace(deps, { name: 'x' });
let n = 0;
const mk = () => JSON.stringify({ batch: Array.from({ length: 100 }, () => { n++; return { type: 'track', messageId: 'm' + n, userId: 'user-' + (n % 10000), event: 'Product Viewed', properties: { sku: 'sku-' + (n % 500), price: 1.99, currency: 'EUR' }, context: { ip: '203.0.113.9', locale: 'de-DE', userAgent: 'Mozilla/5.0 (bench)' }, timestamp: new Date().toISOString() }; }) });
const t = { parse: 0, zod: 0, call: 0, ingest: 0 };
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const G = 8, ROUNDS = 150;
for (let r = 0; r < ROUNDS; r++) {
  const groups = [];
  for (let g = 0; g < G; g++) {
    const s = mk();
    let a = cpu(); const j = JSON.parse(s); t.parse += cpu() - a;
    a = cpu(); const b = batchBody.parse(j); t.zod += cpu() - a;
    a = cpu(); groups.push(b.batch.map((it) => toCall(it, { receivedAt: Date.now() }))); t.call += cpu() - a;
  }
  const a = cpu(); await Promise.all(groups.map((calls) => ingest(deps, ws.id, calls))); t.ingest += cpu() - a;
}
for (const k in t) console.log(k, ((t as any)[k] / (ROUNDS * G * 100) * 1000).toFixed(1), 'us/event cpu');
const T=(globalThis as any).T; for (const k in T) console.log(k, (T[k]/(ROUNDS*G*100)*1000).toFixed(1));
