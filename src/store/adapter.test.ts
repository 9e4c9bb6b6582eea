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

  it('jsonText reads a top-level JSON key as the same text on both backends, booleans spelled out', async () => {
    const attributes = JSON.stringify({ yes: true, no: false, n: 42, s: 'x', nothing: null, nested: { a: 1 } });
    await t.store.db.insertInto('workspaces').values({ id: 'ws_json', name: 'json', settings: '{}', created_at: 0 }).execute();
    await t.store.db.insertInto('contacts').values({ id: 'ct_json', workspace_id: 'ws_json', attributes, created_at: 0, updated_at: 0 }).execute();
    const text = async (key: string) => (await sql<{ v: string | null }>`SELECT ${t.store.adapter.jsonText('attributes', key)} AS v FROM contacts WHERE id = 'ct_json'`.execute(t.store.db)).rows[0]!.v;
    expect([await text('yes'), await text('no'), await text('n'), await text('s'), await text('nothing'), await text('missing')]).toEqual(['true', 'false', '42', 'x', null, null]);
    expect(JSON.parse((await text('nested'))!)).toEqual({ a: 1 });
  });

  it('a snapshot does not see rows another connection commits after its first read', async () => {
    const count = async (db: typeof t.store.db) =>
      Number(
        (
          await db
            .selectFrom('journey_inbox')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const seen = await t.store.adapter.snapshot(t.store.db, async (db) => {
      const before = await count(db);
      await others[1]!.db.insertInto('journey_inbox').values({ workspace_id: 'ws', kind: 'event', contact_id: 'ct_late', payload: '{}', created_at: 0 }).execute();
      return [before, await count(db)];
    });
    expect(seen[1]).toBe(seen[0]);
    expect(await count(t.store.db)).toBe(seen[0]! + 1);
  });

  it.skipIf(kind === 'sqlite')('lockKeys makes a second transaction naming one of the same keys wait for the first to commit', async () => {
    const order: string[] = [];
    const hold = (store: Store, name: string, keys: bigint[], holdMs: number) =>
      store.transaction(async (trx) => {
        await store.adapter.lockKeys(trx, keys);
        order.push(`${name} in`);
        await new Promise((r) => setTimeout(r, holdMs));
        order.push(`${name} out`);
      });
    const first = hold(t.store, 'first', [2n, 1n], 300);
    await new Promise((r) => setTimeout(r, 50));
    await Promise.all([first, hold(others[2]!, 'second', [1n, 3n], 0)]);
    expect(order).toEqual(['first in', 'first out', 'second in', 'second out']);
  });

  it('says which backend keeps its data in a file of the data directory', () => {
    expect(t.store.adapter.embedded).toBe(kind === 'sqlite');
  });
});
