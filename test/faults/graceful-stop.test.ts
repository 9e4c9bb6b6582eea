/**
 * SIGTERM in the middle of work: a `qatra worker` busy sending QATRA_FAULT_STOP_CONTACTS emails
 * (default 3,000) and a `qatra start` taking ingestion traffic are sent SIGTERM. Each exits with
 * code 0 within a bounded time (the shutdown timeout, 10 s here, plus start-up slack), the batch in
 * flight is finished rather than abandoned (no run or message is left claimed), and a worker
 * started afterwards completes the rest with every email sent once.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../backends.js';
import { spawnCli, type Child } from '../process.js';
import { tally } from './counting-sink.js';
import { addContacts, faultWorld, runCounts, size, sleep, spawnWorker, stopChild, twoEmailJourney, waitUntil, type FaultWorld } from './kit.js';

const CONTACTS = size('QATRA_FAULT_STOP_CONTACTS', 3000);
const SHUTDOWN_MS = 10_000;
const kind = backends().at(-1)!;

describe(`graceful stop on ${kind}`, () => {
  let w: FaultWorld;
  const children: Child[] = [];
  beforeAll(async () => {
    w = await faultWorld(kind);
  });
  afterAll(async () => {
    for (const c of children) await stopChild(c, 'SIGKILL');
    await w?.close();
  });

  const claimed = async () => {
    const db = w.deps.store.db;
    const runs = await db.selectFrom('journey_runs').select('id').where('claimed_by', 'is not', null).execute();
    const messages = await db.selectFrom('messages').select('id').where('status', '=', 'queued').where('lease_until', '>', Date.now()).execute();
    const inbox = await db.selectFrom('journey_inbox').select('id').where('lease_until', 'is not', null).where('lease_until', '>', Date.now()).execute();
    return { runs: runs.length, messages: messages.length, inbox: inbox.length };
  };

  it('a worker stopped mid-send drains its batch, exits 0 in bounded time and leaves nothing claimed', async () => {
    const ids = await addContacts(w, CONTACTS);
    await twoEmailJourney(w, 'stop', ids, { emails: 1 });
    const worker = spawnWorker(w, { QATRA_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_MS) });
    children.push(worker);
    await waitUntil('sending to be under way', async () => w.sink.mails.length >= Math.min(200, CONTACTS / 4), 120_000, 20);
    const before = await claimed();
    const signalled = Date.now();
    worker.proc.kill('SIGTERM');
    const exit = await worker.exited();
    const stopMs = Date.now() - signalled;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(stopMs).toBeLessThan(SHUTDOWN_MS + 5_000);
    expect(await claimed()).toEqual({ runs: 0, messages: 0, inbox: 0 });
    const sentAtStop = w.sink.mails.length;
    expect(sentAtStop).toBeLessThan(CONTACTS); // it was stopped, not finished

    const after = spawnWorker(w);
    children.push(after);
    await waitUntil('every run to end', async () => (await runCounts(w, 'stop')).open === 0, 300_000, 500);
    expect((await stopChild(after)).code).toBe(0);
    const t = tally(w.sink.mails);
    for (let i = 0; i < CONTACTS; i++) expect(t.get(`c${i}@example.org|Email 1`)?.transmissions, `c${i}`).toBe(1);
    console.log(JSON.stringify({ test: 'graceful-stop', backend: kind, contacts: CONTACTS, claimedAtSignal: before, stopMs, sentAtStop }));
  });

  it('qatra start stopped during ingestion answers the requests in flight, exits 0 and loses no acknowledged event', async () => {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const server = spawnCli(['start'], w.env({ PORT: String(port), HOST: '127.0.0.1', QATRA_SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_MS) }));
    children.push(server);
    await server.waitFor(/listening on/, 90_000);
    const auth = `Basic ${Buffer.from(`${w.writeKey}:`).toString('base64')}`;
    const acked: string[] = [];
    let refused = 0;
    let n = 0;
    let stop = false;
    const client = async () => {
      while (!stop) {
        const batch = Array.from({ length: 50 }, () => ({ type: 'track', userId: 'u1', event: 'stop_event', messageId: `stop-${n++}` }));
        try {
          const res = await fetch(`http://127.0.0.1:${port}/v1/batch`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
          await res.arrayBuffer();
          if (res.status === 200) acked.push(...batch.map((e) => e.messageId));
          else refused += 1;
        } catch {
          refused += 1;
          await sleep(50);
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    await waitUntil('ingestion to be under way', async () => acked.length >= 2000, 60_000, 20);
    const signalled = Date.now();
    server.proc.kill('SIGTERM');
    const exit = await server.exited();
    const stopMs = Date.now() - signalled;
    stop = true;
    await Promise.all(clients);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(stopMs).toBeLessThan(SHUTDOWN_MS + 5_000);
    const stored = await w.deps.store.db.selectFrom('events').select('message_id').where('workspace_id', '=', w.workspaceId).where('name', '=', 'stop_event').execute();
    const storedIds = new Set(stored.map((r) => r.message_id));
    expect(acked.filter((id) => !storedIds.has(id))).toEqual([]);
    expect(await claimed()).toEqual({ runs: 0, messages: 0, inbox: 0 });
    console.log(JSON.stringify({ test: 'graceful-stop-server', backend: kind, acknowledgedEvents: acked.length, refusedRequests: refused, stopMs }));
  });
});
