import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { cutoffOf, deleteExpiredEvents } from './delete-events.js';

const NOW = Date.UTC(2026, 11, 15, 12);
const CUTOFF = cutoffOf(NOW, 1); // 1 November 2026
const OLD = Date.UTC(2026, 5, 10);
const SEEDED = 30_000;
/**
 * Ingestion may wait for a retention batch, never for the whole pass (which takes 8-15 s here). Measured
 * on the shared 2-core machine at load 22 (SQLite): alone p50 63-70 ms; during retention with
 * 2000-row batches p50 449 ms, max 902 ms; with 500-row batches p50 179 ms, max 535 ms.
 */
const MAX_INGEST_MS = 1_500;

describe.each(backends())('retention while ingestion runs (%s)', (kind) => {
  let h: Harness;
  let t: Tenant;
  const post = (batch: object[]) => h.app.inject({ method: 'POST', url: '/v1/batch', headers: t.write, payload: { batch } });

  beforeAll(async () => {
    h = await createHarness(kind);
    h.clock.set(NOW);
    t = await h.tenant();
    for (let i = 0; i < SEEDED; i += 1000) {
      const batch = Array.from({ length: 1000 }, (_, k) => ({
        type: 'track',
        userId: `u${(i + k) % 50}`,
        event: (i + k) % 3 ? 'Viewed' : 'Order Completed',
        properties: { revenue: 1 },
        timestamp: new Date(OLD + (i + k) * 60_000).toISOString(),
        messageId: `seed-${i + k}`,
      }));
      expect((await post(batch)).statusCode).toBe(200);
    }
  }, 240_000);
  afterAll(() => h?.close());

  it('every acknowledged event is still there or was old enough to delete, and ingestion never waits for the whole pass', async () => {
    // Ingestion alone first, for the comparison in the report line.
    const alone: number[] = [];
    for (let n = 0; n < 15; n++) {
      const t0 = performance.now();
      expect((await post(Array.from({ length: 50 }, (_, k) => ({ type: 'track', userId: `live${k % 7}`, event: 'Warm Up', messageId: `alone-${n}-${k}` })))).statusCode).toBe(200);
      alone.push(performance.now() - t0);
    }
    const acknowledged: { messageId: string; old: boolean }[] = Array.from({ length: 15 * 50 }, (_, i) => ({ messageId: `alone-${Math.floor(i / 50)}-${i % 50}`, old: false }));
    const latencies: number[] = [];
    let retentionDone = false;
    const started = performance.now();
    const retention = deleteExpiredEvents(h.deps.store, t.workspaceId, CUTOFF).then((pass) => {
      retentionDone = true;
      return { ...pass, ms: performance.now() - started };
    });
    let n = 0;
    while (!retentionDone || n < 20) {
      const calls = Array.from({ length: 50 }, (_, k) => {
        const old = k % 2 === 0;
        return { type: 'track', userId: `live${k % 7}`, event: old ? 'Viewed' : 'Signed Up', timestamp: new Date(old ? OLD + n * 1000 + k : NOW - k).toISOString(), messageId: `live-${n}-${k}`, old };
      });
      const t0 = performance.now();
      const r = await post(calls.map(({ old: _old, ...c }) => c));
      latencies.push(performance.now() - t0);
      expect(r.statusCode).toBe(200);
      for (const c of calls) acknowledged.push({ messageId: c.messageId, old: c.old });
      n++;
    }
    const pass = await retention;

    const rows = await h.deps.store.db.selectFrom('events').select(['message_id', 'timestamp']).where('workspace_id', '=', t.workspaceId).execute();
    const present = new Set(rows.map((r) => r.message_id));
    const missing = acknowledged.filter((a) => !present.has(a.messageId));
    expect(missing.filter((a) => !a.old)).toEqual([]);
    // What is gone was old, and each event is in exactly one place: a row or a rollup's count.
    const rolled = await h.deps.store.db
      .selectFrom('event_rollups')
      .select(sql<number>`sum(events)`.as('n'))
      .where('workspace_id', '=', t.workspaceId)
      .executeTakeFirstOrThrow();
    expect(rows.length + Number(rolled.n)).toBe(SEEDED + acknowledged.length);
    expect(rows.filter((r) => Number(r.timestamp) < CUTOFF).length).toBe(acknowledged.filter((a) => a.old).length - missing.length);
    expect(pass.deleted).toBeGreaterThanOrEqual(SEEDED);

    const sorted = [...latencies].sort((a, b) => a - b);
    const p = (q: number, xs = sorted) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]!.toFixed(1);
    alone.sort((a, b) => a - b);
    console.log(
      `[retention-ingest ${kind}] deleted ${pass.deleted} in ${pass.ms.toFixed(0)} ms (${((pass.deleted / pass.ms) * 1000).toFixed(0)} rows/s) while ${latencies.length} ingest requests of 50 ran: p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, max ${p(1)} ms; alone before: p50 ${p(0.5, alone)} ms, max ${p(1, alone)} ms`,
    );
    expect(sorted[sorted.length - 1]).toBeLessThan(MAX_INGEST_MS);
    expect(sorted[sorted.length - 1]).toBeLessThan(pass.ms / 4);
  }, 240_000);
});
