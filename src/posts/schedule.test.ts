import { describe, expect, it } from 'vitest';
import { instantOf, localLabel, occurrences } from './schedule.js';

describe('post series schedules', () => {
  it('every Tuesday 10:00 Asia/Tehran for 8 weeks is eight Tuesdays at 06:30 UTC (Tehran keeps +03:30 all year)', () => {
    const at = occurrences({ weekdays: ['tue'], time: '10:00', startsOn: '2026-01-05', count: 8 }, 'Asia/Tehran');
    expect(at).toHaveLength(8);
    expect(new Date(at[0]!).toISOString()).toBe('2026-01-06T06:30:00.000Z');
    expect(new Date(at[7]!).toISOString()).toBe('2026-02-24T06:30:00.000Z');
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBe(7 * 86_400_000);
    expect(at.map((t) => localLabel(t, 'Asia/Tehran').slice(11))).toEqual(Array(8).fill('10:00'));
  });

  it('an end date bounds the recurrence, and local time holds across a DST change (Europe/Berlin, 29 March 2026)', () => {
    const at = occurrences({ weekdays: ['mon', 'fri'], time: '09:00', startsOn: '2026-03-20', until: '2026-03-31' }, 'Europe/Berlin');
    expect(at.map((t) => localLabel(t, 'Europe/Berlin'))).toEqual(['2026-03-20 09:00', '2026-03-23 09:00', '2026-03-27 09:00', '2026-03-30 09:00']);
    expect(new Date(at[2]!).toISOString()).toBe('2026-03-27T08:00:00.000Z');
    expect(new Date(at[3]!).toISOString()).toBe('2026-03-30T07:00:00.000Z');
  });

  it('a dated post is read in the series zone', () => {
    expect(new Date(instantOf('2026-02-01T21:15', 'Asia/Tehran')).toISOString()).toBe('2026-02-01T17:45:00.000Z');
  });
});
