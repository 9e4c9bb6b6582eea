import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, freshDatabase, type TestDatabase } from '../../test/backends.js';
import { newestFirst, type KeysetBound } from './keyset.js';

describe.each(backends())('newest-first keyset pages on %s', (kind) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase(kind);
    await t.store.db.insertInto('workspaces').values({ id: 'ws', name: 'ws', settings: '{}', created_at: 0 }).execute();
    await t.store.db.insertInto('contacts').values({ id: 'ct', workspace_id: 'ws', attributes: '{}', created_at: 0, updated_at: 0 }).execute();
    // 25 events over 5 timestamps: every page boundary falls among equal times.
    const rows = Array.from({ length: 25 }, (_, i) => ({
      workspace_id: 'ws',
      contact_id: 'ct',
      type: 'track',
      name: 'e',
      properties: '{}',
      message_id: `m${i}`,
      timestamp: 1000 * (i % 5),
      received_at: 0,
    }));
    await t.store.db.insertInto('events').values(rows).execute();
  });
  afterAll(async () => t?.drop());

  const page = (bound: KeysetBound, take: number) => newestFirst(t.store.db.selectFrom('events').select(['id', 'timestamp']).where('contact_id', '=', 'ct'), 'timestamp', 'id', bound, take).execute();

  it('pages of 7 from a row of the list read every row once, in (time, id) descending order', async () => {
    const all = (await t.store.db.selectFrom('events').select(['id', 'timestamp']).execute()).map((r) => ({ id: Number(r.id), timestamp: Number(r.timestamp) }));
    all.sort((a, b) => b.timestamp - a.timestamp || b.id - a.id);
    const seen: { id: number; timestamp: number }[] = [];
    for (let bound: KeysetBound = null; ;) {
      const rows: { id: number; timestamp: number }[] = (await page(bound, 7)).map((r) => ({ id: Number(r.id), timestamp: Number(r.timestamp) }));
      seen.push(...rows);
      if (rows.length < 7) break;
      const last: { id: number; timestamp: number } = rows[rows.length - 1]!;
      bound = { own: true, at: last.timestamp, id: last.id };
    }
    expect(seen).toEqual(all);
  });

  it('a cursor of another list continues before its time, or at it too when inclusive', async () => {
    expect((await page({ own: false, at: 2000, inclusive: false }, 100)).map((r) => Number(r.timestamp))).toEqual([1000, 1000, 1000, 1000, 1000, 0, 0, 0, 0, 0]);
    expect(await page({ own: false, at: 2000, inclusive: true }, 100)).toHaveLength(15);
  });
});
