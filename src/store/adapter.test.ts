import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { backends, freshDatabase, type TestDatabase } from '../../test/backends.js';
import type { Store } from './store.js';

/** Claims up to `n` free rows of journey_inbox for `token` the way every claim in Qatra does. */
function claim(store: Store, token: string, n: number) {
  const query = sql<{ id: number }>`
    WITH picked AS MATERIALIZED (
      SELECT id FROM journey_inbox WHERE claimed_by IS NULL ORDER BY id LIMIT ${n} ${store.adapter.skipLocked})
    UPDATE journey_inbox SET claimed_by = ${token} WHERE id IN (SELECT id FROM picked) RETURNING id`;
  return store.adapter.claim(store.db, store.transaction, query);
}

describe.each(backends())('the store adapter on %s', (kind) => {
  let t: TestDatabase;
  const others: Store[] = [];
  beforeAll(async () => {
    t = await freshDatabase(kind);
    const rows = Array.from({ length: 200 }, (_, i) => ({ workspace_id: 'ws', kind: 'event', contact_id: `ct_${i}`, payload: '{}', created_at: i }));
    await t.store.db.insertInto('journey_inbox').values(rows).execute();
    for (let i = 0; i < 3; i++) others.push(t.reopen());
  });
  afterAll(async () => {
    for (const o of others) await o.close();
    await t?.drop();
  });

  // In one process, a second SQLite connection waiting for the write lock blocks the event loop
  // (better-sqlite3 is synchronous), so the holder can never finish: SQLite claimers race across
  // processes instead (src/journeys/runtime/kill.test.ts, test/faults/worker-killed.test.ts).
  it.skipIf(kind === 'sqlite')('four claimers on their own connections, racing, each take whole batches and never the same row', async () => {
    const stores = [t.store, ...others];
    const taken = new Map<number, string>();
    let doubled = 0;
    await Promise.all(
      stores.map(async (store, w) => {
        for (let round = 0; ; round++) {
          const rows = await claim(store, `w${w}:${round}`, 7);
          if (rows.length === 0) return;
          for (const r of rows) {
            if (taken.has(Number(r.id))) doubled++;
            taken.set(Number(r.id), `w${w}`);
          }
        }
      }),
    );
    expect(doubled).toBe(0);
    expect(taken.size).toBe(200);
    const left = await t.store.db.selectFrom('journey_inbox').select('id').where('claimed_by', 'is', null).execute();
    expect(left).toEqual([]);
  });

  it.skipIf(kind === 'sqlite')('lockRows makes a second transaction that reads the same row for update wait for the first to commit', async () => {
    const order: string[] = [];
    await t.store.db.insertInto('workspaces').values({ id: 'ws_lock', name: 'before', settings: '{}', created_at: 0 }).execute();
    const readThenWrite = (store: Store, name: string, holdMs: number) =>
      store.transaction(async (trx) => {
        const row = await store.adapter.lockRows(trx.selectFrom('workspaces').select('name').where('id', '=', 'ws_lock')).executeTakeFirstOrThrow();
        order.push(`${name} read ${row.name}`);
        await new Promise((r) => setTimeout(r, holdMs));
        await trx.updateTable('workspaces').set({ name }).where('id', '=', 'ws_lock').execute();
      });
    const first = readThenWrite(t.store, 'first', 300);
    await new Promise((r) => setTimeout(r, 50));
    await Promise.all([first, readThenWrite(others[0]!, 'second', 0)]);
    // Without the lock the second would have read "before" while the first still held its row.
    expect(order).toEqual(['first read before', 'second read first']);
  });

  it('claims on one connection take each row once, in order', async () => {
    await t.store.db.updateTable('journey_inbox').set({ claimed_by: null }).execute();
    const first = await claim(t.store, 'a', 150);
    const second = await claim(t.store, 'b', 150);
    expect(first.map((r) => Number(r.id)).sort((x, y) => x - y)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(second).toHaveLength(50);
  });

  it('says which backend has row locks', () => {
    expect(t.store.adapter.name).toBe(kind);
    expect(t.store.adapter.rowLocks).toBe(kind === 'postgres');
  });
});
