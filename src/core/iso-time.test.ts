import { describe, expect, it } from 'vitest';
import { parseIsoTime } from './iso-time.js';

describe('parseIsoTime', () => {
  it('reads the ISO 8601 forms Segment libraries send, as epoch ms (no offset = UTC)', () => {
    expect(parseIsoTime('2026-01-05T12:00:00Z')).toBe(Date.UTC(2026, 0, 5, 12));
    expect(parseIsoTime('2026-01-05T12:00:00.123Z')).toBe(Date.UTC(2026, 0, 5, 12, 0, 0, 123));
    expect(parseIsoTime('2026-01-05T12:00:00.123456+00:00')).toBe(Date.UTC(2026, 0, 5, 12, 0, 0, 123));
    expect(parseIsoTime('2026-01-05T12:00:00+02:00')).toBe(Date.UTC(2026, 0, 5, 10));
    expect(parseIsoTime('2026-01-05T12:00:00-0530')).toBe(Date.UTC(2026, 0, 5, 17, 30));
    expect(parseIsoTime('2026-01-05 12:00')).toBe(Date.UTC(2026, 0, 5, 12));
    expect(parseIsoTime('2026-01-05')).toBe(Date.UTC(2026, 0, 5));
    expect(parseIsoTime('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    expect(parseIsoTime('2000-02-29')).toBe(Date.UTC(2000, 1, 29));
    expect(parseIsoTime('0050-06-01')).toBe(new Date('0050-06-01T00:00:00Z').getTime());
  });

  it('refuses dates that do not exist and times of day that are not ones, which Date.parse rolls over', () => {
    for (const text of [
      '2026-02-30',
      '2026-02-29T00:00:00Z',
      '1900-02-29',
      '2026-04-31T10:00:00Z',
      '2026-13-01',
      '2026-00-10',
      '2026-01-00',
      '2026-01-05T24:00:00Z',
      '2026-01-05T23:60:00Z',
      '2026-01-05T23:59:60Z',
      '2026-01-05T12:00:00+19:00',
      '2026-01-05T12:00:00+05:75',
      'Feb 3 2026',
      '1',
      '',
      '2026-1-5',
      '2026-01-05T12',
      ' 2026-01-05',
      '2026-01-05Z',
    ]) {
      expect(parseIsoTime(text), text).toBeNull();
    }
  });
});
