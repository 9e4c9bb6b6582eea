/**
 * @module Durations in journey documents (`30m`, `4h`, `3d`, `2w`, and signed offsets like `-7d`).
 * They are fixed lengths: a day is 24 hours (docs/standards.md §4); local calendar days are a delay
 * node's `calendarDays`, computed by the runtime in the contact's time zone.
 */

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** The longest duration a document may name: 10 years of 365 days. */
export const MAX_DURATION_MS = 10 * 365 * UNIT_MS.d;

/** Milliseconds of `30m`, `-7d`, …; null when the text is not a duration. */
export function durationMs(text: string): number | null {
  const m = /^(-?)(\d+)(ms|s|m|h|d|w)$/.exec(text);
  if (!m) return null;
  const n = Number(m[2]) * UNIT_MS[m[3] as keyof typeof UNIT_MS];
  return m[1] === '-' ? -n : n;
}

/** Why a duration is not sane (zero, or longer than 10 years), or null when it is fine. */
export function durationProblem(text: string, { allowZeroOrNegative = false } = {}): string | null {
  const ms = durationMs(text);
  if (ms === null) return null; // the schema's regex already reported it
  if (!allowZeroOrNegative && ms <= 0) return `duration "${text}" must be greater than zero`;
  if (Math.abs(ms) > MAX_DURATION_MS) return `duration "${text}" is longer than 10 years`;
  return null;
}
