/**
 * @module The statistics of the correlation finder, for one 2×2 table (converted or not × has the
 * candidate or not): the two rates, their difference with Newcombe's hybrid Wilson interval (method
 * 10 of Newcombe 1998), the lift (rate ratio) with the log-ratio (Katz) interval, the two-sided
 * p-value of the pooled two-proportion z test, and Benjamini–Hochberg across all candidates.
 *
 * Counting happens in SQL (./correlations.ts); only these small closed forms run in JS.
 */
import { wilson } from '../stats/probability.js';

const Z95 = 1.959963984540054;

export interface Table2x2 {
  /** Contacts with the candidate, and how many of them converted. */
  withN: number;
  withConverted: number;
  /** Contacts without it, and how many of them converted. */
  withoutN: number;
  withoutConverted: number;
}

export interface Association {
  rateWith: number;
  rateWithout: number;
  difference: number;
  differenceCi: { low: number; high: number };
  /** rateWith / rateWithout; null when nobody without it converted (no finite ratio). */
  lift: number | null;
  liftCi: { low: number; high: number } | null;
  pValue: number;
}

/** Standard normal CDF: erfc by W. J. Cody's rational Chebyshev form (Numerical Recipes erfcc, |error| < 1.2e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - r / 2 : r / 2;
}

export function associate(t: Table2x2): Association {
  const p1 = t.withConverted / t.withN;
  const p0 = t.withoutConverted / t.withoutN;
  const w1 = wilson(t.withConverted, t.withN, Z95)!;
  const w0 = wilson(t.withoutConverted, t.withoutN, Z95)!;
  const d = p1 - p0;
  // Newcombe (1998) method 10: the difference's interval from the two Wilson intervals.
  const differenceCi = {
    low: d - Math.sqrt((p1 - w1.low) ** 2 + (w0.high - p0) ** 2),
    high: d + Math.sqrt((w1.high - p1) ** 2 + (p0 - w0.low) ** 2),
  };
  let lift: number | null = null;
  let liftCi: Association['liftCi'] = null;
  if (t.withoutConverted > 0) {
    lift = p1 / p0;
    // Katz log-ratio interval; with a zero cell, 0.5 is added to each count (Haldane) so it stays finite.
    const h = t.withConverted === 0 ? 0.5 : 0;
    const [a, n1, b, n0] = [t.withConverted + h, t.withN + h, t.withoutConverted + h, t.withoutN + h];
    const centre = a / n1 / (b / n0);
    const se = Math.sqrt(1 / a - 1 / n1 + 1 / b - 1 / n0);
    liftCi = { low: centre * Math.exp(-Z95 * se), high: centre * Math.exp(Z95 * se) };
  }
  const pooled = (t.withConverted + t.withoutConverted) / (t.withN + t.withoutN);
  const se0 = Math.sqrt(pooled * (1 - pooled) * (1 / t.withN + 1 / t.withoutN));
  const pValue = se0 === 0 ? 1 : Math.min(1, 2 * (1 - normalCdf(Math.abs(d) / se0)));
  return { rateWith: p1, rateWithout: p0, difference: d, differenceCi, lift, liftCi, pValue };
}

/**
 * Benjamini–Hochberg adjusted p-values (the same as R's `p.adjust(p, "BH")`): sort ascending,
 * q(i) = min over j ≥ i of p(j)·m/j, capped at 1, given back in the input order. Rejecting
 * q ≤ α keeps the expected share of false discoveries among the reported rows at most α.
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const q = new Array<number>(m);
  let running = 1;
  for (let k = m - 1; k >= 0; k--) {
    const [p, i] = order[k]!;
    running = Math.min(running, (p * m) / (k + 1));
    q[i] = running;
  }
  return q;
}
