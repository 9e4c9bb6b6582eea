/**
 * @module CORS for the ingestion API, so that analytics.js on any site can call /v1 (write keys are
 * public, as in Segment; a key may list the origins it serves, checked in ./browser-key.ts). The
 * hook, the preflight route and the 404 of unknown /v1 paths live in the ingestion routes' own
 * Fastify context (prefix /v1), so nothing here touches the rest of the API.
 *
 * - Every answer to a request with an `Origin` header, errors included (400, 401, 403, 413, 503…),
 *   carries `Access-Control-Allow-Origin: <that origin>` and `Vary: Origin`: without it the page
 *   cannot read the status and analytics.js cannot tell "drop" from "retry".
 * - `OPTIONS /v1/*` is the preflight analytics.js ≥ 1.84 triggers with its `Authorization` header:
 *   204 with the methods and headers it may send, cached by the browser for MAX_AGE_S.
 *
 * No cookies are involved (`Access-Control-Allow-Credentials` is never sent): the key travels in the
 * body or the Authorization header, so echoing the origin grants a page nothing a server could not do.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from '../core/errors.js';

/** How long a browser may reuse a preflight answer (Chromium caps it at 2 hours). */
export const MAX_AGE_S = 7200;
/** What analytics.js sends (Content-Type, Authorization, X-Retry-Count) and common extras. */
const ALLOWED_HEADERS = 'Content-Type, Authorization, X-Retry-Count, X-Requested-With';
/** Headers the page may read: analytics.js honours Retry-After on 429 and 503. */
const EXPOSED_HEADERS = 'Retry-After, X-RateLimit-Reset';
/** A header list as browsers send it in Access-Control-Request-Headers: tokens and commas. */
const HEADER_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;

/** The request's Origin, or null when it has none (a server-side caller) or it is not one value. */
export function originOf(request: FastifyRequest): string | null {
  const origin = request.headers.origin;
  return typeof origin === 'string' && origin.length > 0 && origin.length <= 2048 ? origin : null;
}

function allowOrigin(request: FastifyRequest, reply: FastifyReply): void {
  const origin = originOf(request);
  reply.header('vary', 'Origin');
  if (!origin) return;
  reply.header('access-control-allow-origin', origin);
  reply.header('access-control-expose-headers', EXPOSED_HEADERS);
}

/** Installs the CORS hook, the preflight route and the 404 in `scope` (the ingestion routes' context, prefix /v1). */
export function installBrowserCors(scope: FastifyInstance): void {
  // onRequest runs before authentication and body parsing, so every refusal carries the headers.
  scope.addHook('onRequest', async (request, reply) => allowOrigin(request, reply));
  scope.setNotFoundHandler(async (request) => {
    throw new NotFoundError('route', `${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`);
  });
  scope.options('/*', { schema: { hide: true } }, async (request, reply) => {
    const requested = request.headers['access-control-request-headers'];
    // Echo what the browser asks for (it decides, we only refuse nonsense); our list otherwise.
    const headers = typeof requested === 'string' && requested.length <= 1024 && HEADER_LIST.test(requested) ? requested : ALLOWED_HEADERS;
    return reply.status(204).header('access-control-allow-methods', 'POST, OPTIONS').header('access-control-allow-headers', headers).header('access-control-max-age', String(MAX_AGE_S)).send();
  });
}
