/**
 * @module Time-zone math with Intl only (no dependency). A local time is turned into an instant by
 * asking Intl for the zone's offset at that instant, so "09:00 local" stays 09:00 on DST days
 * (docs/standards.md §4). Times that do not exist (the skipped hour of spring-forward) move forward by
 * the gap; times that exist twice (fall-back) resolve to the earlier instant.
 */

export interface LocalParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  /** 0 = Sunday … 6 = Saturday */
  weekday: number;
}

/**
 * One formatter per zone name: building one costs ~160 µs (src/core/time-zone.ts). Module-level
 * because it is pure (a zone name always gives the same formatter) and bounded: Intl takes zone names
 * in any letter case, so stored contact zones could name a zone in endless spellings; past the limit
 * (above the ~600 IANA names) formatters are built and not kept.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();
export const FORMATTER_CACHE_LIMIT = 1000;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    if (formatters.size < FORMATTER_CACHE_LIMIT) formatters.set(tz, f);
  }
  return f;
}

/** How many formatters are kept (for the test of the bound). */
export const cachedFormatterCount = (): number => formatters.size;

/** The contact's IANA zone, then the workspace's fallback, then UTC (docs/standards.md §4). */
export function zoneFor(contactTz: string | null | undefined, workspaceTz: string | null | undefined): string {
  for (const tz of [contactTz, workspaceTz]) {
    if (!tz) continue;
    try {
      formatter(tz);
      return tz;
    } catch {
      // an unknown zone falls through to the next one
    }
  }
  return 'UTC';
}

export function localParts(ms: number, tz: string): LocalParts & { second: number } {
  const out: Record<string, string> = {};
  for (const p of formatter(tz).formatToParts(new Date(ms))) out[p.type] = p.value;
  return {
    year: Number(out.year),
    month: Number(out.month),
    day: Number(out.day),
    hour: Number(out.hour),
    minute: Number(out.minute),
    second: Number(out.second),
    weekday: WEEKDAYS.indexOf(out.weekday!),
  };
}

/** The zone's offset from UTC at instant `ms`, in ms (Tehran: +3.5 h). */
export function offsetAt(ms: number, tz: string): number {
  const p = localParts(ms, tz);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/** The instant of a local wall-clock time in `tz` (month 1-12; day may overflow, like Date.UTC). */
export function fromLocal(year: number, month: number, day: number, hour: number, minute: number, tz: string): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const first = wall - offsetAt(wall, tz);
  const second = wall - offsetAt(first, tz);
  if (second === first) return first;
  // Near a transition: prefer the candidate whose local time reads back as the wall time.
  const back = localParts(second, tz);
  if (Date.UTC(back.year, back.month - 1, back.day, back.hour, back.minute) === wall) return Math.min(first, second);
  // The wall time does not exist (spring forward): move forward by the gap.
  return Math.max(first, second);
}

/** Parses `HH:MM`. */
export function parseTimeOfDay(at: string): { hour: number; minute: number } {
  const [h, m] = at.split(':').map(Number) as [number, number];
  return { hour: h, minute: m };
}

/** Local midnight (or `at`) `days` calendar days after the local date of `ms` (docs/standards.md §4: "1 calendar day"). */
export function addCalendarDays(ms: number, days: number, tz: string, at = '00:00'): number {
  const p = localParts(ms, tz);
  const { hour, minute } = parseTimeOfDay(at);
  return fromLocal(p.year, p.month, p.day + days, hour, minute, tz);
}

const WEEKDAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** The first instant after `ms` that falls on one of `weekdays` at local time `at` (default 00:00). */
export function nextWeekdayAt(ms: number, weekdays: readonly string[], tz: string, at = '00:00'): number {
  const wanted = new Set(weekdays.map((w) => WEEKDAY_NAMES.indexOf(w)));
  const p = localParts(ms, tz);
  const { hour, minute } = parseTimeOfDay(at);
  for (let i = 0; i <= 7; i++) {
    const t = fromLocal(p.year, p.month, p.day + i, hour, minute, tz);
    if (t > ms && wanted.has(localParts(t, tz).weekday)) return t;
  }
  throw new Error(`no weekday in ${weekdays.join(',')}`);
}

/** The first instant at or after `ms` with local time `at`. */
export function nextTimeOfDay(ms: number, tz: string, at: string): number {
  const p = localParts(ms, tz);
  const { hour, minute } = parseTimeOfDay(at);
  const today = fromLocal(p.year, p.month, p.day, hour, minute, tz);
  return today >= ms ? today : fromLocal(p.year, p.month, p.day + 1, hour, minute, tz);
}

/** Parses a date attribute: `YYYY-MM-DD` (a local calendar date) or an ISO 8601 instant. */
export function parseDateAttribute(value: unknown): { year: number; month: number; day: number } | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const m = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})/.exec(value) : null;
  if (m) return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return null;
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Days in a month (Feb 29 birthdays fall on Feb 28 in other years). */
export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
