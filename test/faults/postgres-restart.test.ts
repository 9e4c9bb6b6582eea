/**
 * PostgreSQL stopped and started again while a journey is sending: two `qatra worker` processes
 * send QATRA_FAULT_PG_CONTACTS contacts (default 2,000) two emails each against a private
 * PostgreSQL instance (./private-postgres.ts), which is stopped (fast shutdown: every connection
 * cut) for QATRA_FAULT_PG_DOWN_MS (default 3 s) mid-send and started again. The workers stay up and
 * reconnect by themselves; every run finishes; every contact holds each email exactly once
 * (distinct Message-IDs at the sink; a mail accepted while its "sent" could not be recorded is
 * repeated with the same Message-ID, and counted).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Child } from '../process.js';
import { tally } from './counting-sink.js';
import { addContacts, faultWorld, runCounts, size, sleep, spawnWorker, stopChild, twoEmailJourney, waitUntil, type FaultWorld } from './kit.js';
import { privatePostgresAvailable, startPrivatePostgres, type PrivatePostgres } from './private-postgres.js';

const CONTACTS = size('QATRA_FAULT_PG_CONTACTS', 2000);
const DOWN_MS = size('QATRA_FAULT_PG_DOWN_MS', 3000);

describe.skipIf(!privatePostgresAvailable())('PostgreSQL restarted during a running journey', () => {
  let pg: PrivatePostgres;
  let w: FaultWorld;
  const children: Child[] = [];
  beforeAll(async () => {
    pg = await startPrivatePostgres();
    w = await faultWorld('postgres', { baseUrl: pg.url });
  });
  afterAll(async () => {
    for (const c of children) await stopChild(c, 'SIGKILL');
    try {
      pg?.start();
    } catch {
      // running
    }
    await w?.close().catch(() => undefined);
    pg?.destroy();
  });

  it(`${CONTACTS} contacts × 2 emails, the database down ${DOWN_MS} ms mid-send: workers reconnect, nothing lost or duplicated`, async () => {
    const ids = await addContacts(w, CONTACTS);
    await twoEmailJourney(w, 'pg-restart', ids);
    const workers = [spawnWorker(w, { QATRA_RETRY_BASE_MS: '2000' }), spawnWorker(w, { QATRA_RETRY_BASE_MS: '2000' })];
    children.push(...workers);
    for (const c of workers) await c.waitFor(/worker running/, 90_000);
    const total = 2 * CONTACTS;
    await waitUntil('sending to be under way', async () => w.sink.mails.length >= total / 5, 300_000, 20);
    const atStop = w.sink.mails.length;
    pg.stop();
    const stoppedAt = Date.now();
    await sleep(DOWN_MS);
    const duringDown = w.sink.mails.length - atStop;
    pg.start();
    const downMs = Date.now() - stoppedAt;
    await waitUntil('every run to end', async () => (await runCounts(w, 'pg-restart')).open === 0, 420_000, 500);
    for (const c of workers) expect(c.proc.exitCode, `a worker died:\n${c.output().slice(0, 4000)}`).toBeNull();
    for (const c of workers) expect((await stopChild(c)).code).toBe(0);

    expect(await runCounts(w, 'pg-restart')).toEqual({ open: 0, completed: CONTACTS, other: 0 });
    const t = tally(w.sink.mails);
    let repeated = 0;
    for (let i = 0; i < CONTACTS; i++) {
      for (const s of ['Email 1', 'Email 2']) {
        const got = t.get(`c${i}@example.org|${s}`);
        expect(got?.messageIds.size ?? 0, `c${i} ${s}`).toBe(1);
        repeated += got!.transmissions - 1;
      }
    }
    const db = w.deps.store.db;
    const sent = await db.selectFrom('messages').select('status').where('workspace_id', '=', w.workspaceId).execute();
    expect(sent.length).toBe(total);
    expect(sent.every((m) => m.status === 'sent')).toBe(true);
    const log = workers.map((c) => c.output()).join('\n');
    console.log(
      JSON.stringify({
        test: 'postgres-restart',
        contacts: CONTACTS,
        downMs,
        mailsAtStop: atStop,
        mailsWhileDown: duringDown,
        repeatedTransmissions: repeated,
        workerErrorLines: log.split('\n').filter((l) => /error|ECONNREFUSED|terminat/i.test(l)).length,
      }),
    );
  });
});
