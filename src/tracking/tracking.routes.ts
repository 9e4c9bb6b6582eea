/**
 * @module Public tracking endpoints (no key: they are reached from inside emails).
 *  - `GET /c/:token` → 302 to the link the message really contained, recording `email.clicked`;
 *  - `GET /o/:token.gif` → a 1×1 transparent GIF, recording `email.opened`;
 *  - `GET /s/:token` → 302 to the link an SMS really contained, recording `sms.clicked` (the short
 *    signed tokens of src/channels/sms/short-links.ts).
 * A malformed, unknown or tampered token answers 404 and records nothing. A link to a host the workspace
 * listed for click ids leads there with `qatra_cid` appended (./click-destination.ts).
 */
import { z } from 'zod';
import type { RouteModule } from '../api/deps.js';
import { NotFoundError } from '../core/errors.js';
import { recordClick, recordOpen, resolveShortLink, resolveToken } from './record.js';
import { clickDestination } from './click-destination.js';

/** The smallest transparent GIF (43 bytes). */
export const PIXEL_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

export const trackingRoutes: RouteModule = (app, deps) => {
  const secrets = new Map<string, string>();
  const token = z.object({ token: z.string().max(100) });

  app.get('/c/:token', { schema: { tags: ['tracking'], summary: 'Click redirect (from emails)', params: token } }, async (request, reply) => {
    const m = await resolveToken(deps.store, request.params.token, 'click', secrets);
    const target = m && m.linkIndex !== undefined ? await recordClick(deps, m, m.linkIndex, { userAgent: request.headers['user-agent'], ip: request.ip, now: deps.clock.now() }) : null;
    if (!target) throw new NotFoundError('link', request.params.token);
    reply.header('cache-control', 'no-store');
    reply.header('referrer-policy', 'no-referrer');
    return reply.redirect(await clickDestination(deps.store, m!, target, deps.clock.now(), secrets), 302);
  });

  app.get('/s/:token', { schema: { tags: ['tracking'], summary: 'Short link redirect (from SMS)', params: token } }, async (request, reply) => {
    const m = await resolveShortLink(deps.store, request.params.token, secrets);
    const target = m ? await recordClick(deps, m.message, m.linkIndex, { userAgent: request.headers['user-agent'], ip: request.ip, now: deps.clock.now() }) : null;
    if (!target) throw new NotFoundError('link', request.params.token);
    reply.header('cache-control', 'no-store');
    reply.header('referrer-policy', 'no-referrer');
    return reply.redirect(await clickDestination(deps.store, m!.message, target, deps.clock.now(), secrets), 302);
  });

  app.get('/o/:file', { schema: { tags: ['tracking'], summary: 'Open pixel (from emails): /o/TOKEN.gif', params: z.object({ file: z.string().max(104) }) } }, async (request, reply) => {
    const name = request.params.file;
    const m = name.endsWith('.gif') ? await resolveToken(deps.store, name.slice(0, -4), 'open', secrets) : null;
    if (!m) throw new NotFoundError('pixel', name);
    await recordOpen(deps, m, { userAgent: request.headers['user-agent'], ip: request.ip, now: deps.clock.now() });
    reply.header('cache-control', 'no-store, max-age=0');
    reply.type('image/gif');
    return reply.send(PIXEL_GIF);
  });
};
