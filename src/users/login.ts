/**
 * @module Signing in with email and password, rate limited in three ways (OWASP Authentication
 * Cheat Sheet: throttle per account and per source, answer the same for unknown addresses and wrong
 * passwords, and prefer slowing down to locking an account for everyone):
 *  - per address and client IP: after 10 failures in 15 minutes that IP may not try that address
 *    again until the window has moved on (429);
 *  - per client IP: after 50 failures in 15 minutes, over all addresses, that IP is refused (429);
 *  - per address over all IPs: no lockout but a growing wait. The first 5 failures cost nothing;
 *    after the nth failure the next attempt must wait `accountDelayMs(n)` (1 s, 2 s, 4 s … at most
 *    30 s) after the latest one, else 429 with Retry-After. An attacker hammering from a few IPs
 *    soon meets their own hard limit and stops adding to the wait, so the owner, from another IP,
 *    gets in after at most 30 s; a spread-out attacker is held to one guess per 30 s.
 *
 * Attempts are *reserved* before the password is verified: in one short transaction the counts are
 * read and, when within the limits, the attempt is inserted as a failure (one row per subject in
 * `login_failures`). Only then does scrypt run; a success deletes its rows again. The transaction is
 * serialised per address and per IP (PostgreSQL: transaction-scoped advisory locks taken in a fixed
 * order; SQLite: BEGIN IMMEDIATE holds the file's write lock), so N concurrent attempts, from any
 * number of processes, cannot all read "0 failures" and all be verified.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { ServiceDeps } from '../core/deps.js';
import { AuthError } from '../core/errors.js';
import type { Db } from '../store/store.js';
import { decoyHash, verifyPassword } from './passwords.js';
// users.ts's normaliseEmail is this function; imported from core so that users.ts may use checkPassword.
import { emailKey as normaliseEmail } from '../core/email-address.js';

export const LOGIN_WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES_PER_ACCOUNT_IP = 10;
export const MAX_FAILURES_PER_IP = 50;
/** Failures of an address (over all IPs) in the window before each attempt must wait. */
export const FREE_FAILURES_PER_ACCOUNT = 5;
export const MAX_ACCOUNT_DELAY_MS = 30_000;

export type LoginResult = { outcome: 'ok'; userId: string; workspaceId: string } | { outcome: 'rate_limited'; retryAfterSeconds: number };

/** The wait an address requires after its latest attempt, given its failures in the window. */
export function accountDelayMs(failures: number): number {
  if (failures < FREE_FAILURES_PER_ACCOUNT) return 0;
  return Math.min(MAX_ACCOUNT_DELAY_MS, 1000 * 2 ** (failures - FREE_FAILURES_PER_ACCOUNT));
}

interface Subjects {
  account: string;
  pair: string;
  ip: string;
}

function subjectsOf(email: string, ip: string): Subjects {
  // The IP comes last and holds no '|', so the pair subject is unambiguous whatever the address holds.
  return { account: `email:${email}`, pair: `email_ip:${email}|${ip}`, ip: `ip:${ip}` };
}

async function failuresSince(db: Db, subject: string, since: number): Promise<{ count: number; oldest: number; latest: number }> {
  const row = await db
    .selectFrom('login_failures')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('at').as('oldest'), eb.fn.max('at').as('latest')])
    .where('subject', '=', subject)
    .where('at', '>', since)
    .executeTakeFirst();
  return { count: Number(row?.n ?? 0), oldest: Number(row?.oldest ?? 0), latest: Number(row?.latest ?? 0) };
}

/** A 64-bit advisory lock key per subject (a hash, so any text maps to one). */
function lockKey(subject: string): bigint {
  return createHash('sha256').update(`qatra-login:${subject}`).digest().readBigInt64BE(0);
}

type Reservation = { ok: true; ids: number[] } | { ok: false; retryAfterMs: number };

/** Checks the three limits and, when all allow it, records the attempt as a failure, atomically. */
async function reserveAttempt(deps: ServiceDeps, s: Subjects, now: number): Promise<Reservation> {
  const since = now - LOGIN_WINDOW_MS;
  return deps.store.transaction(async (trx) => {
    await deps.store.adapter.lockKeys(trx, [lockKey(s.account), lockKey(s.ip)]);
    const pair = await failuresSince(trx, s.pair, since);
    if (pair.count >= MAX_FAILURES_PER_ACCOUNT_IP) return { ok: false, retryAfterMs: pair.oldest + LOGIN_WINDOW_MS - now };
    const ip = await failuresSince(trx, s.ip, since);
    if (ip.count >= MAX_FAILURES_PER_IP) return { ok: false, retryAfterMs: ip.oldest + LOGIN_WINDOW_MS - now };
    const account = await failuresSince(trx, s.account, since);
    const wait = account.count === 0 ? 0 : account.latest + accountDelayMs(account.count) - now;
    if (wait > 0) return { ok: false, retryAfterMs: wait };
    const rows = await trx
      .insertInto('login_failures')
      .values([s.account, s.pair, s.ip].map((subject) => ({ subject, at: now })))
      .returning('id')
      .execute();
    return { ok: true, ids: rows.map((r) => Number(r.id)) };
  });
}

export async function login(deps: ServiceDeps, input: { email: string; password: string; ip: string }): Promise<LoginResult> {
  const result = await checkPassword(deps, input, true);
  return result.outcome === 'ok' ? { outcome: 'ok', userId: result.userId, workspaceId: result.workspaceId! } : result;
}

/**
 * The rate-limited password check of sign-in, also used when an existing account accepts an
 * invitation into another workspace (./users.ts): a setup link must not become a way around the
 * limits. With `needsMembership`, an account that belongs to no workspace fails like a wrong password.
 */
export async function checkPassword(
  deps: ServiceDeps,
  input: { email: string; password: string; ip: string },
  needsMembership: boolean,
): Promise<{ outcome: 'ok'; userId: string; workspaceId: string | null } | { outcome: 'rate_limited'; retryAfterSeconds: number }> {
  const now = deps.clock.now();
  const email = normaliseEmail(input.email);
  const reservation = await reserveAttempt(deps, subjectsOf(email, input.ip), now);
  if (!reservation.ok) return { outcome: 'rate_limited', retryAfterSeconds: Math.max(1, Math.ceil(reservation.retryAfterMs / 1000)) };
  const user = await deps.store.db.selectFrom('users').select(['id', 'password_hash']).where('email', '=', email).executeTakeFirst();
  const ok = await verifyPassword(input.password, user?.password_hash ?? (await decoyHash()));
  // The first workspace joined that is not archived (docs/workspaces.md), else the first joined.
  const membership =
    user && ok
      ? await deps.store.db
          .selectFrom('workspace_members as m')
          .innerJoin('workspaces as w', 'w.id', 'm.workspace_id')
          .select('m.workspace_id')
          .where('m.user_id', '=', user.id)
          .orderBy(sql`case when w.archived_at is null then 0 else 1 end`)
          .orderBy('m.created_at')
          .executeTakeFirst()
      : undefined;
  if (!user || !ok || (needsMembership && !membership)) {
    // The reservation stays as the failure. Old failures are of no further use; dropping them here
    // keeps the table small without a task.
    await deps.store.db
      .deleteFrom('login_failures')
      .where('at', '<=', now - LOGIN_WINDOW_MS)
      .execute();
    throw new AuthError('wrong email or password');
  }
  await deps.store.db.deleteFrom('login_failures').where('id', 'in', reservation.ids).execute();
  return { outcome: 'ok', userId: user.id, workspaceId: membership?.workspace_id ?? null };
}
