/**
 * @module The statistics of experiments: Wilson score intervals for proportions, and the Bayesian
 * probability that each variant has the highest rate under independent Beta(1 + successes, 1 +
 * failures) posteriors (uniform prior), estimated by Monte Carlo with a seeded generator, so the
 * same counts always give the same answer. 20,000 draws: the estimate's standard error is at most
 * 0.0035.
 */

/** Wilson score interval (z = 1.96: 95 %). Better than the normal interval near 0 and 1 and for small n. */
export function wilson(successes: number, n: number, z = 1.96): { low: number; high: number } | null {
  if (n <= 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const denom = 1 + z2 / n;
  return { low: Math.max(0, (centre - margin) / denom), high: Math.min(1, (centre + margin) / denom) };
}

/** mulberry32: small, fast, good enough for Monte Carlo; seeded for reproducible answers. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(rand: () => number): number {
  // Box-Muller; 1 - u keeps the logarithm finite.
  const u = 1 - rand();
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Gamma(shape, 1) by Marsaglia and Tsang (2000); shape < 1 via the boost Gamma(a+1)·U^(1/a). */
export function gamma(shape: number, rand: () => number): number {
  if (shape < 1) return gamma(shape + 1, rand) * Math.pow(rand(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rand);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rand();
    if (u < 1 - 0.0331 * x ** 4) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

export function beta(a: number, b: number, rand: () => number): number {
  const x = gamma(a, rand);
  const y = gamma(b, rand);
  return x / (x + y);
}

/** P(variant i has the highest true rate), for each variant. */
export function probabilityBest(arms: { successes: number; n: number }[], draws = 20_000, seed = 7): number[] {
  const rand = seededRandom(seed);
  const wins = new Array<number>(arms.length).fill(0);
  for (let d = 0; d < draws; d++) {
    let best = -1;
    let bestValue = -1;
    for (let i = 0; i < arms.length; i++) {
      const { successes, n } = arms[i]!;
      const x = beta(1 + successes, 1 + n - successes, rand);
      if (x > bestValue) {
        bestValue = x;
        best = i;
      }
    }
    wins[best]! += 1;
  }
  return wins.map((w) => Math.round((w / draws) * 1e4) / 1e4);
}
