/**
 * @module The public endpoints of the website snippet (no key header: pages of any site load them):
 *  - `GET /js/qatra.js`: the snippet, cached 5 minutes and revalidated by ETag, so a new version
 *    reaches sites within minutes;
 *  - `GET /js/qatra.<hash>.js`: the same bytes under their content hash, cached for a year
 *    (immutable), for sites that pin a version (with `integrity`); any other hash answers 404;
 *  - `GET /js/settings?writeKey=…`: what the snippet must know before it sends anything (whether the
 *    workspace requires consent). A write key is public (it is in the page); an admin key is refused
 *    (403) so that it is never usable from a browser, an unknown or revoked key answers 401.
 * Every answer, errors included, carries `Access-Control-Allow-Origin: *` and
 * `Cross-Origin-Resource-Policy: cross-origin`: they are read by pages of other origins.
 */
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App, RouteModule } from '../api/deps.js';
import { AuthError, ForbiddenError, NotFoundError } from '../core/errors.js';
import { authenticate } from '../keys/keys.js';
import { loadTrackingSettings } from '../workspaces/tracking.js';
import { loadSnippet, type Snippet } from './snippet-file.js';

const tags = ['tracking'];

/** Read when the app is built, once per app (`file`: another snippet, for tests). */
export function snippetRoutes(file?: string): RouteModule {
  return (app, deps) => {
    const snippet: Snippet = loadSnippet(file);
    void app.register(async (scope: App) => {
      scope.addHook('onSend', async (_request, reply, payload) => {
        reply.header('access-control-allow-origin', '*');
        reply.header('cross-origin-resource-policy', 'cross-origin');
        reply.header('x-content-type-options', 'nosniff');
        return payload;
      });
      const serve = (request: FastifyRequest, reply: FastifyReply, cacheControl: string) => {
        reply.header('cache-control', cacheControl).header('etag', snippet.etag).header('vary', 'accept-encoding');
        if (request.headers['if-none-match'] === snippet.etag) return reply.status(304).send();
        reply.type('text/javascript; charset=utf-8');
        if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(snippet.gzipped);
        return reply.send(snippet.source);
      };
      scope.get('/js/qatra.js', { schema: { tags, summary: 'The website snippet (current version)' } }, (request, reply) => serve(request, reply, 'public, max-age=300'));
      scope.get('/js/:file', { schema: { tags, summary: 'The website snippet under its content hash: /js/qatra.HASH.js', params: z.object({ file: z.string().max(40) }) } }, (request, reply) => {
        if (request.params.file !== `qatra.${snippet.hash}.js`) throw new NotFoundError('snippet version', request.params.file);
        return serve(request, reply, 'public, max-age=31536000, immutable');
      });
      scope.get(
        '/js/settings',
        {
          schema: {
            tags,
            summary: 'What the snippet must know before it sends anything',
            querystring: z.object({ writeKey: z.string().min(1).max(200) }),
            response: { 200: z.object({ consentRequired: z.boolean() }) },
          },
        },
        async (request, reply) => {
          const principal = await authenticate(deps, request.query.writeKey);
          if (!principal) throw new AuthError('unknown or revoked write key');
          if (principal.kind !== 'write') throw new ForbiddenError('an admin key never works from a browser; put a write key in the page');
          const { consentRequired } = await loadTrackingSettings(deps.store.db, principal.workspaceId);
          reply.header('cache-control', 'public, max-age=60');
          return { consentRequired };
        },
      );
    });
  };
}
