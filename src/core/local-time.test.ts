import { describe, expect, it } from 'vitest';
import { addCalendarDays, cachedFormatterCount, FORMATTER_CACHE_LIMIT, fromLocal, localParts, nextTimeOfDay, nextWeekdayAt, offsetAt, zoneFor } from './local-time.js';
import { dueOccurrence } from '../journeys/runtime/date-trigger.js';
import { checkQuietHours } from '../guards/guards.js';

const NY = 'America/New_York';

describe('time-zone math', () => {
  it('09:00 local stays 09:00 local across the DST change in New York', () => {
    // 2026-03-08 is spring-forward day in the US: 09:00 EST the day before is 14:00Z, 09:00 EDT after is 13:00Z.
    const sat = fromLocal(2026, 3, 7, 9, 0, NY);
    expect(new Date(sat).toISOString()).toBe('2026-03-07T14:00:00.000Z');
    const sun = addCalendarDays(sat, 1, NY, '09:00');
    expect(new Date(sun).toISOString()).toBe('2026-03-08T13:00:00.000Z');
    expect(sun - sat).toBe(23 * 3_600_000);
    const fall = fromLocal(2026, 11, 1, 9, 0, NY);
    expect(new Date(fall).toISOString()).toBe('2026-11-01T14:00:00.000Z');
  });

  it('a wall time in the skipped hour moves forward; a repeated hour takes the first', () => {
    expect(new Date(fromLocal(2026, 3, 8, 2, 30, NY)).toISOString()).toBe('2026-03-08T07:30:00.000Z'); // 03:30 EDT
    expect(new Date(fromLocal(2026, 11, 1, 1, 30, NY)).toISOString()).toBe('2026-11-01T05:30:00.000Z'); // 01:30 EDT
  });

  it('knows half-hour zones: Tehran is UTC+3:30', () => {
    expect(offsetAt(Date.UTC(2026, 5, 1), 'Asia/Tehran')).toBe(3.5 * 3_600_000);
    expect(new Date(fromLocal(2026, 12, 31, 23, 0, 'Asia/Tehran')).toISOString()).toBe('2026-12-31T19:30:00.000Z');
    expect(localParts(Date.UTC(2026, 11, 31, 21, 0), 'Asia/Tehran')).toMatchObject({ year: 2027, month: 1, day: 1, hour: 0, minute: 30 });
  });

  it('finds the next weekday at a local time, and the next time of day', () => {
    const wed = Date.UTC(2026, 0, 7, 12, 0); // Wednesday 07:00 in New York
    expect(new Date(nextWeekdayAt(wed, ['mon'], NY, '10:00')).toISOString()).toBe('2026-01-12T15:00:00.000Z');
    expect(new Date(nextWeekdayAt(wed, ['wed'], NY, '10:00')).toISOString()).toBe('2026-01-07T15:00:00.000Z');
    expect(new Date(nextTimeOfDay(wed, NY, '06:00')).toISOString()).toBe('2026-01-08T11:00:00.000Z');
  });

  it('a yearly date trigger fires in the contact zone across a year boundary, keyed by the anniversary year', () => {
    const trigger = { type: 'date_attribute' as const, attribute: 'birthday', mode: 'yearly' as const, offsetDays: -3, time: '09:00' };
    // Birthday on 2 January: three days before is 30 December 09:00 Tehran = 05:30Z, for the 2027 birthday.
    const at = Date.UTC(2026, 11, 30, 5, 30);
    expect(dueOccurrence(trigger, '1990-01-02', 'Asia/Tehran', at - 1)).toBeNull();
    expect(dueOccurrence(trigger, '1990-01-02', 'Asia/Tehran', at)).toEqual({ at, key: '2027' });
    expect(dueOccurrence({ ...trigger, offsetDays: 0 }, '1992-02-29', 'UTC', Date.UTC(2027, 1, 28, 9))).toEqual({ at: Date.UTC(2027, 1, 28, 9), key: '2027' });
  });

  it('quiet hours wrap midnight and defer to their local end', () => {
    const q = { start: '21:00', end: '08:00', outcome: 'defer' as const };
    const late = fromLocal(2026, 3, 7, 23, 0, NY);
    const v = checkQuietHours(q, late, NY);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(new Date(v.until).toISOString()).toBe('2026-03-08T12:00:00.000Z'); // 08:00 EDT after spring-forward
    expect(checkQuietHours(q, fromLocal(2026, 3, 7, 12, 0, NY), NY).ok).toBe(true);
  });
});

describe('the formatter cache', () => {
  it('stays bounded when zones come in endless spellings (Intl ignores letter case)', () => {
    const zone = 'america/los_angeles';
    // Spelling n upper-cases the letters at the set bits of n (17 letters: 131,072 spellings).
    const letters = [...zone].map((c, i) => (/[a-z]/.test(c) ? i : -1)).filter((i) => i >= 0);
    const spellings = (n: number) => [...zone].map((c, i) => ((n >> letters.indexOf(i)) & 1 && letters.includes(i) ? c.toUpperCase() : c)).join('');
    for (let n = 0; n < FORMATTER_CACHE_LIMIT + 500; n++) expect(zoneFor(spellings(n), null)).toBe(spellings(n));
    expect(cachedFormatterCount()).toBeLessThanOrEqual(FORMATTER_CACHE_LIMIT);
    expect(localParts(Date.UTC(2026, 0, 1, 12), spellings(FORMATTER_CACHE_LIMIT + 499)).hour).toBe(4);
  });
});
