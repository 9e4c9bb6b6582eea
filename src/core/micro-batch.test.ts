import { describe, expect, it } from 'vitest';
import { microBatcher } from './micro-batch.js';

describe('microBatcher', () => {
  it('hands calls that arrive together over at once, each caller getting its own result, and a full batch without waiting', async () => {
    const batches: number[][] = [];
    const submit = microBatcher(async (items: number[]) => (batches.push(items), items.map((n) => n * 10)), { batchSize: 3, quietMs: 20 });
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => submit(n)));
    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('every caller of a failed batch gets the error; the next batch is handled afresh', async () => {
    let fail = true;
    const submit = microBatcher(
      async (items: string[]) => {
        if (fail) throw new Error('write failed');
        return items.map((s) => s.toUpperCase());
      },
      { batchSize: 10, quietMs: 5 },
    );
    const settled = await Promise.allSettled([submit('a'), submit('b')]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await submit('c')).toBe('C');
  });
});
