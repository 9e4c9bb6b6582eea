import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { newId } from '../../core/ids.js';
import { toJson } from '../../core/json.js';
import { runtimeFixture, type RuntimeFixture } from './runtime.testkit.js';
import { enrollContacts } from './manual.js';
import { processDueRuns } from './process-runs.js';
import { transactionalShare } from './claim.js';

const BACKLOG = 5000;
const BATCH = 100;

function oneMessage(id: string, kind: 'marketing' | 'transactional') {
  return {
    id,
    name: id,
    trigger: { type: 'manual' },
    start: 'm1',
    nodes: [
      { id: 'm1', type: 'message', channel: 'counting', kind },
      { id: 'done', type: 'exit' },
    ],
    edges: [{ from: 'm1', to: 'done' }],
  };
}

describe.each(backends())('the transactional claim lane on %s', (kind) => {
  let f: RuntimeFixture;
  beforeAll(async () => {
    f = await runtimeFixture(kind);
    await f.live(oneMessage('promo', 'marketing'));
    await f.live(oneMessage('reset', 'transactional'));
  });
  afterAll(async () => f?.close());

  /** `n` contacts enrolled in `journeyId` (so the runs are written as the engine writes them), all due at `dueAt`. */
  async function backlog(journeyId: string, n: number, dueAt: number): Promise<void> {
    const db = f.h.deps.store.db;
    const now = f.h.clock.now();
    for (let start = 0; start < n; start += 500) {
      const contacts = Array.from({ length: Math.min(500, n - start) }, () => ({
        id: newId('ct', now),
        workspace_id: f.t.workspaceId,
        user_id: null,
        email: null,
        phone: null,
        timezone: null,
        locale: null,
        attributes: toJson({}),
        created_at: now,
        updated_at: now,
      }));
      await db.insertInto('contacts').values(contacts).execute();
      const report = await enrollContacts({ ...f.h.deps }, f.rt.catalog, f.t.workspaceId, journeyId, { contactIds: contacts.map((c) => c.id) });
      expect(report.enrolled).toHaveLength(contacts.length);
    }
    await db.updateTable('journey_runs').set({ due_at: dueAt }).where('journey_id', '=', journeyId).where('ended_at', 'is', null).execute();
  }

  async function sentBy(journeyId: string): Promise<number> {
    const row = await f.h.deps.store.db
      .selectFrom('journey_steps')
      .innerJoin('journey_runs', 'journey_runs.id', 'journey_steps.run_id')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('journey_runs.journey_id', '=', journeyId)
      .where('journey_steps.node_id', '=', 'm1')
      .where('journey_steps.outcome', '=', 'sent')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  it(`a transactional step due after ${BACKLOG} marketing steps executes in the first batch, and marketing still progresses`, async () => {
    const now = f.h.clock.now();
    // The marketing backlog fell due a minute ago; the password reset falls due now, last in due order.
    await backlog('promo', BACKLOG, now - 60_000);
    await backlog('reset', 1, now);
    expect(f.rt.config.worker.batchSize).toBe(BATCH);

    expect(await processDueRuns(f.rt)).toBe(BATCH);
    expect(await sentBy('reset')).toBe(1);
    expect(await sentBy('promo')).toBe(BATCH - 1);
    const [reset] = await f.runs('reset');
    expect(reset).toMatchObject({ status: 'completed' });

    // The rest of the backlog goes on in due order.
    expect(await processDueRuns(f.rt)).toBe(BATCH);
    expect(await sentBy('promo')).toBe(2 * BATCH - 1);
  }, 120_000);

  it('a transactional flood leaves marketing a tenth of every batch', async () => {
    const now = f.h.clock.now();
    const before = { promo: await sentBy('promo'), reset: await sentBy('reset') };
    await f.live({ ...oneMessage('receipts', 'transactional') });
    await backlog('receipts', 3 * BATCH, now - 120_000);

    expect(await processDueRuns(f.rt)).toBe(BATCH);
    expect(await sentBy('receipts')).toBe(transactionalShare(BATCH));
    expect((await sentBy('promo')) - before.promo).toBe(BATCH - transactionalShare(BATCH));
    expect(transactionalShare(BATCH)).toBe(90);
  }, 120_000);
});
