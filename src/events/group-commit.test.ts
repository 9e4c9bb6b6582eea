import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, freshDatabase, type TestDatabase } from '../../test/backends.js';
import { toJson } from '../core/json.js';
import { GroupCommitter } from './group-commit.js';

describe.each(backends())('group commit on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await freshDatabase(kind);
  });
  afterAll(async () => database?.drop());

  const committer = (commits: number[]) =>
    new GroupCommitter<string>({
      async commit(ids) {
        commits.push(ids.length);
        await database.store.transaction(async (trx) => {
          for (const id of ids)
            await trx
              .insertInto('workspaces')
              .values({ id, name: id, settings: toJson({}), created_at: 1 })
              .execute();
        });
      },
      weight: () => 1,
      maxWeight: 50,
      parallel: 1,
    });
  const stored = async (prefix: string) => (await database.store.db.selectFrom('workspaces').select('id').where('id', 'like', `${prefix}%`).orderBy('id').execute()).map((r) => r.id);

  it('writes concurrent jobs in one transaction and resolves each after the commit', async () => {
    const commits: number[] = [];
    const c = committer(commits);
    const ids = Array.from({ length: 10 }, (_, i) => `ws_grp_${String(i).padStart(2, '0')}`);
    await Promise.all(ids.map((id) => c.run(id)));
    expect(commits[0]).toBe(10);
    expect(await stored('ws_grp_')).toEqual(ids);
  });

  it('a job that fails is rejected alone: its neighbours are stored', async () => {
    const commits: number[] = [];
    const c = committer(commits);
    await c.run('ws_dup_taken');
    // The third job repeats a stored primary key: the group fails, then every job is retried alone.
    const results = await Promise.allSettled(['ws_dup_a', 'ws_dup_b', 'ws_dup_taken', 'ws_dup_c'].map((id) => c.run(id)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(await stored('ws_dup_')).toEqual(['ws_dup_a', 'ws_dup_b', 'ws_dup_c', 'ws_dup_taken']);
    expect(commits).toEqual([1, 4, 1, 1, 1, 1]);
  });

  it('bounds a group by weight', async () => {
    const commits: number[] = [];
    const c = committer(commits);
    await Promise.all(Array.from({ length: 120 }, (_, i) => c.run(`ws_big_${String(i).padStart(3, '0')}`)));
    expect(commits).toEqual([50, 50, 20]);
    expect(await stored('ws_big_')).toHaveLength(120);
  });

  it('bounds what waits, per key and in all: past a bound a job is refused at once and never written', async () => {
    const commits: number[] = [];
    const c = new GroupCommitter<string>({
      async commit(ids) {
        commits.push(ids.length);
        await database.store.transaction(async (trx) => {
          for (const id of ids)
            await trx
              .insertInto('workspaces')
              .values({ id, name: id, settings: toJson({}), created_at: 1 })
              .execute();
        });
      },
      weight: () => 1,
      maxWeight: 50,
      parallel: 1,
      bounds: { maxQueued: 5, maxQueuedPerKey: 3, key: (id) => id.slice(0, 'ws_bnd_a'.length), refuse: (scope, queued) => new Error(`refused ${scope} at ${queued}`) },
    });
    // All in one turn of the event loop: nothing has been taken into a group yet.
    const results = await Promise.allSettled(['ws_bnd_a1', 'ws_bnd_a2', 'ws_bnd_a3', 'ws_bnd_a4', 'ws_bnd_b1', 'ws_bnd_b2', 'ws_bnd_b3'].map((id) => c.run(id)));
    expect(results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as Error).message))).toEqual(['ok', 'ok', 'ok', 'refused key at 3', 'ok', 'ok', 'refused all at 5']);
    expect(await stored('ws_bnd_')).toEqual(['ws_bnd_a1', 'ws_bnd_a2', 'ws_bnd_a3', 'ws_bnd_b1', 'ws_bnd_b2']);
    expect(c.queued()).toBe(0);
    // Once written, the queue takes jobs again.
    await c.run('ws_bnd_a5');
    expect(c.queued('ws_bnd_a')).toBe(0);
  });
});
