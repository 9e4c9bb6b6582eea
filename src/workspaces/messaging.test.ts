/**
 * Workspace-wide quiet hours and frequency cap: enforced on journeys and broadcasts that set none,
 * replaced by a journey's (broadcast's) own, bypassed by transactional messages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { runtimeFixture, threeMessageSeries as series, type RuntimeFixture } from '../journeys/runtime/runtime.testkit.js';
import { broadcastFixture, type BroadcastFixture } from '../broadcasts/test-kit.js';
import { countingChannel } from '../channels/counting/counting.js';

const HOUR = 3_600_000;

describe.each(backends())('workspace messaging defaults on journeys, on %s', (kind) => {
  let f: RuntimeFixture;
  beforeAll(async () => {
    f = await runtimeFixture(kind);
  });
  afterAll(async () => f?.close());
  const put = (body: unknown) => f.h.app.inject({ method: 'PUT', url: '/api/workspace/messaging', headers: f.t.admin, payload: body as object });
  async function start(journey: string, userId: string, timezone = 'America/New_York') {
    const c = await f.contact({ userId, timezone });
    await f.track(userId, `go-${journey}`);
    await f.worker.drain();
    return (await f.runs(journey)).find((r) => r.contactId === c.id)!;
  }
  const outcomes = async (runId: string) => (await f.steps(runId)).map((s) => `${s.node}:${s.outcome}`);

  it('are stored, read back, and bad ones are a 400 naming the field', async () => {
    expect((await f.h.app.inject({ method: 'GET', url: '/api/workspace/messaging', headers: f.t.admin })).json()).toEqual({ quietHours: null, frequencyCap: null });
    const bad = await put({ quietHours: { start: '25:00', end: '08:00' }, frequencyCap: { max: 0, per: '1d' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['body.quietHours.start', 'body.frequencyCap.max']));
    const zero = await put({ frequencyCap: { max: 1, per: '0d' } });
    expect(zero.statusCode).toBe(400);
    expect(zero.json().error.issues[0]).toMatchObject({ path: 'body.frequencyCap.per', message: expect.stringContaining('greater than zero') });
    const exit = await put({ frequencyCap: { max: 1, per: '1d', outcome: 'exit' } });
    expect(exit.statusCode).toBe(400);
    expect(exit.json().error.issues[0].path).toBe('body.frequencyCap.outcome');
    const ok = await put({ frequencyCap: { max: 2, per: '1d', outcome: 'defer' } });
    expect(ok.json()).toEqual({ quietHours: null, frequencyCap: { max: 2, per: '1d', outcome: 'defer' } });
    // Other workspace settings are kept.
    const ws = await f.h.app.inject({ method: 'PATCH', url: '/api/workspace', headers: f.t.admin, payload: { postalAddress: '1 Main St' } });
    expect(ws.statusCode).toBe(200);
    expect((await f.h.app.inject({ method: 'GET', url: '/api/workspace/messaging', headers: f.t.admin })).json().frequencyCap).toMatchObject({ max: 2 });
  });

  it('the workspace cap holds a journey without its own cap', async () => {
    f.h.clock.set(Date.parse('2026-02-01T15:00:00Z'));
    await put({ frequencyCap: { max: 2, per: '1d', outcome: 'defer' } });
    await f.live(series('ws-capped'));
    const run = await start('ws-capped', 'busy');
    expect(await outcomes(run.id)).toEqual(['m1:sent', 'm2:sent']);
    const held = (await f.runs('ws-capped'))[0]!;
    expect(held.node).toBe('m3');
    expect(held.lastError).toMatch(/deferred: frequency cap 2 per 1d/);
    await f.advance(24 * HOUR + 1);
    expect(await outcomes(run.id)).toEqual(['m1:sent', 'm2:sent', 'm3:sent', 'done:completed']);
  });

  it("a journey's own cap overrides the workspace's; transactional messages bypass it", async () => {
    f.h.clock.set(Date.parse('2026-03-01T15:00:00Z'));
    await put({ frequencyCap: { max: 1, per: '1w', outcome: 'skip' } });
    await f.live(series('own-cap', { frequencyCap: { max: 5, per: '1d', outcome: 'defer' } }));
    const own = await start('own-cap', 'loud');
    expect(await outcomes(own.id)).toEqual(['m1:sent', 'm2:sent', 'm3:sent', 'done:completed']);
    await f.live(series('tx', {}, 'transactional'));
    const tx = await start('tx', 'loud2');
    expect(await outcomes(tx.id)).toEqual(['m1:sent', 'm2:sent', 'm3:sent', 'done:completed']);
    // And the same contact's next marketing journey without a cap of its own is held to 1 a week.
    await f.live(series('ws-skip'));
    const next = await start('ws-skip', 'quiet1');
    expect(await outcomes(next.id)).toEqual(['m1:sent', 'm2:skipped', 'm3:skipped', 'done:completed']);
  });

  it("workspace quiet hours defer a journey without its own; the journey's own quiet hours replace them", async () => {
    f.h.clock.set(Date.parse('2026-04-10T03:00:00Z')); // 23:00 in New York (EDT)
    await put({ quietHours: { start: '22:00', end: '07:00', outcome: 'defer' } });
    await f.live(series('ws-quiet'));
    const held = await start('ws-quiet', 'owl');
    expect(await outcomes(held.id)).toEqual([]);
    expect(new Date(held.dueAt!).toISOString()).toBe('2026-04-10T11:00:00.000Z'); // 07:00 EDT
    expect(held.lastError).toMatch(/deferred: quiet hours 22:00-07:00/);
    // Own quiet hours 01:00-05:00: 23:00 is not quiet for this journey.
    await f.live(series('own-quiet', { quietHours: { start: '01:00', end: '05:00', outcome: 'defer' } }));
    const own = await start('own-quiet', 'owl2');
    expect(await outcomes(own.id)).toEqual(['m1:sent', 'm2:sent', 'm3:sent', 'done:completed']);
    await put({});
  });
});

describe.each(backends())('workspace messaging defaults on broadcasts, on %s', (kind) => {
  let f: BroadcastFixture;
  beforeAll(async () => {
    f = await broadcastFixture(kind, {}, 10);
  });
  afterAll(async () => f?.close());
  const counting = { channel: 'counting', template: null } as const;

  it('workspace quiet hours defer a broadcast without its own; a broadcast with its own is not held by them', async () => {
    const start = Date.UTC(2026, 0, 5, 18, 0); // 21:30 in Tehran
    f.h.clock.set(start);
    const contact = await f.contact('tehran@example.com', 'Asia/Tehran');
    const listId = await f.list([contact]);
    expect((await f.h.app.inject({ method: 'PUT', url: '/api/workspace/messaging', headers: f.t.admin, payload: { quietHours: { start: '21:00', end: '08:00', outcome: 'defer' } } })).statusCode).toBe(
      200,
    );
    const { task } = f.worker([countingChannel(f.h.deps)]);
    const held = await f.launch({ ...counting, audience: { type: 'list', id: listId } });
    await f.drain(task);
    expect((await f.get(held.id)).progress).toMatchObject({ sent: 0, remaining: 1 });
    const row = await f.h.deps.store.db.selectFrom('broadcast_recipients').select(['due_at', 'error']).where('broadcast_id', '=', held.id).executeTakeFirstOrThrow();
    expect(Number(row.due_at)).toBe(Date.UTC(2026, 0, 6, 4, 30)); // 08:00 Tehran
    expect(row.error).toMatch(/quiet hours 21:00-08:00/);

    const own = await f.launch({ ...counting, audience: { type: 'list', id: listId }, quietHours: { start: '23:00', end: '06:00', outcome: 'defer' } });
    await f.drain(task);
    expect((await f.get(own.id)).progress).toMatchObject({ sent: 1, remaining: 0 });
  });
});
