/**
 * @module When a series' posts are due. A recurrence names weekdays, a local time, the first local
 * date and either a count or a last local date: "every Tuesday 10:00 Asia/Tehran for 8 weeks" is
 * `{ weekdays: ['tue'], time: '10:00', startsOn: '2026-01-06', count: 8 }`. The i-th post takes the
 * i-th occurrence. Otherwise each post carries its own local date and time (`at`). Local times are
 * turned into instants in the series' zone by src/core/local-time.ts (DST-safe).
 */
import { z } from 'zod';
import { fromLocal, localParts } from '../core/local-time.js';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
/** Occurrences a recurrence may have (a weekly series for ten years is 520). */
export const MAX_OCCURRENCES = 1000;

const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((d) => realDate(d), 'is not a day of the calendar');
export const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM (00:00 to 23:59)');

export const recurrenceSchema = z
  .object({
    weekdays: z.array(z.enum(WEEKDAYS)).min(1).max(7),
    time: timeOfDay,
    startsOn: localDate,
    count: z.number().int().min(1).max(MAX_OCCURRENCES).optional(),
    until: localDate.optional(),
  })
  .strict()
  .refine((r) => (r.count === undefined) !== (r.until === undefined), { message: 'give either count or until', path: ['count'] })
  .refine((r) => r.until === undefined || r.until >= r.startsOn, { message: 'must not be before startsOn', path: ['until'] });
export type Recurrence = z.output<typeof recurrenceSchema>;

/** A local date and time `YYYY-MM-DDTHH:MM` in the series' zone. */
export const localDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d$/, 'must be a local date and time YYYY-MM-DDTHH:MM')
  .refine((v) => realDate(v.slice(0, 10)), 'is not a day of the calendar');

function realDate(d: string): boolean {
  const [y, m, day] = d.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, day));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === day;
}

/** The instants of a recurrence in zone `tz`, in order (at most MAX_OCCURRENCES). */
export function occurrences(r: Recurrence, tz: string): number[] {
  const [y, m, d] = r.startsOn.split('-').map(Number) as [number, number, number];
  const [hour, minute] = r.time.split(':').map(Number) as [number, number];
  const wanted = new Set(r.weekdays.map((w) => WEEKDAYS.indexOf(w)));
  const limit = r.count ?? MAX_OCCURRENCES;
  const out: number[] = [];
  // Ten years of days bounds the loop whatever the input.
  for (let i = 0; out.length < limit && i < 3660; i++) {
    const day = new Date(Date.UTC(y, m - 1, d + i));
    const iso = day.toISOString().slice(0, 10);
    if (r.until !== undefined && iso > r.until) break;
    if (!wanted.has(day.getUTCDay())) continue;
    out.push(fromLocal(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), hour, minute, tz));
  }
  return out;
}

/** The instant of a local `YYYY-MM-DDTHH:MM` in `tz`. */
export function instantOf(local: string, tz: string): number {
  const [date, time] = local.split('T') as [string, string];
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  return fromLocal(y, m, d, hour, minute, tz);
}

/** `YYYY-MM-DD HH:MM` of an instant in `tz` (for `{{ post.date }}` and the calendar). */
export function localLabel(ms: number, tz: string): string {
  const p = localParts(ms, tz);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${two(p.month)}-${two(p.day)} ${two(p.hour)}:${two(p.minute)}`;
}
