import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { newId } from '../../core/ids.js';
import { toJson } from '../../core/json.js';
import type { Store } from '../../store/store.js';
import { runtimeFixture, type RuntimeFixture } from './runtime.testkit.js';
import { enrollContacts } from './manual.js';
import { createRuntime } from './runtime.js';
import { journeyTask } from './scheduler.js';

const RUNS = 10_000;

describe.skipIf(!backends().includes('postgres'))('two workers on postgres', () => {
  let f: RuntimeFixture;
  let second: Store;
  beforeAll(async () => {
    f = await runtimeFixture('postgres');
    second = f.h.database.reopen();
  });
  afterAll(async () => {
    await second?.close();
    await f?.close();
  });

  it('two workers with their own connections share 10,000 due runs with no step or send executed twice', async () => {
    const db = f.h.deps.store.db;
    const now = f.h.clock.now();
    await f.live({
      id: 'shared',
      name: 'shared',
      trigger: { type: 'manual' },
      start: 'm1',
      nodes: [
        { id: 'm1', type: 'message', channel: 'counting' },
        { id: 'done', type: 'exit' },
      ],
      edges: [{ from: 'm1', to: 'done' }],
    });
    const ids = Array.from({ length: RUNS }, () => newId('ct', now));
    for (let i = 0; i < RUNS; i += 1000) {
      await db
        .insertInto('contacts')
        .values(
          ids
            .slice(i, i + 1000)
            .map((id) => ({ id, workspace_id: f.t.workspaceId, user_id: id, email: null, phone: null, timezone: null, locale: null, attributes: toJson({}), created_at: now, updated_at: now })),
        )
        .execute();
    }
    expect((await enrollContacts(f.h.deps, f.rt.catalog, f.t.workspaceId, 'shared', { contactIds: ids })).enrolled).toHaveLength(RUNS);

    const a = journeyTask(f.rt);
    const b = journeyTask(createRuntime({ ...f.h.deps, store: second }, { workerId: 'second' }));
    const loop = async (task: typeof a) => {
      let handled = 0;
      for (;;) {
        const n = await task.tick();
        if (n === 0) return handled;
        handled += n;
      }
    };
    const t0 = performance.now();
    const [na, nb] = await Promise.all([loop(a), loop(b)]);
    const ms = performance.now() - t0;
    console.log(`[two workers] ${RUNS} runs (${2 * RUNS} steps) in ${Math.round(ms)} ms: worker A ${na}, worker B ${nb}`);
    expect(na).toBeGreaterThan(0);
    expect(nb).toBeGreaterThan(0);
    expect(na + nb).toBe(RUNS);

    const steps = await db
      .selectFrom('journey_steps')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(steps.n)).toBe(2 * RUNS);
    const sends = await db
      .selectFrom('channel_counting_sends')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.count('idempotency_key').distinct().as('keys')])
      .executeTakeFirstOrThrow();
    expect(Number(sends.n)).toBe(RUNS);
    expect(Number(sends.keys)).toBe(RUNS);
    const open = await db
      .selectFrom('journey_runs')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', '!=', 'completed')
      .executeTakeFirstOrThrow();
    expect(Number(open.n)).toBe(0);
  }, 300_000);
});
