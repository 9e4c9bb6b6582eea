/**
 * @module ISO 8601 dates and date-times read strictly, as epoch milliseconds. `Date.parse` is no
 * judge of a date: it rolls `2026-02-30` over to March 2, reads `24:00` as the next day, and accepts
 * `Feb 30 2026` or `1`; a client's impossible date would be stored as another day without a word.
 * Here a date must exist in the calendar (leap years included) and a time of day must be one.
 *
 * Accepted: `YYYY-MM-DD`, optionally followed by `T` (or a space) and `HH:MM`, `HH:MM:SS` or
 * `HH:MM:SS.fraction` (any number of digits; milliseconds kept), optionally followed by `Z`, `±HH:MM`,
 * `±HHMM` or `±HH`. Without an offset the time is UTC (never the server's own time zone).
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** Days in `month` (1–12) of `year`, Gregorian leap rule. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Offset east of UTC in minutes, or null when out of range (±18:00 at most, as ISO and JS allow). */
function offsetMinutes(text: string | undefined): number | null {
  if (!text || text === 'Z' || text === 'z') return 0;
  const sign = text[0] === '-' ? -1 : 1;
  const digits = text.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 18 || minutes > 59 || hours * 60 + minutes > 18 * 60) return null;
  return sign * (hours * 60 + minutes);
}

/** Epoch ms of an ISO 8601 date or date-time that exists, or null (`2026-02-30`, `25:00`, `1`, `Feb 3`). */
export function parseIsoTime(text: string): number | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const offset = offsetMinutes(zone);
  if (offset === null) return null;
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear keeps the year as written.
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
  date.setUTCFullYear(year);
  return date.getTime() - offset * 60_000;
}
