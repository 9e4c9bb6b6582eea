/**
 * @module Serves the built web app (web/, built by `npm run build` into dist-web/) at /app. Files
 * under /app/assets/ have content hashes in their names and are cached for a year; any other path
 * under /app gets index.html, so the app's own routes survive a reload. The app itself talks to the
 * server only through /api, with a session cookie (src/users/).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';
import type { RouteModule } from '../api/deps.js';

/** dist-web/ at the package root, from src/web (tests, tsx) and from dist/web (built) alike. */
export const WEB_DIST_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist-web');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

// Email previews render in sandboxed srcdoc frames, which inherit this policy: they may show remote
// images and inline styles but run no script.
const CSP = "default-src 'self'; img-src * data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'";

export function webAppRoutes(dir: string = WEB_DIST_DIR): RouteModule {
  return (app) => {
    const send = async (reply: FastifyReply, relative: string) => {
      const file = path.resolve(dir, relative);
      // Never leave the build directory, whatever the URL says.
      const inside = file.startsWith(dir + path.sep);
      const found = inside && (await stat(file).catch(() => null))?.isFile();
      reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'same-origin');
      if (found && relative.startsWith('assets/')) {
        reply.header('cache-control', 'public, max-age=31536000, immutable');
        return reply.type(TYPES[path.extname(file)] ?? 'application/octet-stream').send(await readFile(file));
      }
      if (found && !relative.endsWith('.html')) return reply.type(TYPES[path.extname(file)] ?? 'application/octet-stream').send(await readFile(file));
      const index = await readFile(path.join(dir, 'index.html')).catch(() => null);
      if (!index) return reply.status(503).type('text/plain; charset=utf-8').send('The web app is not built. Run `npm run build` (npm install does it too).');
      return reply.header('cache-control', 'no-cache').header('content-security-policy', CSP).header('x-frame-options', 'DENY').type(TYPES['.html']!).send(index);
    };
    // People type the host name; the app is what they want there.
    app.get('/', { schema: { hide: true } }, (_request, reply) => reply.redirect('/app/'));
    app.get('/app', { schema: { hide: true } }, (_request, reply) => send(reply, 'index.html'));
    app.get('/app/*', { schema: { hide: true } }, (request, reply) => send(reply, (request.params as { '*'?: string })['*'] ?? ''));
  };
}
