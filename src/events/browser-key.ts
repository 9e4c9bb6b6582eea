/**
 * @module Who sends a /v1 call: the write key, from the `Authorization` header (HTTP Basic user
 * name or Bearer, as Segment's server libraries send it) or from the body's `writeKey` (as
 * analytics.js sends it: 1.83 and earlier only there, in a `text/plain` body without a preflight).
 *
 * A key in the header is checked in `onRequest`, before the body is read; a key only in the body
 * once the body is parsed (`preValidation`), before the body is validated or anything is stored.
 * When both are given the header decides.
 *
 * A key of an archived workspace (docs/workspaces.md) is refused with 403, whoever sends it.
 *
 * Then the browser rules (docs/ingestion.md, "From a browser"):
 *  - an admin key is refused with 403 when the request comes from a browser (it has an `Origin`
 *    header) or names the key in its body: a key published in a page is public, and an admin key
 *    must never work there. Servers may still send calls with an admin key in the header;
 *  - a write key that lists its origins (src/keys/origins.ts) is refused with 403 from any other
 *    origin. A request without an `Origin` header is a server's, and origins do not restrict it
 *    (any client can forge the header; the list only keeps other sites' pages off the key).
 */
import type { FastifyRequest, preValidationHookHandler, onRequestHookHandler } from 'fastify';
import { AuthError, ForbiddenError } from '../core/errors.js';
import type { ServiceDeps } from '../core/deps.js';
import { authenticate, type KeyPrincipal } from '../keys/keys.js';
import { originAllowed } from '../keys/origins.js';
import { originOf } from './browser-cors.js';

const MISSING = 'missing write key: send it as the HTTP Basic user name, as Authorization: Bearer KEY, or as "writeKey" in the JSON body';

/** Reads the key from an Authorization header (src/api/auth.ts: Basic user name or Bearer), or null. */
export type HeaderKeyReader = (authorization: string | undefined) => string | null;

/** The two hooks of an ingestion route: the header key before the body is read, the body key after. */
export function ingestKey(deps: ServiceDeps, headerKey: HeaderKeyReader): { onRequest: onRequestHookHandler; preValidation: preValidationHookHandler } {
  return {
    onRequest: async (request) => {
      const secret = headerKey(request.headers.authorization);
      if (secret) request.principal = admit(request, await authenticate(deps, secret), false);
    },
    preValidation: async (request) => {
      if (request.principal) return;
      const secret = bodyKey(request.body);
      if (!secret) throw new AuthError(MISSING);
      request.principal = admit(request, await authenticate(deps, secret), true);
    },
  };
}

/** The body's `writeKey`, when it is a plausible key (a string of sensible length). */
function bodyKey(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const key = (body as { writeKey?: unknown }).writeKey;
  return typeof key === 'string' && key.length > 0 && key.length <= 200 ? key : null;
}

function admit(request: FastifyRequest, principal: KeyPrincipal | null, inBody: boolean): KeyPrincipal {
  if (!principal) throw new AuthError('unknown or revoked write key');
  if (principal.workspaceArchived) {
    throw new ForbiddenError(`workspace ${principal.workspaceId} is archived: its keys ingest nothing until an owner unarchives it (its data is kept)`);
  }
  const origin = originOf(request);
  if (principal.kind === 'admin' && (origin !== null || inBody)) {
    throw new ForbiddenError('an admin key never works from a browser or in a request body: use a write key (and revoke this admin key if it was published in a page)');
  }
  if (origin !== null && !originAllowed(principal.allowedOrigins ?? null, origin)) {
    throw new ForbiddenError(`this write key does not allow the origin ${origin.slice(0, 200)}; add it to the key's allowed origins`);
  }
  return principal;
}
