import { describe, expect, it } from 'vitest';
import { probabilityBest, wilson } from './probability.js';

describe('experiment statistics', () => {
  it('the Wilson interval matches published values and stays inside [0, 1]', () => {
    // 40 of 100 → 95 % Wilson interval [0.3094, 0.4980] (Newcombe 1998, method 3).
    const ci = wilson(40, 100)!;
    expect(ci.low).toBeCloseTo(0.3094, 4);
    expect(ci.high).toBeCloseTo(0.498, 3);
    expect(wilson(0, 10)!.low).toBe(0);
    expect(wilson(10, 10)!.high).toBe(1);
    expect(wilson(0, 0)).toBeNull();
  });

  it('P(best) is even for equal arms, near 1 for a clearly better arm, and the same on every call', () => {
    const even = probabilityBest([
      { successes: 50, n: 1000 },
      { successes: 50, n: 1000 },
    ]);
    expect(even[0]!).toBeGreaterThan(0.47);
    expect(even[0]!).toBeLessThan(0.53);
    const clear = probabilityBest([
      { successes: 50, n: 1000 },
      { successes: 90, n: 1000 },
      { successes: 55, n: 1000 },
    ]);
    expect(clear[1]!).toBeGreaterThan(0.99);
    expect(clear.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(
      probabilityBest([
        { successes: 50, n: 1000 },
        { successes: 60, n: 1000 },
      ]),
    ).toEqual(
      probabilityBest([
        { successes: 50, n: 1000 },
        { successes: 60, n: 1000 },
      ]),
    );
  });

  it('P(best) agrees with the exact two-arm answer', () => {
    // 10/100 vs 20/100: the exact P(B > A) under Beta(11, 91) and Beta(21, 81) posteriors is ≈ 0.977.
    const [, b] = probabilityBest(
      [
        { successes: 10, n: 100 },
        { successes: 20, n: 100 },
      ],
      100_000,
    );
    expect(b!).toBeGreaterThan(0.97);
    expect(b!).toBeLessThan(0.985);
  });
});
