import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, freshDatabase, type TestDatabase } from '../../test/backends.js';
import type { Store } from '../store/store.js';
import { toJson } from '../core/json.js';
import { groupCommit } from './group-commit.js';

describe.each(backends())('group commit on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase(kind);
  });
  afterAll(async () => database?.drop());

  /** The real store, counting the transactions it opens. */
  function counting(): { store: Store; transactions: () => number } {
    let n = 0;
    const real = database.store;
    const store: Store = Object.create(real, {
      transaction: { value: (fn: Parameters<Store['transaction']>[0]) => (n++, real.transaction(fn)) },
    });
    return { store, transactions: () => n };
  }

  const insert = (id: string) => (trx: Store['db']) =>
    trx.insertInto('workspaces').values({ id, name: id, timezone: 'UTC', settings: toJson({}), created_at: 1 }).returning('id').executeTakeFirstOrThrow();

  it('concurrent writes share one commit and each caller gets its own committed result', async () => {
    const { store, transactions } = counting();
    const write = groupCommit(store);
    const ids = Array.from({ length: 50 }, (_, i) => `ws_gc_${kind}_${i}`);
    const results = await Promise.all(ids.map((id) => write(insert(id))));
    expect(results.map((r) => r.id)).toEqual(ids);
    expect(transactions()).toBe(1);
    const rows = await database.store.db.selectFrom('workspaces').select('id').where('id', 'in', ids).execute();
    expect(rows).toHaveLength(50);
  });

  it('a failing write fails only its own caller; the others of its batch are committed', async () => {
    const write = groupCommit(database.store);
    await write(insert(`ws_dup_${kind}`));
    const outcomes = await Promise.allSettled([write(insert(`ws_a_${kind}`)), write(insert(`ws_dup_${kind}`)), write(insert(`ws_b_${kind}`))]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const rows = await database.store.db.selectFrom('workspaces').select('id').where('id', 'in', [`ws_a_${kind}`, `ws_b_${kind}`]).execute();
    expect(rows).toHaveLength(2);
  });

  it('writes queued while a commit is in progress go in the next one', async () => {
    const { store, transactions } = counting();
    const write = groupCommit(store);
    const first = write(insert(`ws_first_${kind}`));
    await new Promise((r) => setImmediate(r));
    const later = await Promise.all([write(insert(`ws_l1_${kind}`)), write(insert(`ws_l2_${kind}`))]);
    await first;
    expect(later.map((r) => r.id)).toEqual([`ws_l1_${kind}`, `ws_l2_${kind}`]);
    expect(transactions()).toBe(2);
  });
});
