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
});
