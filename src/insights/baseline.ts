/**
 * @module The baseline a value is compared with: the median of the same bucket of the week (same
 * weekday, same hour) over the last few weeks, its spread as the median absolute deviation (MAD), and
 * a robust z-score that also allows for the sampling noise of a rate measured on few messages.
 *
 * Why this one: a marketing workspace's figures follow the week (weekends quieter, Monday's
 * newsletter), so comparing Saturday with Friday flags every weekend; comparing it with the last
 * Saturdays does not. Median and MAD ignore one bad week in the baseline (a mean and standard
 * deviation would let last week's incident hide this week's). With 2 to 4 points the MAD alone is
 * often 0, so the binomial (rates) or Poisson (counts) noise of the observed bucket is added.
 */

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** Median absolute deviation, scaled (×1.4826) to estimate a standard deviation under normal noise. */
export function scaledMad(values: readonly number[]): number {
  const m = median(values);
  return 1.4826 * median(values.map((v) => Math.abs(v - m)));
}

export interface Comparison {
  expected: number;
  /** Robust z-score of the observed value; positive above the baseline. */
  score: number;
}

/**
 * A rate `x / n` against the baseline rates: the binomial noise uses the baseline rate shrunk by one
 * success and one failure, so a baseline of 0% still has a width.
 */
export function compareRate(x: number, n: number, baseline: readonly number[]): Comparison {
  const expected = median(baseline);
  const p = (expected * n + 1) / (n + 2);
  const sigma = Math.sqrt(scaledMad(baseline) ** 2 + (p * (1 - p)) / n);
  return { expected, score: (x / n - expected) / sigma };
}

/** A count against the baseline counts, with Poisson noise (at least 1). */
export function compareCount(x: number, baseline: readonly number[]): Comparison {
  const expected = median(baseline);
  const sigma = Math.sqrt(scaledMad(baseline) ** 2 + Math.max(expected, 1));
  return { expected, score: (x - expected) / sigma };
}
