/**
 * @module Measures the bounce listener:
 * `[QATRA_TEST_DATABASE_URL=postgres://…] node --import tsx src/bounces/listener.measure.ts [N] [sqlite|postgres] [MB]`.
 * Creates N sent message records in a fresh SQLite file (or a fresh PostgreSQL database next to
 * QATRA_TEST_DATABASE_URL, dropped afterwards) and starts a real listener on 127.0.0.1; then
 *  - without MB: returns a hard-bounce DSN for each to its signed VERP address, one after another
 *    over one pooled SMTP connection, and prints DSNs applied per second;
 *  - with MB: returns all N at once, over N parallel connections, each DSN carrying a returned
 *    original of MB megabytes (the listener's size cap raised to fit), written from one shared
 *    buffer so the senders hold almost nothing; prints the process's RSS before and at its peak
 *    (sampled every 20 ms) and how many were applied.
 */
import net from 'node:net';
import nodemailer from 'nodemailer';
import { systemClock } from '../core/clock.js';
import type { DialectName } from '../store/store.js';
import { freshDatabase } from '../../test/backends.js';
import { createWorkspace } from '../workspaces/workspaces.js';
import { createContact } from '../contacts/contacts.js';
import { recordOutcome, reserveMessage } from '../messages/records.js';
import { startBounceListener } from './listener.js';
import { dsnMail, verpOf } from './test-fixtures.js';
import { defaultSignals } from '../server/signal-sinks.js';

const n = Number(process.argv[2] ?? 500);
const megabytes = Number(process.argv[4] ?? 0);
const database = await freshDatabase((process.argv[3] ?? 'sqlite') as DialectName);
const store = database.store;
const MB = 1024 * 1024;

/** One mail over a raw socket: the DSN's head, `size` bytes of returned original, its end. */
async function sendLarge(port: number, to: string, head: string, filler: Buffer, size: number, tail: string): Promise<number> {
  const socket = net.connect(port, '127.0.0.1');
  let buffer = '';
  const waiting: Array<(code: number) => void> = [];
  socket.on('data', (d) => {
    buffer += d.toString('latin1');
    let m: RegExpExecArray | null;
    while ((m = /^(\d{3}) .*\r\n/m.exec(buffer))) {
      buffer = buffer.slice(m.index + m[0].length);
      waiting.shift()?.(Number(m[1]));
    }
  });
  const reply = () => new Promise<number>((resolve) => waiting.push(resolve));
  const write = (b: string | Buffer) => (socket.write(b) ? Promise.resolve() : new Promise<void>((r) => socket.once('drain', () => r())));
  try {
    await reply();
    for (const cmd of ['EHLO measure\r\n', 'MAIL FROM:<>\r\n', `RCPT TO:<${to}>\r\n`]) {
      const r = reply();
      await write(cmd);
      if ((await r) !== 250) return r;
    }
    const data = reply();
    await write('DATA\r\n');
    if ((await data) !== 354) return data;
    const done = reply();
    await write(head);
    for (let sent = 0; sent < size; sent += filler.length) await write(filler);
    await write(`${tail}\r\n.\r\n`);
    return await done;
  } finally {
    socket.end();
  }
}

try {
  const deps = { store, signals: defaultSignals(store), clock: systemClock };
  const ws = (await createWorkspace(deps, { name: `bounce-measure-${Date.now()}` })).id;
  const messages: Array<{ id: string; workspaceId: string }> = [];
  for (let i = 0; i < n; i++) {
    const to = `m${i}@example.org`;
    const c = await createContact(deps, ws, { email: to });
    const { message } = await reserveMessage(store.db, { workspaceId: ws, contactId: c.id, channel: 'email', kind: 'marketing', idempotencyKey: `m:${i}`, to }, Date.now());
    await recordOutcome(store.db, message.id, { status: 'sent' }, Date.now());
    messages.push(message);
  }
  const verps = await Promise.all(messages.map((m) => verpOf(store, m)));
  if (megabytes > 0) {
    const listener = await startBounceListener({ ...deps, softBounceLimit: 3 }, { port: 0, host: '127.0.0.1', maxBytes: (megabytes + 1) * MB, maxClients: n + 1 });
    const filler = Buffer.from(`${'x'.repeat(76)}\r\n`.repeat(840)); // ~64 KB of a returned original's body
    const before = process.memoryUsage.rss();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
    const started = performance.now();
    const codes = await Promise.all(
      verps.map((verp, i) => {
        const dsn = dsnMail({ to: verp, recipient: `m${i}@example.org`, status: '5.1.1' });
        const cut = dsn.lastIndexOf('--=_dsn_boundary--');
        const head = `${dsn.slice(0, cut)}--=_dsn_boundary\r\nContent-Type: message/rfc822\r\n\r\nSubject: the original\r\n\r\n`;
        return sendLarge(listener.port, verp, head, filler, megabytes * MB, `\r\n${dsn.slice(cut)}`);
      }),
    );
    const ms = performance.now() - started;
    clearInterval(sampler);
    const suppressed = await store.db
      .selectFrom('suppressions')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('workspace_id', '=', ws)
      .executeTakeFirstOrThrow();
    const answers = Object.entries(codes.reduce<Record<number, number>>((a, c) => ({ ...a, [c]: (a[c] ?? 0) + 1 }), {}))
      .map(([c, k]) => `${k}×${c}`)
      .join(', ');
    process.stdout.write(
      `${store.dialect}: ${n} parallel DSNs of ${megabytes} MB in ${(ms / 1000).toFixed(1)} s; answers ${answers}; suppressed ${suppressed.n}; ` +
        `RSS before ${(before / MB).toFixed(0)} MB, peak ${(peak / MB).toFixed(0)} MB (+${((peak - before) / MB).toFixed(0)} MB)\n`,
    );
    await listener.close();
  } else {
    const listener = await startBounceListener({ ...deps, softBounceLimit: 3 }, { port: 0, host: '127.0.0.1' });
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, ignoreTLS: true, pool: true, maxConnections: 1 });
    const started = performance.now();
    for (const [i, verp] of verps.entries()) {
      await transport.sendMail({ envelope: { from: '', to: [verp] }, raw: dsnMail({ to: verp, recipient: `m${i}@example.org`, status: '5.1.1' }) });
    }
    const ms = performance.now() - started;
    const suppressed = await store.db
      .selectFrom('suppressions')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('workspace_id', '=', ws)
      .executeTakeFirstOrThrow();
    process.stdout.write(`${store.dialect}: ${n} DSNs in ${ms.toFixed(0)} ms = ${((n / ms) * 1000).toFixed(0)} per second (${(ms / n).toFixed(2)} ms each); suppressed ${suppressed.n}\n`);
    transport.close();
    await listener.close();
  }
} finally {
  await database.drop();
}
