/**
 * Backpressure of ingestion: when more calls of a workspace wait for the store than the bound
 * allows, a request is answered 429 with Retry-After and stores nothing (Segment's libraries back
 * off and send it again), instead of the server queueing without limit while the store falls behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';

describe.each(backends())('ingestion backpressure on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind, { ingest: { maxQueued: 1000, maxQueuedPerWorkspace: 100 } });
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  it('answers 429 with Retry-After past the workspace bound, stores every accepted request whole and nothing of a refused one', async () => {
    const requests = Array.from({ length: 12 }, (_, r) => ({
      batch: Array.from({ length: 100 }, (_, i) => ({ type: 'track', userId: `bp-${i % 7}`, event: 'Viewed', messageId: `bp-${r}-${i}` })),
    }));
    const answers = await Promise.all(requests.map((payload) => h.app.inject({ method: 'POST', url: '/v1/batch', headers: { 'content-type': 'application/json', ...t.write }, payload })));
    const refused = answers.filter((a) => a.statusCode === 429);
    const accepted = answers.filter((a) => a.statusCode === 200);
    expect(refused.length).toBeGreaterThan(0);
    expect(accepted.length + refused.length).toBe(requests.length);
    for (const a of refused) {
      expect(a.headers['retry-after']).toBe('1');
      expect(a.json()).toMatchObject({ error: { code: 'too_many_requests', message: expect.stringContaining('calls waiting to be stored') } });
      expect(a.body.length).toBeLessThan(400);
    }
    const stored = await h.database.store.db.selectFrom('events').select('message_id').where('workspace_id', '=', t.workspaceId).execute();
    const byRequest = new Map<string, number>();
    for (const e of stored) byRequest.set(e.message_id.split('-')[1]!, (byRequest.get(e.message_id.split('-')[1]!) ?? 0) + 1);
    expect([...byRequest.values()].every((n) => n === 100)).toBe(true);
    expect(byRequest.size).toBe(accepted.length);

    // The sender retries after the pause, as Segment's libraries do (here one at a time): every refused call is stored then, once.
    for (const [r, a] of answers.entries()) {
      if (a.statusCode !== 429) continue;
      const again = await h.app.inject({ method: 'POST', url: '/v1/batch', headers: { 'content-type': 'application/json', ...t.write }, payload: requests[r]! });
      expect(again.statusCode).toBe(200);
    }
    const all = await h.database.store.db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', t.workspaceId)
      .executeTakeFirstOrThrow();
    expect(Number(all.n)).toBe(1200);
  });
});
