import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, freshDatabase, type TestDatabase } from '../../test/backends.js';
import { ManualClock } from '../core/clock.js';
import type { Store } from '../store/store.js';
import { lastTenthShare, pruneRate, ratePruneTask, takeEach, takeRate } from './rate-limit.js';
import { createHarness } from '../../test/harness.js';
import { workerTasks } from '../worker/tasks.js';

describe.each(backends())('the shared provider rate limit on %s', (kind) => {
  let database: TestDatabase;
  let others: Store[];
  beforeAll(async () => {
    database = await freshDatabase(kind, { pgPoolMax: 8 });
    // Other "workers": independent connections to the same database.
    others = [database.reopen(), database.reopen(), database.reopen()];
  });
  afterAll(async () => {
    for (const s of others ?? []) await s.close();
    await database?.drop();
  });
  const stores = () => [database.store, ...others];

  it('grants up to the limit in a second, then nothing with the time to the next second, then again', async () => {
    const db = database.store.db;
    const t = Date.UTC(2026, 0, 1, 0, 0, 0, 250);
    expect(await takeRate(db, { key: 'k1', perSecond: 10, wanted: 4, now: t })).toEqual({ granted: 4, retryAfterMs: 0 });
    expect(await takeRate(db, { key: 'k1', perSecond: 10, wanted: 4, now: t + 100 })).toEqual({ granted: 4, retryAfterMs: 0 });
    expect(await takeRate(db, { key: 'k1', perSecond: 10, wanted: 4, now: t + 200 })).toEqual({ granted: 2, retryAfterMs: 550 });
    expect(await takeRate(db, { key: 'k1', perSecond: 10, wanted: 1, now: t + 300 })).toEqual({ granted: 0, retryAfterMs: 450 });
    expect(await takeRate(db, { key: 'k2', perSecond: 10, wanted: 1, now: t + 300 })).toEqual({ granted: 1, retryAfterMs: 0 });
    expect(await takeRate(db, { key: 'k1', perSecond: 10, wanted: 25, now: t + 700 })).toEqual({ granted: 0, retryAfterMs: 50 });
    expect(await takeRate(db, { key: 'k1', perSecond: 10, wanted: 25, now: t + 751 })).toEqual({ granted: 10, retryAfterMs: 999 });
    expect(await takeRate(db, { key: 'k1', perSecond: 10, wanted: 0, now: t + 800 })).toEqual({ granted: 0, retryAfterMs: 0 });
    await expect(takeRate(db, { key: 'k1', perSecond: 0, wanted: 1, now: t })).rejects.toThrow(RangeError);
    await expect(takeRate(db, { key: 'k1', perSecond: 5, wanted: 1.5, now: t })).rejects.toThrow(RangeError);
  });

  it('paced: the last tenth of a second hands out only its own tenth of the budget, however much is left', async () => {
    const db = database.store.db;
    const t = Date.UTC(2026, 0, 1, 0, 0, 5, 0);
    const paced = (wanted: number, at: number, perSecond = 100, key = 'paced') => takeRate(db, { key, perSecond, wanted, now: t + at, paced: true });
    // The first nine tenths share 90 of 100.
    expect(await paced(60, 20)).toEqual({ granted: 60, retryAfterMs: 0 });
    expect(await paced(60, 450)).toEqual({ granted: 30, retryAfterMs: 450 });
    expect(await paced(1, 899)).toEqual({ granted: 0, retryAfterMs: 1 });
    // The last tenth: its own 10, whatever the first nine left.
    expect(await paced(100, 900)).toEqual({ granted: 10, retryAfterMs: 100 });
    expect(await paced(1, 990)).toEqual({ granted: 0, retryAfterMs: 10 });
    // Nothing taken for most of a second: still 10 in its last tenth, not 100.
    expect(await paced(100, 1905)).toEqual({ granted: 10, retryAfterMs: 95 });
    // Unpaced, the same budget is all there at once.
    expect(await takeRate(db, { key: 'unpaced', perSecond: 100, wanted: 100, now: t + 905 })).toEqual({ granted: 100, retryAfterMs: 0 });
    // Small budgets: 27 → 24 + 3; a budget of 1 goes in the last tenth only.
    expect(lastTenthShare(27)).toBe(3);
    expect(lastTenthShare(1)).toBe(1);
    expect(await paced(1, 10, 1, 'one')).toEqual({ granted: 0, retryAfterMs: 890 });
    expect(await paced(1, 950, 1, 'one')).toEqual({ granted: 1, retryAfterMs: 0 });
    expect(await paced(1, 960, 1, 'one')).toEqual({ granted: 0, retryAfterMs: 40 });
  });

  it('concurrent takers on several connections never get more than the limit in any second', async () => {
    const perSecond = 25;
    const t0 = Date.UTC(2026, 0, 2);
    const seconds = 4;
    const takers = 160; // per second, spread over the connections, all in flight at once
    const asks: Array<{ store: Store; wanted: number; now: number; second: number }> = [];
    for (let s = 0; s < seconds; s++) {
      for (let i = 0; i < takers; i++) asks.push({ store: stores()[i % stores().length]!, wanted: 1 + (i % 3), now: t0 + s * 1000 + ((i * 37) % 1000), second: s });
    }
    const grants = await Promise.all(asks.map((a) => takeRate(a.store.db, { key: 'race', perSecond, wanted: a.wanted, now: a.now })));
    for (let s = 0; s < seconds; s++) {
      const total = grants.filter((_, i) => asks[i]!.second === s).reduce((sum, g) => sum + g.granted, 0);
      // Demand (about 320 a second) exceeds the limit: exactly the limit is handed out, never more.
      expect(total, `second ${s}`).toBe(perSecond);
    }
    for (const [i, g] of grants.entries()) {
      expect(g.granted).toBeLessThanOrEqual(asks[i]!.wanted);
      expect(g.retryAfterMs > 0).toBe(g.granted < asks[i]!.wanted);
    }
  });

  it('takeEach grants one token per key in one statement, never more than the limit per key and second, on several connections at once', async () => {
    const t0 = Date.UTC(2026, 0, 3);
    const keys = Array.from({ length: 50 }, (_, i) => `chat:${i}`);
    // 4 connections each ask for every key (and one key twice) in the same second, limit 2 per key.
    const grants = await Promise.all(stores().map((s) => takeEach(s.db, { keys: [...keys, 'chat:0'], perSecond: 2, now: t0 + 10 })));
    for (const key of keys) expect(grants.filter((g) => g.has(key)).length, key).toBe(2);
    // The next second starts afresh.
    expect((await takeEach(database.store.db, { keys, perSecond: 2, now: t0 + 1000 })).size).toBe(50);
    expect((await takeEach(database.store.db, { keys: [], perSecond: 2, now: t0 })).size).toBe(0);
  });

  it('old seconds are pruned by the worker task, at most once a minute', async () => {
    const db = database.store.db;
    const t = Date.UTC(2026, 0, 3);
    for (let s = 0; s < 5; s++) await takeRate(db, { key: 'old', perSecond: 5, wanted: 1, now: t + s * 60_000 });
    expect(await pruneRate(db, t + 5 * 60_000)).toBeGreaterThanOrEqual(4); // and the earlier tests' seconds
    const left = await db.selectFrom('provider_rate').select('second').where('provider_key', '=', 'old').execute();
    expect(left.map((r) => Number(r.second))).toEqual([Math.floor((t + 4 * 60_000) / 1000)]);
    const clock = new ManualClock(t + 10 * 60_000);
    const task = ratePruneTask({ store: database.store, clock });
    expect(await task.tick()).toBe(1);
    await takeRate(db, { key: 'old', perSecond: 5, wanted: 1, now: t });
    expect(await task.tick()).toBe(0); // within the minute: not run
    clock.advance(60_000);
    expect(await task.tick()).toBe(1);
  });
});

describe('the prune task', () => {
  it('is among the worker tasks, so qatra start and qatra worker prune old seconds', async () => {
    const h = await createHarness('sqlite');
    try {
      expect(workerTasks(h.deps).map((t) => t.name)).toContain('provider-rate-prune');
    } finally {
      await h.close();
    }
  });
});
