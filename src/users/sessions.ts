/**
 * @module Sign-in sessions. The cookie holds a 256-bit random token (HttpOnly, SameSite=Lax, Secure
 * when the public URL is https); the database keeps its SHA-256, the user, the workspace and a CSRF
 * token the app must echo in `X-CSRF-Token` on state-changing requests (OWASP CSRF Cheat Sheet:
 * synchronizer token; SameSite=Lax is the second layer). Sessions last 14 days; signing out
 * everywhere deletes all of a user's sessions, so every other browser is refused on its next request.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceDeps } from '../core/deps.js';
import { newSecret } from '../core/ids.js';
import { hashSecret } from '../keys/keys.js';
import { roleOf } from './users.js';
import { NotFoundError } from '../core/errors.js';
import type { Role } from './tables.js';

export const SESSION_COOKIE = 'qatra_session';
export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_TTL_MS = 14 * 24 * 3600_000;

export interface SessionPrincipal {
  kind: 'session';
  userId: string;
  workspaceId: string;
  role: Role;
  csrfToken: string;
  tokenHash: string;
}

/** A cookie's value, or null when absent, empty or not valid percent-encoding (then it cannot be ours). */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim()) || null;
      } catch {
        return null; // URIError: `%E0%A4%A` would otherwise be a 500 on every admin route
      }
    }
  }
  return null;
}

/**
 * True when the request's X-CSRF-Token header is the session's token. Constant-time: both sides
 * are hashed to 32 bytes and compared with timingSafeEqual, so neither a matching prefix nor the
 * length shows in the time taken. A missing or repeated header never matches.
 */
export function csrfMatches(session: SessionPrincipal, request: FastifyRequest): boolean {
  const presented = request.headers[CSRF_HEADER];
  const digest = (text: string) => createHash('sha256').update(text).digest();
  const same = timingSafeEqual(digest(typeof presented === 'string' ? presented : ''), digest(session.csrfToken));
  return same && typeof presented === 'string' && presented !== '';
}

export async function createSession(deps: ServiceDeps, userId: string, workspaceId: string): Promise<{ token: string; csrfToken: string; expiresAt: number }> {
  const now = deps.clock.now();
  const token = newSecret(32);
  const csrfToken = newSecret(24);
  const expiresAt = now + SESSION_TTL_MS;
  await deps.store.db
    .insertInto('user_sessions')
    .values({ token_hash: hashSecret(token), user_id: userId, workspace_id: workspaceId, csrf_token: csrfToken, created_at: now, expires_at: expiresAt })
    .execute();
  return { token, csrfToken, expiresAt };
}

/** The session a request's cookie names, with the user's current role; null when absent or over. */
export async function sessionOf(deps: ServiceDeps, request: FastifyRequest): Promise<SessionPrincipal | null> {
  const token = readCookie(request.headers.cookie, SESSION_COOKIE);
  if (!token) return null;
  const tokenHash = hashSecret(token);
  const row = await deps.store.db.selectFrom('user_sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  if (!row || row.expires_at <= deps.clock.now()) return null;
  const role = await roleOf(deps, row.workspace_id, row.user_id);
  if (!role) return null;
  return { kind: 'session', userId: row.user_id, workspaceId: row.workspace_id, role, csrfToken: row.csrf_token, tokenHash };
}

/**
 * Moves a session to another workspace of its user (the web app's switcher): the same cookie and
 * CSRF token, so no new sign-in. A workspace the user is not a member of is not found, whether or
 * not it exists.
 */
export async function switchWorkspace(deps: ServiceDeps, session: SessionPrincipal, workspaceId: string): Promise<void> {
  if (!(await roleOf(deps, workspaceId, session.userId))) throw new NotFoundError('workspace', workspaceId);
  await deps.store.db.updateTable('user_sessions').set({ workspace_id: workspaceId }).where('token_hash', '=', session.tokenHash).execute();
}

export async function endSession(deps: ServiceDeps, tokenHash: string): Promise<void> {
  await deps.store.db.deleteFrom('user_sessions').where('token_hash', '=', tokenHash).execute();
}

export async function endAllSessions(deps: ServiceDeps, userId: string): Promise<number> {
  const r = await deps.store.db.deleteFrom('user_sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export function setSessionCookie(reply: FastifyReply, token: string, expiresAt: number, secure: boolean, now: number): void {
  const maxAge = Math.max(0, Math.floor((expiresAt - now) / 1000));
  reply.header('set-cookie', `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? '; Secure' : ''}`);
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure ? '; Secure' : ''}`);
}
