import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, freshDatabase, type TestDatabase } from '../../test/backends.js';
import { DAY_MS } from './detect.js';
import { findWorkspaceAnomalies } from './find.js';

const START = Date.UTC(2026, 9, 5); // a Monday
const WS = 'ws_stall';

/** 4 weeks of a journey sending 120 a weekday and 40 a weekend day, then day 28 (a Monday) with `last` sends. */
async function plant(t: TestDatabase, journeyId: string, last: number) {
  const rows = [];
  for (let d = 0; d <= 28; d++) {
    const weekday = new Date(START + d * DAY_MS).getUTCDay();
    const n = d === 28 ? last : weekday === 0 || weekday === 6 ? 40 : 120;
    for (let i = 0; i < n; i++) {
      const at = START + d * DAY_MS + 9 * 3_600_000 + i * 1000;
      const id = `${journeyId}_${d}_${i}`;
      rows.push({
        id,
        workspace_id: WS,
        contact_id: `ct_${i}`,
        channel: 'email',
        kind: 'marketing' as const,
        idempotency_key: `run:${id}`,
        journey_id: journeyId,
        status: 'sent' as const,
        to_address: `u${i}@example.com`,
        links: '[]',
        created_at: at,
        sent_at: at,
        updated_at: at,
      });
    }
  }
  for (let i = 0; i < rows.length; i += 500)
    await t.store.db
      .insertInto('messages')
      .values(rows.slice(i, i + 500))
      .execute();
}

describe.each(backends())('a journey that stalls (%s)', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase(kind);
    await t.store.db.insertInto('workspaces').values({ id: WS, name: 'stall', timezone: 'UTC', settings: '{}', created_at: 0 }).execute();
    const contacts = Array.from({ length: 120 }, (_, i) => ({ id: `ct_${i}`, workspace_id: WS, email: `u${i}@example.com`, attributes: '{}', created_at: 0, updated_at: 0 }));
    await t.store.db.insertInto('contacts').values(contacts).execute();
    await plant(t, 'stalled', 2);
    await plant(t, 'finished', 2);
    await plant(t, 'steady', 118);
    // Runs of `stalled` still wait for their next step; `finished` has none left.
    await t.store.db
      .insertInto('journey_runs')
      .values({
        id: 'run_w',
        workspace_id: WS,
        journey_id: 'stalled',
        version: 1,
        contact_id: 'ct_1',
        status: 'waiting',
        visit: 1,
        attempts: 0,
        due_at: START,
        trigger_props: '{}',
        event_props: '{}',
        data: '{}',
        entered_at: START,
        updated_at: START,
      })
      .execute();
  }, 120_000);
  afterAll(() => t.drop());

  it('is flagged when its sends drop to ~0 while runs wait; a finished journey and the weekends are not', async () => {
    const found = await findWorkspaceAnomalies(t.store, WS, { from: START + 14 * DAY_MS, to: START + 29 * DAY_MS });
    const journeys = found.filter((f) => f.scope.kind === 'journey');
    expect(journeys.map((f) => [f.scope.id, f.metric, f.direction, (f.bucket - START) / DAY_MS])).toEqual([['stalled', 'sends', 'down', 28]]);
    expect(journeys[0]!.observed).toBe(2);
    expect(journeys[0]!.expected).toBe(120);
    expect(journeys[0]!.explanation.summary).toMatch(/^sends ×0\.0 \(2 where 120 were expected\)/);
  });
});
