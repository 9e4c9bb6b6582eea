/**
 * The per-workspace ingestion rate limit: a burst up to the rate passes, the next call is a 429 with
 * Retry-After that stores nothing, the bucket refills as the (injected) clock moves, other
 * workspaces are not slowed, and a workspace's own rate replaces the server's default.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { parseConfig } from '../config/config.js';
import { ValidationError } from '../core/errors.js';
import { updateWorkspace } from '../workspaces/manage.js';

describe('QATRA_INGEST_RATE_PER_WORKSPACE', () => {
  it('is 0 (unlimited) when unset; a negative or non-number is refused naming the variable', () => {
    expect(parseConfig({}).ingest?.ratePerWorkspace).toBe(0);
    expect(parseConfig({ QATRA_INGEST_RATE_PER_WORKSPACE: '250' }).ingest?.ratePerWorkspace).toBe(250);
    for (const bad of ['-1', 'fast', '1.5', '1e']) {
      let error: unknown;
      try {
        parseConfig({ QATRA_INGEST_RATE_PER_WORKSPACE: bad });
      } catch (err) {
        error = err;
      }
      expect(error, bad).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]!.path).toBe('QATRA_INGEST_RATE_PER_WORKSPACE');
    }
  });
});

describe.each(backends())('the per-workspace ingestion rate limit on %s', (kind) => {
  let h: Harness;
  let a: Tenant;
  let b: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind, { ingest: { maxQueued: 50_000, maxQueuedPerWorkspace: 20_000, ratePerWorkspace: 10 } });
    a = await h.tenant();
    b = await h.tenant();
  });
  afterAll(async () => h?.close());

  let seq = 0;
  const batch = (t: Tenant, n: number) =>
    h.app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { 'content-type': 'application/json', ...t.write },
      payload: { batch: Array.from({ length: n }, () => ({ type: 'track', userId: 'u', event: 'Clicked', messageId: `m-${++seq}` })) },
    });
  const track = (t: Tenant) =>
    h.app.inject({ method: 'POST', url: '/v1/track', headers: { 'content-type': 'application/json', ...t.write }, payload: { userId: 'u', event: 'Clicked', messageId: `m-${++seq}` } });
  const stored = async (t: Tenant) =>
    Number(
      (
        await h.deps.store.db
          .selectFrom('events')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('workspace_id', '=', t.workspaceId)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('lets a burst up to the rate through, then answers 429 with Retry-After and stores nothing of the refused request', async () => {
    expect((await batch(a, 10)).statusCode).toBe(200);
    const refused = await track(a);
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json()).toMatchObject({ error: { code: 'too_many_requests', message: expect.stringContaining('10 calls per second') } });
    expect((await batch(a, 3)).statusCode).toBe(429);
    expect(await stored(a)).toBe(10);
    // Workspace B has its own bucket: not slowed by A.
    expect((await batch(b, 10)).statusCode).toBe(200);
    expect(await stored(b)).toBe(10);
  });

  it('refills with the clock: half a second gives back 5 calls', async () => {
    h.clock.advance(500);
    const six = await batch(a, 6);
    expect(six.statusCode).toBe(429);
    expect(six.headers['retry-after']).toBe('1');
    expect((await batch(a, 5)).statusCode).toBe(200);
    expect((await track(a)).statusCode).toBe(429);
    h.clock.advance(1000);
    expect((await batch(a, 10)).statusCode).toBe(200);
    expect(await stored(a)).toBe(25);
  });

  it("a workspace's own rate replaces the default: 0 is unlimited; a batch over one second's worth passes when the bucket is full and is paid back", async () => {
    await updateWorkspace(h.deps, a.workspaceId, { ingestRatePerSecond: 0 });
    for (let i = 0; i < 3; i++) expect((await batch(a, 50)).statusCode).toBe(200);
    await updateWorkspace(h.deps, a.workspaceId, { ingestRatePerSecond: 2 });
    h.clock.advance(1000);
    expect((await batch(a, 30)).statusCode).toBe(200);
    const next = await track(a);
    expect(next.statusCode).toBe(429);
    expect(next.headers['retry-after']).toBe('15'); // 28 owed and 1 needed at 2 per second
    h.clock.advance(14_000);
    expect((await track(a)).statusCode).toBe(429);
    h.clock.advance(1000);
    expect((await track(a)).statusCode).toBe(200);
    // B still runs on the default of 10.
    h.clock.advance(1000);
    expect((await batch(b, 10)).statusCode).toBe(200);
    expect((await track(b)).statusCode).toBe(429);
  });
});
