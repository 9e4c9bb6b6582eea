import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { runtimeFixture, threeMessageSeries as series, type RuntimeFixture } from './runtime.testkit.js';

const HOUR = 3_600_000;

describe.each(backends())('quiet hours and frequency caps on %s', (kind) => {
  let f: RuntimeFixture;
  beforeAll(async () => {
    f = await runtimeFixture(kind);
  });
  afterAll(async () => f?.close());

  async function start(journey: string, userId: string, timezone = 'America/New_York') {
    const c = await f.contact({ userId, timezone });
    await f.track(userId, `go-${journey}`);
    await f.worker.drain();
    return (await f.runs(journey)).find((r) => r.contactId === c.id)!;
  }
  const outcomes = async (runId: string) => (await f.steps(runId)).map((s) => `${s.node}:${s.outcome}`);

  it('quiet hours defer a marketing message to their local end', async () => {
    f.h.clock.set(Date.parse('2026-01-10T04:00:00Z')); // 23:00 in New York
    await f.live(series('quiet-defer', { quietHours: { start: '21:00', end: '08:00', outcome: 'defer' } }));
    const run = await start('quiet-defer', 'owl');
    expect(run.status).toBe('active');
    expect(new Date(run.dueAt!).toISOString()).toBe('2026-01-10T13:00:00.000Z'); // 08:00 EST
    expect(run.lastError).toMatch(/deferred: quiet hours/);
    expect(await outcomes(run.id)).toEqual([]);
    await f.advance(9 * HOUR);
    expect(await outcomes(run.id)).toEqual(['m1:sent', 'm2:sent', 'm3:sent', 'done:completed']);
  });

  it('quiet hours with outcome skip go on without sending; transactional messages bypass them', async () => {
    f.h.clock.set(Date.parse('2026-01-10T04:00:00Z'));
    await f.live(series('quiet-skip', { quietHours: { start: '21:00', end: '08:00', outcome: 'skip' } }));
    const skipped = await start('quiet-skip', 'owl2');
    expect(await outcomes(skipped.id)).toEqual(['m1:skipped', 'm2:skipped', 'm3:skipped', 'done:completed']);
    await f.live(series('quiet-tx', { quietHours: { start: '21:00', end: '08:00', outcome: 'skip' } }, 'transactional'));
    const tx = await start('quiet-tx', 'owl3');
    expect(await outcomes(tx.id)).toEqual(['m1:sent', 'm2:sent', 'm3:sent', 'done:completed']);
  });

  it('a frequency cap defers the message over the cap until the window allows it', async () => {
    f.h.clock.set(Date.parse('2026-02-01T15:00:00Z'));
    await f.live(series('capped', { frequencyCap: { max: 2, per: '1d', outcome: 'defer' } }));
    const run = await start('capped', 'busy');
    expect(await outcomes(run.id)).toEqual(['m1:sent', 'm2:sent']);
    const held = (await f.runs('capped'))[0]!;
    expect(held.node).toBe('m3');
    expect(held.dueAt).toBe(Date.parse('2026-02-02T15:00:00Z') + 1);
    await f.advance(24 * HOUR);
    expect(await outcomes(run.id)).toEqual(['m1:sent', 'm2:sent']);
    await f.advance(1);
    expect(await outcomes(run.id)).toEqual(['m1:sent', 'm2:sent', 'm3:sent', 'done:completed']);
  });

  it('a frequency cap with outcome exit ends the run', async () => {
    f.h.clock.set(Date.parse('2026-03-01T15:00:00Z'));
    await f.live(series('capped-exit', { frequencyCap: { max: 1, per: '1w', outcome: 'exit' } }));
    const run = await start('capped-exit', 'busy2');
    const after = (await f.runs('capped-exit'))[0]!;
    expect(after.status).toBe('exited');
    expect(await outcomes(run.id)).toEqual(['m1:sent', 'm2:exited']);
  });
});
