import { describe, expect, it } from 'vitest';
import { bestSendTime, hourOfWeek, profile } from './send-time.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Monday 2026-03-02 00:00 UTC.
const MONDAY = Date.UTC(2026, 2, 2);

describe('send-time optimisation', () => {
  it('hour of week is local: Monday 00:00 UTC is Sunday 19:00 in New York and Monday 03:30 in Tehran', () => {
    expect(hourOfWeek(MONDAY, 'UTC')).toBe(0);
    expect(hourOfWeek(MONDAY, 'America/New_York')).toBe(6 * 24 + 19);
    expect(hourOfWeek(MONDAY, 'Asia/Tehran')).toBe(3);
  });

  it("a contact who opens on Wednesdays at 20:00 local is sent Wednesday 20:00 local within a week's window", () => {
    const tz = 'Europe/Berlin';
    // Wednesdays 19:00 UTC = 20:00 Berlin (winter time), for the last 6 weeks.
    const opens = Array.from({ length: 6 }, (_, w) => MONDAY - (w + 1) * 7 * DAY + 2 * DAY + 19 * HOUR);
    const p = profile(opens, tz, MONDAY);
    const choice = bestSendTime({ now: MONDAY, windowMs: 7 * DAY, tz, contact: p, workspace: null });
    expect(choice.source).toBe('contact');
    expect(choice.at).toBe(MONDAY + 2 * DAY + 19 * HOUR);
  });

  it('recent engagement outweighs old engagement', () => {
    const old = Array.from({ length: 4 }, (_, k) => MONDAY - 200 * DAY - k * 7 * DAY + 8 * HOUR); // Mondays 08:00, long ago
    const recent = [MONDAY - 7 * DAY + 18 * HOUR, MONDAY - 14 * DAY + 18 * HOUR]; // Mondays 18:00, lately
    const choice = bestSendTime({ now: MONDAY, windowMs: DAY, tz: 'UTC', contact: profile([...old, ...recent], 'UTC', MONDAY), workspace: null });
    expect(choice.at).toBe(MONDAY + 18 * HOUR);
  });

  it('too little history falls back to the workspace profile, then to the default hour', () => {
    const workspace = profile([MONDAY - 7 * DAY + 13 * HOUR, MONDAY - 14 * DAY + 13 * HOUR], 'UTC', MONDAY);
    const thin = profile([MONDAY - 7 * DAY + 5 * HOUR], 'UTC', MONDAY);
    expect(bestSendTime({ now: MONDAY, windowMs: DAY, tz: 'UTC', contact: thin, workspace })).toEqual({ at: MONDAY + 13 * HOUR, source: 'workspace' });
    expect(bestSendTime({ now: MONDAY, windowMs: 3 * DAY, tz: 'UTC', contact: null, workspace: null })).toEqual({ at: MONDAY + DAY + 10 * HOUR, source: 'default' });
    // The best hour outside the window is not reachable: within 2 h the earliest time wins.
    expect(bestSendTime({ now: MONDAY, windowMs: 2 * HOUR, tz: 'UTC', contact: null, workspace: null }).at).toBe(MONDAY);
  });
});
