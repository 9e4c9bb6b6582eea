/**
 * @module API key authentication. Like Segment: HTTP Basic with the key as the user name (password
 * empty), or `Authorization: Bearer KEY`. Write keys reach only ingestion; admin keys reach both.
 * Where an admin key is required, a web app session cookie is accepted instead: then the user's
 * role decides (src/users/roles.ts) and state-changing requests must carry the session's CSRF token.
 */
import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import { AuthError, ForbiddenError } from '../core/errors.js';
import { authenticate, type KeyKind, type KeyPrincipal } from '../keys/keys.js';
import type { ServiceDeps } from '../core/deps.js';
import { CSRF_HEADER, csrfMatches, sessionOf, type SessionPrincipal } from '../users/sessions.js';
import { allows, permissionFor } from '../users/roles.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: KeyPrincipal | SessionPrincipal | null;
  }
}

export function presentedKey(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme, value] = header.split(' ', 2) as [string, string | undefined];
  if (!value) return null;
  if (/^bearer$/i.test(scheme)) return value.trim() || null;
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const user = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
    return user || null;
  }
  return null;
}

/** An onRequest hook that requires a key of `kind` (admin keys also pass where write is required). */
export function requireKey(deps: ServiceDeps, kind: KeyKind): onRequestHookHandler {
  return async (request: FastifyRequest) => {
    const secret = presentedKey(request.headers.authorization);
    if (!secret && kind === 'admin') {
      const session = await sessionOf(deps, request);
      if (session) {
        authorizeSession(session, request);
        request.principal = session;
        return;
      }
    }
    if (!secret) throw new AuthError('missing API key: use HTTP Basic with the key as user name, or Authorization: Bearer KEY');
    const principal = await authenticate(deps, secret);
    if (!principal) throw new AuthError('unknown or revoked API key');
    if (kind === 'admin' && principal.kind !== 'admin') throw new ForbiddenError('this endpoint needs an admin key; a write key only reaches /v1 ingestion');
    request.principal = principal;
  };
}

/** A session's role must allow the request, and a state-changing request must echo the CSRF token. */
function authorizeSession(session: SessionPrincipal, request: FastifyRequest): void {
  const permission = permissionFor(request.method, request.routeOptions.url ?? request.url.split('?')[0]!);
  // Reads need no token, except the reads kept for editors and admins; 'member' routes check roles themselves.
  if ((permission !== 'read' && permission !== 'member') || !['GET', 'HEAD', 'OPTIONS'].includes(request.method)) {
    if (!csrfMatches(session, request)) throw new ForbiddenError(`missing or wrong ${CSRF_HEADER} header; the app sends the token from /api/auth/session`);
  }
  if (!allows(session.role, permission)) throw new ForbiddenError(`your role (${session.role}) may not do this; it needs ${permission === 'edit' ? 'editor' : 'admin'} rights`);
}

/** Who made the request, for audit rows: the API key's id, or the signed-in user's id. */
export function actorOf(request: FastifyRequest): string | null {
  const p = request.principal;
  if (!p) return null;
  return p.kind === 'session' ? p.userId : p.keyId;
}

/** The authenticated workspace of a request that passed `requireKey`. */
export function workspaceOf(request: FastifyRequest): string {
  if (!request.principal) throw new AuthError('not authenticated');
  return request.principal.workspaceId;
}
