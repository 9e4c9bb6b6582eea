/**
 * @module Send-time optimisation, as a pure function: when, within a delivery window, to send a
 * contact a message so that it arrives at the hour of the week the contact usually engages.
 *
 * Method (docs/stats.md): the contact's human opens and clicks (never machine opens, docs/standards.md
 * 13) are binned by hour of the week in the contact's time zone (Monday 00:00 = 0 … 167), each
 * weighted by recency (half-life 30 days), and smoothed over the neighbouring hours (¼, ½, ¼). If
 * the contact's total weight is below `minWeight` (too little history), the workspace's profile
 * (the same over all contacts) is used; if that is empty too, a default hour (Tuesday 10:00 local).
 * The chosen time is the start of the best-scoring whole hour in [now, now + window]; ties go to
 * the earliest, so a flat profile sends at once.
 */

export const HOURS_PER_WEEK = 168;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface SendTimeOptions {
  halfLifeMs?: number;
  /** Below this total (recency-weighted) engagement, the contact's own profile is not trusted. */
  minWeight?: number;
  /** Hour of week used when no profile exists (default Tuesday 10:00: 24 + 10). */
  defaultHourOfWeek?: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAY: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

/** Hour of the week (Monday 00:00–00:59 local = 0) of an instant in an IANA zone. */
export function hourOfWeek(at: number, tz: string): number {
  let f = formatters.get(tz);
  if (!f) formatters.set(tz, (f = new Intl.DateTimeFormat('en-US', { timeZone: tz, weekday: 'short', hour: 'numeric', hourCycle: 'h23' })));
  let day = 0;
  let hour = 0;
  for (const p of f.formatToParts(at)) {
    if (p.type === 'weekday') day = WEEKDAY[p.value] ?? 0;
    else if (p.type === 'hour') hour = Number(p.value) % 24;
  }
  return day * 24 + hour;
}

/** A recency-weighted, smoothed hour-of-week histogram of engagement instants. */
export function profile(engagements: readonly number[], tz: string, now: number, options: SendTimeOptions = {}): Float64Array {
  const halfLife = options.halfLifeMs ?? 30 * DAY_MS;
  const raw = new Float64Array(HOURS_PER_WEEK);
  for (const at of engagements) {
    if (at > now) continue;
    raw[hourOfWeek(at, tz)]! += Math.pow(0.5, (now - at) / halfLife);
  }
  const out = new Float64Array(HOURS_PER_WEEK);
  for (let h = 0; h < HOURS_PER_WEEK; h++) {
    out[h] = 0.25 * raw[(h + HOURS_PER_WEEK - 1) % HOURS_PER_WEEK]! + 0.5 * raw[h]! + 0.25 * raw[(h + 1) % HOURS_PER_WEEK]!;
  }
  return out;
}

export const total = (p: Float64Array) => p.reduce((a, b) => a + b, 0);

export function addProfiles(into: Float64Array, p: Float64Array): Float64Array {
  for (let h = 0; h < HOURS_PER_WEEK; h++) into[h]! += p[h]!;
  return into;
}

export interface SendTimeChoice {
  at: number;
  source: 'contact' | 'workspace' | 'default';
}

/** When to send within [now, now + windowMs]. */
export function bestSendTime(input: { now: number; windowMs: number; tz: string; contact: Float64Array | null; workspace: Float64Array | null }, options: SendTimeOptions = {}): SendTimeChoice {
  const minWeight = options.minWeight ?? 1.5;
  let source: SendTimeChoice['source'] = 'default';
  let scores: Float64Array;
  if (input.contact && total(input.contact) >= minWeight) {
    source = 'contact';
    scores = input.contact;
  } else if (input.workspace && total(input.workspace) > 0) {
    source = 'workspace';
    scores = input.workspace;
  } else {
    scores = new Float64Array(HOURS_PER_WEEK);
    scores[options.defaultHourOfWeek ?? 34] = 1;
  }
  let best = input.now;
  let bestScore = scores[hourOfWeek(input.now, input.tz)]!;
  for (let at = Math.ceil(input.now / HOUR_MS) * HOUR_MS; at <= input.now + input.windowMs; at += HOUR_MS) {
    const s = scores[hourOfWeek(at, input.tz)]!;
    if (s > bestScore) {
      best = at;
      bestScore = s;
    }
  }
  return { at: best, source };
}
