import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';
import D from 'better-sqlite3';
import { renderMigration } from '../src/store/migrate.js';
for (const mode of ['randomContacts', 'oneContact', 'noContactIndex']) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qx-'));
  const d = new D(path.join(dir, 'x.db'));
  d.pragma('journal_mode = WAL'); d.pragma('synchronous = FULL');
  d.exec(renderMigration(fs.readFileSync('migrations/000001.sql', 'utf8'), 'sqlite'));
  if (mode === 'noContactIndex') d.exec('DROP INDEX events_contact_name_time');
  d.exec("insert into workspaces values ('ws','w','UTC','{}',0)");
  const ins = d.prepare("insert into contacts (id, workspace_id, user_id, attributes, created_at, updated_at) values (?, 'ws', ?, '{}', 0, 0)");
  d.transaction(() => { for (let i = 0; i < 10000; i++) ins.run(`ct_01ke${(i * 7919 % 10000).toString().padStart(6, '0')}xyzxyzxyzxyzxy`, `user-${i}`); })();
  const q = d.prepare(`INSERT INTO events (workspace_id, contact_id, type, name, properties, context, message_id, timestamp, received_at)
SELECT 'ws', value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, value->>6, value->>7 FROM json_each(?) WHERE true
ON CONFLICT (workspace_id, message_id) DO NOTHING RETURNING id, message_id`);
  let n = 0; let tq = 0, tc = 0;
  const props = JSON.stringify({ sku: 'sku-1', price: 1.99, currency: 'EUR' }); const ctx = JSON.stringify({ ip: '203.0.113.9', locale: 'de-DE', userAgent: 'Mozilla/5.0 (bench)' });
  for (let b = 0; b < 150; b++) {
    const rows = [];
    for (let i = 0; i < 800; i++) { n++; const c = mode === 'oneContact' ? 0 : n % 10000; rows.push([`ct_01ke${(c * 7919 % 10000).toString().padStart(6, '0')}xyzxyzxyzxyzxy`, 'track', 'Product Viewed', props, ctx, `run-${n}`, Date.now(), Date.now()]); }
    const json = JSON.stringify(rows);
    d.exec('BEGIN IMMEDIATE');
    let a = performance.now(); q.all(json); tq += performance.now() - a;
    a = performance.now(); d.exec('COMMIT'); tc += performance.now() - a;
  }
  console.log(mode, 'insert us/row', (tq / n * 1000).toFixed(1), 'commit ms/group', (tc / 150).toFixed(2));
}
