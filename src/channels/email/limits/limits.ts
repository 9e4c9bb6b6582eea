/**
 * @module What limits a workspace's email (pure: schemas and arithmetic, no database):
 *
 *   - a **throttle** (`{ limit, per }`): at most `limit` sends per second, minute or hour, on a
 *     provider of the list (`providers[i].throttle`) or on recipient domains (`throttles[]` of the
 *     list, `gmail.com` or `*.example.com`). Windows are fixed and aligned to the epoch (a minute's
 *     window starts at :00), the same for every worker;
 *   - a **connection cap** (`connections`): at most this many sends in flight at once, each holding
 *     its SMTP connection or HTTP call, on a provider (`providers[i].connections`) or on a recipient
 *     domain (`throttles[i].connections`), counted across every worker (./slots.ts);
 *   - a **warm-up** (`providers[i].warmup`): a new provider, IP or domain may send `schedule[d]`
 *     marketing messages on day `d` after `startDate` (UTC days), or, without a table,
 *     `firstDay × factor^d` until `days` have passed; then there is no cap. Transactional mail is
 *     never held back by it;
 *   - the **deferral backoff** of a recipient domain after a 4xx (../limits/backoff.ts): its delay,
 *     exponential from `deferralBaseSeconds` and capped at `deferralMaxSeconds` (routing policy),
 *     with jitter.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { domainPattern } from '../routing/rules.js';

export const PER_MS = { second: 1000, minute: 60_000, hour: 3_600_000 } as const;
export const DAY_MS = 86_400_000;

export const throttleSchema = z
  .object({
    limit: z.number().int().min(1).max(1_000_000).describe('Sends allowed per window'),
    per: z.enum(['second', 'minute', 'hour']).describe('The window'),
  })
  .strict();

export const connectionsSchema = z.number().int().min(1).max(10_000).describe('At most this many sends in flight at once (open connections), across every worker');

export const domainThrottleSchema = z
  .object({
    domains: z.array(domainPattern).min(1).max(100).describe('Recipient domains, each counted on its own: exact, or *.example.com for its subdomains together'),
    limit: throttleSchema.shape.limit,
    per: throttleSchema.shape.per,
    connections: connectionsSchema.optional(),
  })
  .strict();

export const warmupSchema = z
  .object({
    startDate: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as 2026-12-01')
      .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'must be a day that exists')
      .describe('Day 1 of the warm-up (UTC)'),
    schedule: z.array(z.number().int().min(0).max(10_000_000)).min(1).max(366).optional().describe("Each day's allowance of marketing sends, day 1 first; after the last day there is no cap"),
    firstDay: z.number().int().min(1).max(10_000_000).default(50).describe("Without a schedule: day 1's allowance"),
    factor: z.number().min(1).max(10).default(1.35).describe('Without a schedule: the growth from one day to the next'),
    days: z.number().int().min(1).max(366).default(30).describe('Without a schedule: how many days the warm-up lasts'),
  })
  .strict();

export type Throttle = z.output<typeof throttleSchema>;
export type DomainThrottle = z.output<typeof domainThrottleSchema>;
export type Warmup = z.output<typeof warmupSchema>;

/** The start of the window `now` falls in. */
export function windowStart(now: number, windowMs: number): number {
  return Math.floor(now / windowMs) * windowMs;
}

export interface WarmupDay {
  /** 1 on the start date (days before it count as day 1). */
  day: number;
  /** Marketing sends allowed today; null once the warm-up is over. */
  allowance: number | null;
  /** The start of today (UTC). */
  dayStart: number;
}

export function warmupDay(w: Warmup, now: number): WarmupDay {
  const start = Date.parse(`${w.startDate}T00:00:00Z`);
  const index = Math.max(0, Math.floor((now - start) / DAY_MS));
  const dayStart = windowStart(now, DAY_MS);
  if (w.schedule) return { day: index + 1, allowance: index < w.schedule.length ? w.schedule[index]! : null, dayStart };
  return { day: index + 1, allowance: index < w.days ? Math.round(w.firstDay * w.factor ** index) : null, dayStart };
}

/** The first domain pattern of the throttles that matches `domain`, with its throttle and connection cap. */
export function domainThrottleOf(throttles: readonly DomainThrottle[], domain: string): { pattern: string; throttle: Throttle; connections: number | null } | null {
  for (const t of throttles) {
    const pattern = t.domains.find((d) => (d.startsWith('*.') ? domain.endsWith(d.slice(1)) : domain === d));
    if (pattern) return { pattern, throttle: { limit: t.limit, per: t.per }, connections: t.connections ?? null };
  }
  return null;
}

/** A number in [0, 1) from a string: jitter that is the same for the same input on every worker. */
export function unitOf(text: string): number {
  return createHash('sha1').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * The wait after the `failures`-th 4xx in a row from a domain: `base × 2^(failures-1)`, capped at
 * `max`, minus up to 20% jitter (so domains deferred together do not come back together).
 */
export function deferralDelayMs(failures: number, baseMs: number, maxMs: number, jitterKey: string): number {
  const raw = Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, failures - 1)));
  return Math.round(raw * (1 - 0.2 * unitOf(`${jitterKey}:${failures}`)));
}
