/**
 * @module Durations of the journey document: `30s`, `15m`, `4h`, `3d`, `2w` (1d = 24 h; see src/core/local-time.ts for
 * calendar days). A leading `-` is allowed where the schema allows it (offsets).
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function durationMs(text: string): number {
  const m = /^(-?)(\d+)(ms|s|m|h|d|w)$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  const n = Number(m[2]) * UNIT_MS[m[3]!]!;
  return m[1] === '-' ? -n : n;
}
