/**
 * Unsubscribes racing a bulk send: QATRA_FAULT_RACE_CONTACTS contacts (default 2,000) are being
 * sent a marketing email by two worker processes (a `qatra worker` and the worker inside
 * `qatra start`) while clients unsubscribe half of them, in random order, through the real API.
 *
 * The rule checked: no marketing email goes out after the contact's unsubscribe committed. An
 * unsubscribe has committed by the time its HTTP answer arrives (time R); a delivery's send-time
 * consent check happens after its message record is reserved (time C, `messages.created_at`). So
 * a message reserved after R must not be sent. Messages reserved before R may go either way.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../backends.js';
import { spawnCli, type Child } from '../process.js';
import { addContacts, faultWorld, runCounts, size, sleep, spawnWorker, stopChild, twoEmailJourney, waitUntil, type FaultWorld } from './kit.js';

const CONTACTS = size('QATRA_FAULT_RACE_CONTACTS', 2000);
const kind = backends().at(-1)!;

describe(`unsubscribes racing a bulk send on ${kind}`, () => {
  let w: FaultWorld;
  const children: Child[] = [];
  beforeAll(async () => {
    w = await faultWorld(kind);
  });
  afterAll(async () => {
    for (const c of children) await stopChild(c, 'SIGKILL');
    await w?.close();
  });

  it(`${CONTACTS} contacts, half unsubscribed during the send: nothing sent after an unsubscribe committed`, async () => {
    const db = w.deps.store.db;
    const ids = await addContacts(w, CONTACTS);
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const server = spawnCli(['start'], w.env({ PORT: String(port), HOST: '127.0.0.1' }));
    children.push(server);
    const worker = spawnWorker(w);
    children.push(worker);
    await server.waitFor(/listening on/, 90_000);
    await worker.waitFor(/worker running/, 90_000);

    const victims = ids.filter((_, i) => i % 2 === 0).sort(() => Math.random() - 0.5);
    const committedAt = new Map<string, number>();
    await twoEmailJourney(w, 'race', ids, { emails: 1 });
    // Start unsubscribing once the first mails are out, so the two overlap.
    await waitUntil('the bulk send to start', async () => w.sink.mails.length > 0, 120_000, 20);
    let next = 0;
    const unsubscriber = async () => {
      for (let i = next++; i < victims.length; i = next++) {
        const id = victims[i]!;
        const res = await fetch(`http://127.0.0.1:${port}/api/contacts/${id}/consent/email`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${w.adminKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ status: 'unsubscribed', source: 'race-test' }),
        });
        expect(res.status, await res.text()).toBe(200);
        committedAt.set(id, Date.now());
      }
    };
    await Promise.all(Array.from({ length: 4 }, unsubscriber));
    const sentWhenUnsubscribesDone = w.sink.mails.length;
    await waitUntil('every run to end', async () => (await runCounts(w, 'race')).open === 0, 300_000, 500);
    await sleep(200);

    const messages = await db.selectFrom('messages').select(['contact_id', 'status', 'reason', 'created_at']).where('workspace_id', '=', w.workspaceId).execute();
    // A contact the journey runtime already saw unsubscribed gets no message record at all: its step is skipped.
    const withMessage = new Set(messages.map((m) => m.contact_id));
    const steps = await db
      .selectFrom('journey_steps')
      .innerJoin('journey_runs', 'journey_runs.id', 'journey_steps.run_id')
      .select(['journey_runs.contact_id', 'journey_steps.outcome'])
      .where('journey_steps.node_id', '=', 'm1')
      .where('journey_runs.journey_id', '=', 'race')
      .execute();
    expect(steps).toHaveLength(CONTACTS);
    let skippedByRuntime = 0;
    for (const st of steps) {
      if (withMessage.has(st.contact_id)) continue;
      expect(committedAt.has(st.contact_id), `${st.contact_id} has no message but was not unsubscribed`).toBe(true);
      expect(st.outcome).toBe('skipped');
      skippedByRuntime += 1;
    }
    let violations = 0;
    let sentToVictimsBefore = 0;
    let skipped = 0;
    for (const m of messages) {
      const r = committedAt.get(m.contact_id);
      if (r === undefined) {
        expect(m.status, `not unsubscribed: ${m.contact_id}`).toBe('sent');
        continue;
      }
      if (m.status === 'skipped') {
        skipped += 1;
        expect(m.reason).toMatch(/unsubscribed/);
      } else if (Number(m.created_at) > r) violations += 1;
      else sentToVictimsBefore += 1;
    }
    expect(violations).toBe(0);
    // The race was real: some victims were sent to before their unsubscribe, some skipped after it.
    expect(skipped + skippedByRuntime).toBeGreaterThan(0);
    // What the sink got is exactly the sent records.
    const sentRecords = messages.filter((m) => m.status === 'sent').length;
    expect(w.sink.mails.length).toBe(sentRecords);
    for (const c of children) expect((await stopChild(c)).code).toBe(0);
    console.log(
      JSON.stringify({
        test: 'unsubscribe-race',
        backend: kind,
        contacts: CONTACTS,
        unsubscribed: victims.length,
        sentBeforeUnsubscribe: sentToVictimsBefore,
        skippedAtSend: skipped,
        skippedByRuntime,
        sentWhenUnsubscribesDone,
        violations,
      }),
    );
  });
});
