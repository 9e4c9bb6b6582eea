import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { runtimeFixture, type RuntimeFixture } from '../journeys/runtime/runtime.testkit.js';
import { stickyBucket } from '../journeys/runtime/nodes/flow.js';
import type { Contact } from '../contacts/contact.js';
import { statsTasks } from './task.js';

const variantOf = (c: Contact) => ['a', 'b', 'hold'][Math.floor(stickyBucket(c.id, 'ab') * 3)]!;

describe.each(backends())('auto-promoting a split winner on %s', (kind) => {
  let f: RuntimeFixture;
  let n = 0;
  const newContact = async () => f.contact({ userId: `p${n++}` });
  const stepOf = async (c: Contact) => {
    const run = (await f.runs('promo')).find((r) => r.contactId === c.id)!;
    return (await f.steps(run.id)).find((s) => s.node === 'ab')!;
  };

  beforeAll(async () => {
    f = await runtimeFixture(kind);
    await f.live({
      id: 'promo',
      name: 'promo',
      trigger: { type: 'event', event: 'go' },
      start: 'ab',
      nodes: [
        {
          id: 'ab',
          type: 'split',
          variants: [
            { output: 'a', weight: 1 },
            { output: 'b', weight: 1 },
            { output: 'hold', weight: 1 },
          ],
          autoPromote: { minSample: 4, probability: 0.9 },
        },
        { id: 'ma', type: 'message', channel: 'counting' },
        { id: 'mb', type: 'message', channel: 'counting' },
        { id: 'wait', type: 'delay', duration: '7d' },
        { id: 'done', type: 'exit' },
      ],
      edges: [
        { from: 'ab', output: 'a', to: 'ma' },
        { from: 'ab', output: 'b', to: 'mb' },
        { from: 'ab', output: 'hold', to: 'wait' },
        { from: 'ma', to: 'wait' },
        { from: 'mb', to: 'wait' },
        { from: 'wait', to: 'done' },
      ],
      goal: { event: 'purchase' },
    });
  });
  afterAll(async () => f?.close());

  it('waits for the minimum sample, then sends new entrants to the winner while the holdout stays', async () => {
    const groups: Record<string, Contact[]> = { a: [], b: [], hold: [] };
    const fill = async (size: number) => {
      while (groups.a!.length < size || groups.b!.length < size || groups.hold!.length < size) {
        const c = await newContact();
        const g = groups[variantOf(c)]!;
        if (g.length >= size) continue;
        g.push(c);
        await f.track(c.userId!, 'go');
        await f.worker.drain();
        if (g === groups.b) await f.track(c.userId!, 'purchase');
      }
      await f.worker.drain();
    };
    const task = statsTasks(f.h.deps);
    const promoted = () => f.h.deps.store.db.selectFrom('stats_promotions').selectAll().execute();

    // 3 runs per variant, every b converted: below the minimum sample of 4, nothing is decided.
    await fill(3);
    expect(await task.tick()).toBeGreaterThan(0);
    expect(await promoted()).toEqual([]);
    // One more each; once the snapshot is due again, the worker decides.
    await fill(4);
    f.h.clock.advance(61_000);
    expect(await task.tick()).toBeGreaterThan(0);
    const [row] = await promoted();
    expect(row).toMatchObject({ journey_id: 'promo', node_id: 'ab', variant: 'b', runs: 12 });
    expect(Number(row!.probability)).toBeGreaterThanOrEqual(0.9);

    let toA: Contact | undefined;
    let toHold: Contact | undefined;
    while (!toA || !toHold) {
      const c = await newContact();
      const v = variantOf(c);
      if (v === 'a' && !toA) toA = c;
      else if (v === 'hold' && !toHold) toHold = c;
      else continue;
      await f.track(c.userId!, 'go');
    }
    await f.worker.drain();
    expect(await stepOf(toA)).toMatchObject({ outcome: 'b', detail: { promoted: true, assigned: 'a' } });
    expect((await stepOf(toHold)).outcome).toBe('hold');
    // Earlier entrants keep the variant they had.
    expect((await stepOf(groups.a![0]!)).outcome).toBe('a');
  });
});
