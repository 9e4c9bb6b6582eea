/**
 * @module A provider's throughput limit (messages per second), shared by every worker through the
 * database: `provider_rate (provider_key, second, used)`.
 *
 * `takeRate` takes up to `wanted` tokens of the current second in ONE statement, atomic on both
 * backends (an upsert is one row-locked write on PostgreSQL and one write under SQLite's single
 * writer), so two workers can never both read "room left" and both take it:
 *
 *   INSERT (key, second, ask) ON CONFLICT DO UPDATE SET used = used + ask WHERE used < perSecond
 *   RETURNING used
 *
 * RETURNING shows only the row after the write, but the write always adds exactly `ask`, so the
 * count before it is `used - ask` and the grant is `min(ask, perSecond - before)`: the takers of a
 * second together get exactly `min(perSecond, what they asked)`. No row returned means the second
 * was already full. `used` therefore counts tokens asked for while the second had room (at most
 * `2 × perSecond - 1`), not tokens granted.
 *
 * Old seconds are removed by `pruneRate` (the worker's `provider-rate-prune` task, `ratePruneTask`,
 * at most once a minute), not on every take. Measured (rate-limit.measure.ts, 2 shared CPUs at load
 * 18): PostgreSQL 342 takes/s one at a time, 679 with 8 in flight, 406 with a delete on every take
 * (the delete-on-write design costs 40 %); SQLite 139-147 takes/s either way (each take is one
 * synchronous=FULL commit). One prune of 3,600 rows (10 providers, 6 minutes) takes 14 ms on
 * PostgreSQL and 30 ms on SQLite. A sender therefore takes tokens per batch (`wanted` = the batch),
 * not per message.
 */
import { sql } from 'kysely';
import type { Clock } from '../core/clock.js';
import type { Db } from '../store/store.js';

export interface RateTake {
  /** Which limit: a provider (and account) shared by all workers, e.g. `sms:twilio:AC123`. */
  key: string;
  /** Tokens per second, an integer ≥ 1. */
  perSecond: number;
  /** Tokens this caller would like now (≥ 0). */
  wanted: number;
  /** Epoch ms, from the injectable clock. */
  now: number;
  /**
   * Keep the second's last tenth to its own share: a tenth of `perSecond` (`lastTenthShare`) is
   * granted only in the last 100 ms, the rest only before them. A provider that counts a second by
   * the ARRIVAL of requests (Telegram) then sees at most about a tenth of a budget spill over from
   * the previous second's end, which a budget kept below the limit by a tenth absorbs; unpaced, a
   * second's whole budget could be taken in its last milliseconds and land in the next. The last
   * tenth is a row of its own (`<key>#last`), pruned with its second.
   */
  paced?: boolean;
}

export interface RateGrant {
  /** Tokens taken, 0..wanted. */
  granted: number;
  /** When fewer than wanted were granted: ms until the next second starts (paced, before its last tenth: until that tenth); else 0. */
  retryAfterMs: number;
}

export async function takeRate(db: Db, take: RateTake): Promise<RateGrant> {
  const { wanted, now } = take;
  if (!Number.isInteger(take.perSecond) || take.perSecond < 1) throw new RangeError(`perSecond must be an integer >= 1, got ${take.perSecond}`);
  if (!Number.isInteger(wanted) || wanted < 0) throw new RangeError(`wanted must be an integer >= 0, got ${wanted}`);
  if (wanted === 0) return { granted: 0, retryAfterMs: 0 };
  const second = Math.floor(now / 1000);
  const inLastTenth = now % 1000 >= 900;
  const last = lastTenthShare(take.perSecond);
  // Paced: the first nine tenths share all but the last tenth's share, which has a row of its own.
  const perSecond = !take.paced ? take.perSecond : inLastTenth ? last : take.perSecond - last;
  const key = take.paced && inLastTenth ? `${take.key}#last` : take.key;
  const waitMs = take.paced && !inLastTenth ? 900 - (now % 1000) : 1000 - (now % 1000);
  if (perSecond === 0) return { granted: 0, retryAfterMs: waitMs };
  // More than a second's worth can never be granted; asking for it would only swell `used`.
  const ask = Math.min(wanted, perSecond);
  const { rows } = await sql<{ used: number | string }>`
    INSERT INTO provider_rate (provider_key, second, used) VALUES (${key}, ${second}, ${ask})
    ON CONFLICT (provider_key, second) DO UPDATE SET used = provider_rate.used + excluded.used
    WHERE provider_rate.used < ${perSecond}
    RETURNING used`.execute(db);
  const row = rows[0];
  const granted = row ? Math.min(ask, perSecond - (Number(row.used) - ask)) : 0;
  return { granted, retryAfterMs: granted < wanted ? waitMs : 0 };
}

/** The share of `perSecond` kept for a second's last tenth when paced: a tenth, at least 1 (all of a budget of 1). */
export function lastTenthShare(perSecond: number): number {
  return Math.max(1, perSecond - Math.floor((perSecond * 9) / 10));
}

/** Removes the seconds before `now - keepMs` (default one minute); returns how many rows went. */
export async function pruneRate(db: Db, now: number, keepMs = 60_000): Promise<number> {
  const r = await db
    .deleteFrom('provider_rate')
    .where('second', '<', Math.floor((now - keepMs) / 1000))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** The worker task that prunes old seconds, at most once per `everyMs` (default a minute). */
export function ratePruneTask(deps: { store: { db: Db }; clock: Clock }, everyMs = 60_000): { name: string; tick(): Promise<number> } {
  let last = -Infinity;
  return {
    name: 'provider-rate-prune',
    async tick() {
      const now = deps.clock.now();
      if (now - last < everyMs) return 0;
      last = now;
      return pruneRate(deps.store.db, now);
    },
  };
}

/**
 * One token each for many keys of the same `perSecond` limit, in ONE statement (a per-recipient
 * limit such as Telegram's one message a second per chat: a batch of sends asks for a key each).
 * The same upsert as `takeRate` with a row per key, so the same atomicity; a key asked twice in one
 * call is granted at most once. Answers the keys granted.
 */
export async function takeEach(db: Db, take: { keys: readonly string[]; perSecond: number; now: number }): Promise<Set<string>> {
  const { perSecond, now } = take;
  if (!Number.isInteger(perSecond) || perSecond < 1) throw new RangeError(`perSecond must be an integer >= 1, got ${perSecond}`);
  const keys = [...new Set(take.keys)];
  if (keys.length === 0) return new Set();
  const second = Math.floor(now / 1000);
  const values = sql.join(keys.map((k) => sql`(${k}, ${second}, 1)`));
  const { rows } = await sql<{ provider_key: string }>`
    INSERT INTO provider_rate (provider_key, second, used) VALUES ${values}
    ON CONFLICT (provider_key, second) DO UPDATE SET used = provider_rate.used + excluded.used
    WHERE provider_rate.used < ${perSecond}
    RETURNING provider_key`.execute(db);
  return new Set(rows.map((r) => r.provider_key));
}
