/**
 * The server SIGKILLed and restarted in the middle of ingestion: clients send
 * QATRA_FAULT_EVENTS events (default 50,000) with unique messageIds through /v1/batch, 100 per
 * batch, four at a time, and resend every batch that was not acknowledged (connection refused,
 * reset, 5xx) until it is. Afterwards every event is stored exactly once: messageId
 * deduplication makes the resends of batches that were stored but not acknowledged harmless.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { backends } from '../backends.js';
import { spawnCli, type Child } from '../process.js';
import { faultWorld, randomBetween, size, sleep, stopChild, type FaultWorld } from './kit.js';

const EVENTS = size('QATRA_FAULT_EVENTS', 50_000);
const RESTARTS = size('QATRA_FAULT_RESTARTS', 2);
const BATCH = 100;
const CLIENTS = 4;
const kind = backends().at(-1)!;

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe(`the server killed during ingestion on ${kind}`, () => {
  let w: FaultWorld;
  let server: Child | undefined;
  beforeAll(async () => {
    w = await faultWorld(kind);
  });
  afterAll(async () => {
    if (server) await stopChild(server, 'SIGKILL');
    await w?.close();
  });

  it(`${EVENTS} events, the server SIGKILLed ${RESTARTS} times mid-stream: every acknowledged event stored exactly once`, async () => {
    const port = await freePort();
    const env = w.env({ PORT: String(port), HOST: '127.0.0.1' });
    const start = async () => {
      const c = spawnCli(['start'], env);
      await c.waitFor(/listening on/, 90_000);
      return c;
    };
    server = await start();
    const auth = `Basic ${Buffer.from(`${w.writeKey}:`).toString('base64')}`;
    const batches = Math.ceil(EVENTS / BATCH);
    let next = 0;
    let acknowledged = 0;
    let retries = 0;
    const send = async (b: number) => {
      const batch = Array.from({ length: Math.min(BATCH, EVENTS - b * BATCH) }, (_, i) => {
        const n = b * BATCH + i;
        return { type: 'track', userId: `u${n % 1000}`, event: 'fault_event', messageId: `fault-${n}`, properties: { n } };
      });
      const body = JSON.stringify({ batch });
      for (;;) {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/v1/batch`, {
            method: 'POST',
            headers: { authorization: auth, 'content-type': 'application/json' },
            body,
            signal: AbortSignal.timeout(30_000),
          });
          await res.arrayBuffer();
          if (res.status === 200) return;
          expect(res.status, 'only 5xx may be retried').toBeGreaterThanOrEqual(500);
        } catch {
          // connection refused or reset: the server is down; retry
        }
        retries += 1;
        await sleep(200);
      }
    };
    const client = async () => {
      for (let b = next++; b < batches; b = next++) {
        await send(b);
        acknowledged += 1;
      }
    };
    const started = Date.now();
    const clients = Promise.all(Array.from({ length: CLIENTS }, client));
    const restarts: number[] = [];
    for (let r = 0; r < RESTARTS; r++) {
      // A random moment while batches are still flowing.
      const target = Math.floor(batches * randomBetween(0.2 + (0.6 * r) / RESTARTS, 0.2 + (0.6 * (r + 1)) / RESTARTS));
      while (acknowledged < target && next < batches) await sleep(20);
      if (next >= batches) break;
      server.proc.kill('SIGKILL');
      await server.exited();
      restarts.push(acknowledged);
      server = await start();
    }
    await clients;
    const seconds = (Date.now() - started) / 1000;
    expect(acknowledged).toBe(batches);

    const rows = await sql<{ total: string | number; distinct_ids: string | number }>`
      SELECT count(*) AS total, count(DISTINCT message_id) AS distinct_ids FROM events WHERE workspace_id = ${w.workspaceId} AND name = 'fault_event'`.execute(w.deps.store.db);
    const { total, distinct_ids } = rows.rows[0]!;
    expect(Number(distinct_ids)).toBe(EVENTS);
    expect(Number(total)).toBe(EVENTS);
    expect((await stopChild(server)).code).toBe(0);
    console.log(JSON.stringify({ test: 'server-killed', backend: kind, events: EVENTS, restartsAtBatch: restarts, retriedRequests: retries, seconds }));
  });
});
