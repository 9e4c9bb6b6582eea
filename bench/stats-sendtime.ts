/**
 * @module Send-time optimisation simulation (no database). A synthetic population of 5,000 contacts
 * in six time zones, each with a known preferred local hour of day (drawn from a morning, a lunch
 * and an evening peak). The response model, which is an assumption and drives the result: a message
 * that arrives at local hour h is opened with probability 0.08 + 0.30·exp(−d²/8), d = the distance
 * in hours between h and the preferred hour (a person sees mail that arrives when they usually read
 * it). History: 8 weekly mails at random times; each human open happens at the preferred hour (± 1
 * h) within 2 days of arrival, with the model's probability. 20 % of contacts have no history (they
 * get the workspace profile). Then one mail: sent to everyone at a fixed 10:00 UTC, or at each
 * contact's best time within 24 h (src/stats/send-time.ts). Expected opens (sum of probabilities)
 * are compared; seeded, so every run gives the same numbers.
 */
import { addProfiles, bestSendTime, hourOfWeek, profile, HOURS_PER_WEEK } from '../src/stats/send-time.js';
import { seededRandom } from '../src/stats/probability.js';
import { figure, type Figure } from './run.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ZONES = ['UTC', 'Europe/Berlin', 'Asia/Tehran', 'America/New_York', 'Asia/Dubai', 'America/Los_Angeles'];
const PEAKS = [8, 13, 21];

const openProbability = (localHour: number, preferred: number) => {
  const d = Math.min(Math.abs(localHour - preferred), 24 - Math.abs(localHour - preferred));
  return 0.08 + 0.3 * Math.exp((-d * d) / 8);
};

export function simulateSendTime(contacts = 5000): Figure[] {
  const rand = seededRandom(42);
  const now = Date.UTC(2026, 2, 2, 10); // Monday 10:00 UTC
  const people = Array.from({ length: contacts }, () => {
    const tz = ZONES[Math.floor(rand() * ZONES.length)]!;
    const preferred = (PEAKS[Math.floor(rand() * PEAKS.length)]! + Math.round((rand() - 0.5) * 4) + 24) % 24;
    const opens: number[] = [];
    if (rand() >= 0.2) {
      for (let w = 1; w <= 8; w++) {
        const arrival = now - w * 7 * 24 * HOUR + Math.floor(rand() * 7 * 24) * HOUR;
        if (rand() >= openProbability(hourOfWeek(arrival, tz) % 24, preferred)) continue;
        // The next time it is the preferred hour locally, ± 1 h, within 2 days.
        for (let t = arrival; t < arrival + 2 * DAY; t += HOUR) {
          if (hourOfWeek(t, tz) % 24 === preferred) {
            opens.push(t + Math.round((rand() - 0.5) * 2) * HOUR);
            break;
          }
        }
      }
    }
    return { tz, preferred, p: profile(opens, tz, now) };
  });
  const workspace: Float64Array = new Float64Array(HOURS_PER_WEEK);
  for (const x of people) addProfiles(workspace, x.p);
  let fixed = 0;
  let optimised = 0;
  for (const x of people) {
    fixed += openProbability(hourOfWeek(now, x.tz) % 24, x.preferred);
    const choice = bestSendTime({ now, windowMs: 24 * HOUR, tz: x.tz, contact: x.p, workspace });
    optimised += openProbability(hourOfWeek(choice.at, x.tz) % 24, x.preferred);
  }
  return [figure({ bench: 'stats', backend: 'none', figure: 'sto_expected_opens_per_1000', value: (optimised / contacts) * 1000, unit: 'opens', baseline: (fixed / contacts) * 1000 })];
}
