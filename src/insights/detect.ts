/**
 * @module The anomaly finder: each bucket of one series (one channel, one journey, …) against its
 * weekly baseline (./baseline.ts), metric by metric.
 *
 * A bucket is flagged when all of these hold (defaults in `DEFAULT_DETECTION`):
 *  - the baseline has at least `minBaselinePoints` earlier buckets one season (7 days) apart;
 *  - the bucket has at least `minVolume` messages in the rate's denominator (a rate on 20 messages
 *    says little), or, for a count, the baseline median is at least `minVolume / 4`;
 *  - the robust z-score is past `zThreshold` in the metric's direction (spikes of bounces and
 *    complaints and unsubscribes, drops of opens and clicks and, for a journey, of sends);
 *  - the change is large as well as unlikely: at least `minRatio` times (or 1/minRatio of) the
 *    baseline, so a huge workspace is not alerted for a 3% wobble that happens to be significant.
 */
import { compareCount, compareRate } from './baseline.js';
import type { Counts } from './series.js';

export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;

export type Direction = 'up' | 'down';

export interface MetricDef {
  name: MetricName;
  direction: Direction;
  /** A rate numerator / denominator, or a count (denominator null). */
  numerator(c: Counts): number;
  denominator: ((c: Counts) => number) | null;
  /** What it counts, for the explanation ("hard bounces ×5"). */
  noun: string;
}

export type MetricName = 'hard_bounce_rate' | 'complaint_rate' | 'unsubscribe_rate' | 'open_rate' | 'click_rate' | 'sends';

export const METRICS: Readonly<Record<MetricName, MetricDef>> = Object.freeze({
  hard_bounce_rate: { name: 'hard_bounce_rate', direction: 'up', numerator: (c) => c.hardBounces, denominator: (c) => c.sends, noun: 'hard bounces' },
  complaint_rate: { name: 'complaint_rate', direction: 'up', numerator: (c) => c.complaints, denominator: (c) => c.deliveries, noun: 'complaints' },
  unsubscribe_rate: { name: 'unsubscribe_rate', direction: 'up', numerator: (c) => c.unsubscribes ?? 0, denominator: (c) => c.deliveries, noun: 'unsubscribes' },
  open_rate: { name: 'open_rate', direction: 'down', numerator: (c) => c.humanOpens, denominator: (c) => c.deliveries, noun: 'human opens' },
  click_rate: { name: 'click_rate', direction: 'down', numerator: (c) => c.clicks, denominator: (c) => c.deliveries, noun: 'clicks' },
  sends: { name: 'sends', direction: 'down', numerator: (c) => c.sends, denominator: null, noun: 'sends' },
});

export interface DetectionOptions {
  /** The size of a bucket (a day or an hour), ms. */
  bucketMs: number;
  /** What "the same bucket" is: a week. 1 day here would ignore the weekly pattern (the tests show what that flags). */
  seasonMs: number;
  /** How many earlier seasons make the baseline. */
  seasons: number;
  minBaselinePoints: number;
  minVolume: number;
  zThreshold: number;
  minRatio: number;
}

export const DEFAULT_DETECTION: Readonly<Omit<DetectionOptions, 'bucketMs'>> = Object.freeze({ seasonMs: WEEK_MS, seasons: 4, minBaselinePoints: 2, minVolume: 200, zThreshold: 4, minRatio: 1.5 });

/** Events above the expected number a spike needs at least. */
export const MIN_EXCESS = 5;

export interface Finding {
  metric: MetricName;
  direction: Direction;
  bucket: number;
  observed: number;
  expected: number;
  score: number;
  /** The denominator (messages) of a rate, or the count itself. */
  volume: number;
}

/**
 * Findings in the buckets of `series` (one point per bucket; missing buckets are zero) that start in
 * [from, to). Earlier points serve as the baseline only.
 */
export function findAnomalies(series: ReadonlyMap<number, Counts>, metrics: readonly MetricDef[], range: { from: number; to: number }, options: DetectionOptions): Finding[] {
  const findings: Finding[] = [];
  const o = options;
  for (let bucket = range.from; bucket < range.to; bucket += o.bucketMs) {
    const current = series.get(bucket);
    const baseline: Counts[] = [];
    for (let k = 1; k <= o.seasons; k++) {
      const p = series.get(bucket - k * o.seasonMs);
      if (p) baseline.push(p);
    }
    if (baseline.length < o.minBaselinePoints) continue;
    for (const metric of metrics) {
      const f = check(metric, current, baseline, o);
      if (f) findings.push({ ...f, bucket });
    }
  }
  return findings;
}

function check(metric: MetricDef, current: Counts | undefined, baseline: readonly Counts[], o: DetectionOptions): Omit<Finding, 'bucket'> | null {
  const x = current ? metric.numerator(current) : 0;
  const sign = metric.direction === 'up' ? 1 : -1;
  if (metric.denominator === null) {
    const { expected, score } = compareCount(
      x,
      baseline.map((c) => metric.numerator(c)),
    );
    if (expected < o.minVolume / 4) return null;
    const ratioOk = metric.direction === 'up' ? x >= expected * o.minRatio : x * o.minRatio <= expected;
    return sign * score >= o.zThreshold && ratioOk ? { metric: metric.name, direction: metric.direction, observed: x, expected, score, volume: x } : null;
  }
  const n = current ? metric.denominator(current) : 0;
  if (n < o.minVolume) return null;
  const rates = baseline.filter((c) => metric.denominator!(c) > 0).map((c) => metric.numerator(c) / metric.denominator!(c));
  if (rates.length < o.minBaselinePoints) return null;
  const { expected, score } = compareRate(x, n, rates);
  const rate = x / n;
  // A spike also needs a few more events than expected: 3 bounces where 0 were expected is not an incident.
  const ratioOk = metric.direction === 'up' ? rate >= expected * o.minRatio && x - expected * n >= MIN_EXCESS : rate * o.minRatio <= expected;
  return sign * score >= o.zThreshold && ratioOk ? { metric: metric.name, direction: metric.direction, observed: rate, expected, score, volume: n } : null;
}
