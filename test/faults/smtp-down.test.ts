/**
 * The SMTP provider down for a while: the sink stops listening before the journey starts sending
 * and comes back QATRA_FAULT_SMTP_DOWN_MS later (default 5 s). Meanwhile sends fail as retryable
 * and are retried with growing backoff (retry base 2 s here, doubled per attempt: 5 attempts span 30 s); no message is
 * marked sent while the sink is down; once it is back every message is delivered exactly once and
 * the sent records are exactly the mails the sink accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../backends.js';
import type { Child } from '../process.js';
import { tally } from './counting-sink.js';
import { addContacts, faultWorld, runCounts, size, sleep, spawnWorker, stopChild, twoEmailJourney, waitUntil, type FaultWorld } from './kit.js';

const CONTACTS = size('QATRA_FAULT_SMTP_CONTACTS', 500);
const DOWN_MS = size('QATRA_FAULT_SMTP_DOWN_MS', 5000);
const kind = backends().at(-1)!;

describe(`the SMTP provider down for a while on ${kind}`, () => {
  let w: FaultWorld;
  let worker: Child | undefined;
  beforeAll(async () => {
    w = await faultWorld(kind);
  });
  afterAll(async () => {
    if (worker) await stopChild(worker, 'SIGKILL');
    await w?.close();
  });

  it(`${CONTACTS} contacts × 2 emails with the sink down ${DOWN_MS} ms: retried with backoff, all delivered once, none marked sent unaccepted`, async () => {
    const db = w.deps.store.db;
    const ids = await addContacts(w, CONTACTS);
    await w.sink.stop();
    const stoppedAt = Date.now();
    await twoEmailJourney(w, 'down', ids);
    worker = spawnWorker(w, { QATRA_RETRY_BASE_MS: '2000' });
    await worker.waitFor(/worker running/, 60_000);
    const failing = async () => (await db.selectFrom('journey_runs').select('id').where('journey_id', '=', 'down').where('last_error', 'is not', null).execute()).length;
    await waitUntil('sends to fail while the sink is down', async () => (await failing()) >= Math.min(CONTACTS, 50), 60_000);
    const downSince = Date.now();
    let sentWhileDown = 0;
    while (Date.now() - downSince < DOWN_MS) {
      const sent = await db.selectFrom('messages').select('id').where('status', '=', 'sent').execute();
      sentWhileDown = Math.max(sentWhileDown, sent.length);
      await sleep(250);
    }
    expect(sentWhileDown).toBe(0);
    const lastErrors = await db.selectFrom('journey_runs').select(['last_error', 'attempts', 'due_at']).where('journey_id', '=', 'down').where('last_error', 'is not', null).limit(5).execute();
    expect(lastErrors[0]!.last_error).toMatch(/^email: /);
    await w.sink.start();
    const downMs = Date.now() - stoppedAt;
    await waitUntil('every run to end', async () => (await runCounts(w, 'down')).open === 0, 300_000, 500);
    expect((await stopChild(worker)).code).toBe(0);

    expect(await runCounts(w, 'down')).toEqual({ open: 0, completed: CONTACTS, other: 0 });
    const t = tally(w.sink.mails);
    for (let i = 0; i < CONTACTS; i++) for (const s of ['Email 1', 'Email 2']) expect(t.get(`c${i}@example.org|${s}`)?.transmissions, `c${i} ${s}`).toBe(1);
    const sent = await db.selectFrom('messages').select(['to_address', 'subject', 'status', 'attempts']).where('workspace_id', '=', w.workspaceId).execute();
    expect(sent.every((m) => m.status === 'sent')).toBe(true);
    // The sent records and the accepted mails are the same set.
    expect(new Set(sent.map((m) => `${m.to_address}|${m.subject}`))).toEqual(new Set(t.keys()));
    const attempts = sent.map((m) => Number(m.attempts));
    const retried = attempts.filter((a) => a > 1).length;
    expect(retried).toBeGreaterThan(0);
    console.log(JSON.stringify({ test: 'smtp-down', backend: kind, contacts: CONTACTS, downMs, messagesRetried: retried, maxAttempts: Math.max(...attempts) }));
  });
});
