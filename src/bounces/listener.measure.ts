/**
 * @module Measures the bounce listener:
 * `[QATRA_TEST_DATABASE_URL=postgres://…] node --import tsx src/bounces/listener.measure.ts [N] [sqlite|postgres]`.
 * Creates N sent message records, then returns a hard-bounce DSN for each to its VERP address over
 * one pooled SMTP connection to a real listener on 127.0.0.1 (a fresh SQLite file, or a fresh
 * PostgreSQL database next to QATRA_TEST_DATABASE_URL, dropped afterwards), and prints DSNs applied
 * per second.
 */
import nodemailer from 'nodemailer';
import { systemClock } from '../core/clock.js';
import type { DialectName } from '../store/store.js';
import { freshDatabase } from '../../test/backends.js';
import { createWorkspace } from '../workspaces/workspaces.js';
import { createContact } from '../contacts/contacts.js';
import { recordOutcome, reserveMessage } from '../messages/records.js';
import { startBounceListener } from './listener.js';
import { dsnMail } from './test-fixtures.js';

const n = Number(process.argv[2] ?? 500);
const database = await freshDatabase((process.argv[3] ?? 'sqlite') as DialectName);
const store = database.store;
try {
  const deps = { store, clock: systemClock };
  const ws = (await createWorkspace(deps, { name: `bounce-measure-${Date.now()}` })).id;
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const to = `m${i}@example.org`;
    const c = await createContact(deps, ws, { email: to });
    const { message } = await reserveMessage(store.db, { workspaceId: ws, contactId: c.id, channel: 'email', kind: 'marketing', idempotencyKey: `m:${i}`, to }, Date.now());
    await recordOutcome(store.db, message.id, { status: 'sent' }, Date.now());
    ids.push(message.id);
  }
  const listener = await startBounceListener({ ...deps, softBounceLimit: 3 }, { port: 0, host: '127.0.0.1' });
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, ignoreTLS: true, pool: true, maxConnections: 1 });
  const started = performance.now();
  for (const [i, id] of ids.entries()) {
    const verp = `bounces+${id}@bounces.example.com`;
    await transport.sendMail({ envelope: { from: '', to: [verp] }, raw: dsnMail({ to: verp, recipient: `m${i}@example.org`, status: '5.1.1' }) });
  }
  const ms = performance.now() - started;
  const suppressed = await store.db.selectFrom('suppressions').select((eb) => eb.fn.countAll().as('n')).where('workspace_id', '=', ws).executeTakeFirstOrThrow();
  process.stdout.write(`${store.dialect}: ${n} DSNs in ${ms.toFixed(0)} ms = ${((n / ms) * 1000).toFixed(0)} per second (${(ms / n).toFixed(2)} ms each); suppressed ${suppressed.n}\n`);
  transport.close();
  await listener.close();
} finally {
  await database.drop();
}
