/**
 * A worker process SIGKILLed at random moments, several times, while another keeps running:
 * QATRA_FAULT_CONTACTS contacts (default 10,000) go through a two-email journey into a real SMTP
 * sink. At the end every run finished and every contact holds each email exactly once, counted
 * from what the sink received (distinct Message-IDs per recipient and subject).
 *
 * SMTP cannot be exactly-once on the wire: a mail the sink accepted just before the kill, whose
 * "sent" was not yet committed, is sent again after the lease expires, with the same Message-ID
 * (it is derived from the delivery's idempotency key), which receiving mailboxes deduplicate. The
 * test counts such repeated transmissions and bounds them by what can be in flight at a kill.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../backends.js';
import type { Child } from '../process.js';
import { tally } from './counting-sink.js';
import { addContacts, faultWorld, randomBetween, runCounts, size, spawnWorker, stopChild, twoEmailJourney, waitUntil, type FaultWorld } from './kit.js';

const CONTACTS = size('QATRA_FAULT_CONTACTS', 10_000);
const KILLS = size('QATRA_FAULT_KILLS', 4);
const kind = backends().at(-1)!;

describe(`a worker killed mid-journey on ${kind}`, () => {
  let w: FaultWorld;
  const children: Child[] = [];
  beforeAll(async () => {
    w = await faultWorld(kind);
  });
  afterAll(async () => {
    for (const c of children) await stopChild(c, 'SIGKILL');
    await w?.close();
  });

  it(`${CONTACTS} contacts × 2 emails, the victim SIGKILLed ${KILLS} times: every run finished, every email received exactly once`, async () => {
    const ids = await addContacts(w, CONTACTS);
    await twoEmailJourney(w, 'two-mails', ids);
    const started = Date.now();
    const steady = spawnWorker(w);
    children.push(steady);
    let victim = spawnWorker(w);
    children.push(victim);
    const total = 2 * CONTACTS;
    const killedAt: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      await victim.waitFor(/worker running/, 60_000);
      // A random moment within the k-th slice of the send, so the kills spread over the whole run.
      const target = Math.floor(total * randomBetween(0.05 + (0.8 * k) / KILLS, 0.05 + (0.8 * (k + 1)) / KILLS));
      await waitUntil(`${target} mails out`, async () => w.sink.mails.length >= target, 540_000, 20);
      if (w.sink.mails.length >= total) break;
      victim.proc.kill('SIGKILL');
      expect((await victim.exited()).signal).toBe('SIGKILL');
      killedAt.push(w.sink.mails.length);
      victim = spawnWorker(w);
      children.push(victim);
    }
    await waitUntil('every run to end', async () => (await runCounts(w, 'two-mails')).open === 0, 540_000, 500);
    const seconds = (Date.now() - started) / 1000;
    await victim.waitFor(/worker running/, 60_000);
    expect((await stopChild(steady)).code).toBe(0);
    expect((await stopChild(victim)).code).toBe(0);

    expect(await runCounts(w, 'two-mails')).toEqual({ open: 0, completed: CONTACTS, other: 0 });
    const t = tally(w.sink.mails);
    let repeated = 0;
    for (let i = 0; i < CONTACTS; i++) {
      for (const subject of ['Email 1', 'Email 2']) {
        const got = t.get(`c${i}@example.org|${subject}`);
        expect(got?.messageIds.size ?? 0, `c${i} ${subject}`).toBe(1);
        repeated += got!.transmissions - 1;
      }
    }
    expect(t.size).toBe(total);
    const db = w.deps.store.db;
    const messages = await db
      .selectFrom('messages')
      .select(['status', (eb) => eb.fn.countAll().as('n')])
      .where('workspace_id', '=', w.workspaceId)
      .groupBy('status')
      .execute();
    expect(messages.map((m) => [m.status, Number(m.n)])).toEqual([['sent', total]]);
    expect(await db.selectFrom('journey_runs').select('id').where('claimed_by', 'is not', null).execute()).toEqual([]);
    // At a kill, at most a batch of sends (100) can be between the sink's 250 and the commit.
    expect(repeated).toBeLessThanOrEqual(killedAt.length * 100);
    const arrivals = w.sink.mails.map((m) => m.at - started);
    const timeline = [0.1, 0.5, 0.9, 1].map((q) => Math.round(arrivals[Math.min(arrivals.length - 1, Math.floor(q * arrivals.length))]! / 100) / 10);
    console.log(
      JSON.stringify({
        test: 'worker-killed',
        backend: kind,
        contacts: CONTACTS,
        kills: killedAt.length,
        killedAtMails: killedAt,
        transmissions: w.sink.mails.length,
        repeatedTransmissions: repeated,
        seconds,
        arrivalSecondsAtQuantiles: timeline,
      }),
    );
  });
});
