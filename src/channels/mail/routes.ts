/**
 * @module Direct mail's HTTP routes (docs/mail.md):
 *  - `GET /m/:token`: a piece's personal URL (public, printed on paper and in its QR code): records
 *    `mail.responded` (./response.ts) and redirects (302) to the piece's target; an unknown, altered
 *    or malformed token is a 404 and records nothing;
 *  - `POST /hooks/mail/lob/:providerId`: Lob's signed webhook (./lob/hooks.routes.ts);
 *  - `POST /api/channels/mail/do-not-mail`: import a do-not-mail list, `text/csv` (admin key;
 *    ./do-not-mail.ts), all or nothing;
 *  - `/api/mail/batches…`: the print batches, their pieces and files (./batches.routes.ts).
 */
import { z } from 'zod';
import type { RouteModule } from '../../api/deps.js';
import { requireKey, workspaceOf } from '../../api/auth.js';
import { errorResponses } from '../../api/schemas.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { channelProviderSecrets } from '../providers/providers.js';
import { importDoNotMail, parseDoNotMailCsv } from './do-not-mail.js';
import { lobHookRoutes } from './lob/hooks.routes.js';
import { mailBatchRoutes } from './batches.routes.js';
import { recordResponse, resolvePieceToken } from './response.js';

export const DO_NOT_MAIL_BODY_LIMIT = 10 * 1024 * 1024;

export const mailRoutes: RouteModule = (app, deps) => {
  const secrets = new Map<string, string>();
  mailBatchRoutes(app, deps);

  app.get(
    '/m/:token',
    { schema: { tags: ['tracking'], summary: 'Personal URL of a direct mail piece (printed, and in its QR code)', params: z.object({ token: z.string().max(100) }) } },
    async (request, reply) => {
      const piece = await resolvePieceToken(deps.store, request.params.token, secrets);
      if (!piece) throw new NotFoundError('link', request.params.token);
      await recordResponse(deps, piece, { userAgent: request.headers['user-agent'], ip: request.ip, now: deps.clock.now() });
      reply.header('cache-control', 'no-store');
      reply.header('referrer-policy', 'no-referrer');
      if (!piece.targetUrl) return reply.type('text/plain; charset=utf-8').send('Thank you.');
      return reply.redirect(piece.targetUrl, 302);
    },
  );

  void app.register(
    lobHookRoutes({
      ...deps,
      async resolve(providerId) {
        const found = await channelProviderSecrets(deps.store.db, deps.secretBox, providerId, { channel: 'mail', kind: 'lob' });
        const secret = found?.secrets.webhookSecret;
        return found && typeof secret === 'string' && secret !== '' ? { workspaceId: found.workspaceId, webhookSecret: secret } : null;
      },
    }),
  );

  void app.register(async (scope) => {
    scope.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: DO_NOT_MAIL_BODY_LIMIT }, (_req, body, done) => done(null, body));
    scope.post(
      '/api/channels/mail/do-not-mail',
      {
        onRequest: requireKey(deps, 'admin'),
        bodyLimit: DO_NOT_MAIL_BODY_LIMIT,
        schema: {
          tags: ['channels'],
          summary: 'Import a do-not-mail list (text/csv: contact_id, or name,line1,line2,line3,city,region,postcode,country); all rows or none',
          response: { 200: z.object({ addresses: z.number(), contacts: z.number(), unchanged: z.number() }), ...errorResponses },
        },
      },
      async (request) => {
        if (typeof request.body !== 'string') throw ValidationError.at('body', 'send the list as text/csv');
        return importDoNotMail(deps, workspaceOf(request), parseDoNotMailCsv(request.body));
      },
    );
  });
};
