/**
 * @module Signing in with email and password, rate limited: after 10 failures in 15 minutes for an
 * address, or 50 for a client IP, sign-in is refused (429) until the window has moved on. Failures
 * are kept in the database so the limit holds across processes. (OWASP Authentication Cheat Sheet:
 * throttle per account and per source; answer the same for unknown addresses and wrong passwords.)
 */
import type { ServiceDeps } from '../core/deps.js';
import { AuthError } from '../core/errors.js';
import { decoyHash, verifyPassword } from './passwords.js';
import { normaliseEmail } from './users.js';

export const LOGIN_WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES_PER_EMAIL = 10;
export const MAX_FAILURES_PER_IP = 50;

export type LoginResult =
  | { outcome: 'ok'; userId: string; workspaceId: string }
  | { outcome: 'rate_limited'; retryAfterSeconds: number };

async function failuresSince(deps: ServiceDeps, subject: string, since: number): Promise<{ count: number; oldest: number | null }> {
  const row = await deps.store.db
    .selectFrom('login_failures')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min('at').as('oldest')])
    .where('subject', '=', subject)
    .where('at', '>', since)
    .executeTakeFirst();
  return { count: Number(row?.n ?? 0), oldest: row?.oldest == null ? null : Number(row.oldest) };
}

export async function login(deps: ServiceDeps, input: { email: string; password: string; ip: string }): Promise<LoginResult> {
  const now = deps.clock.now();
  const email = normaliseEmail(input.email);
  const since = now - LOGIN_WINDOW_MS;
  const subjects: [string, number][] = [[`email:${email}`, MAX_FAILURES_PER_EMAIL], [`ip:${input.ip}`, MAX_FAILURES_PER_IP]];
  for (const [subject, max] of subjects) {
    const f = await failuresSince(deps, subject, since);
    if (f.count >= max) return { outcome: 'rate_limited', retryAfterSeconds: Math.max(1, Math.ceil(((f.oldest ?? now) + LOGIN_WINDOW_MS - now) / 1000)) };
  }
  const user = await deps.store.db.selectFrom('users').select(['id', 'password_hash']).where('email', '=', email).executeTakeFirst();
  const ok = await verifyPassword(input.password, user?.password_hash ?? (await decoyHash()));
  const membership = user && ok
    ? await deps.store.db.selectFrom('workspace_members').select('workspace_id').where('user_id', '=', user.id).orderBy('created_at').executeTakeFirst()
    : undefined;
  if (!user || !ok || !membership) {
    await deps.store.db.insertInto('login_failures').values(subjects.map(([subject]) => ({ subject, at: now }))).execute();
    // Old failures are of no further use; dropping them here keeps the table small without a task.
    await deps.store.db.deleteFrom('login_failures').where('at', '<=', since).execute();
    throw new AuthError('wrong email or password');
  }
  return { outcome: 'ok', userId: user.id, workspaceId: membership.workspace_id };
}
