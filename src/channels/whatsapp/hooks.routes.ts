/**
 * @module WhatsApp's webhook into Qatra, public (no API key; the app secret's signature is the
 * authentication), one URL per provider: `/hooks/whatsapp/:providerId`.
 *  - `GET` is Meta's verification handshake: `hub.mode=subscribe`, `hub.verify_token` equal to the
 *    provider's `verifyToken` secret → 200 with `hub.challenge` as plain text; anything else 403.
 *  - `POST` carries statuses and inbound messages as JSON (at most 1 MB, kept raw: the signature is
 *    over the bytes). `X-Hub-Signature-256` must be the HMAC-SHA256 of the raw body under the
 *    provider's `appSecret` (./signature.ts): missing, wrong, or an unknown provider → 403 and
 *    nothing changes. A signed body is applied (./webhook.ts) and answered 200, also when it holds
 *    nothing we act on (Meta would otherwise retry it for days); a redelivery changes nothing.
 */
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { RouteModule } from '../../api/deps.js';
import { ForbiddenError, ValidationError } from '../../core/errors.js';
import { channelProviderSecrets } from '../providers/providers.js';
import { WHATSAPP_CLOUD } from './provider-kinds.js';
import { validHubSignature } from './signature.js';
import { applyWebhook } from './webhook.js';

export const WHATSAPP_HOOK_BODY_LIMIT = 1_048_576;

const params = z.object({ providerId: z.string().min(1).max(100) });

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export const whatsappHookRoutes: RouteModule = (app, deps) => {
  const resolve = (providerId: string) => channelProviderSecrets(deps.store.db, deps.secretBox, providerId, { channel: 'whatsapp', kind: WHATSAPP_CLOUD });

  void app.register(async (scope) => {
    if (scope.hasContentTypeParser('application/json')) scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: WHATSAPP_HOOK_BODY_LIMIT }, (_req, body, done) => done(null, body));

    scope.get<{ Params: z.infer<typeof params>; Querystring: Record<string, unknown> }>('/hooks/whatsapp/:providerId', { schema: { hide: true, params } }, async (request, reply) => {
      const q = request.query;
      const mode = q['hub.mode'];
      const token = q['hub.verify_token'];
      const challenge = q['hub.challenge'];
      const provider = await resolve(request.params.providerId);
      const expected = provider?.secrets.verifyToken;
      if (mode !== 'subscribe' || typeof token !== 'string' || typeof expected !== 'string' || !sameText(token, expected)) throw new ForbiddenError('the verify token does not match');
      if (typeof challenge !== 'string' || challenge.length > 1000) throw ValidationError.at('query.hub.challenge', 'required, at most 1000 characters');
      return reply.type('text/plain; charset=utf-8').send(challenge);
    });

    scope.post<{ Params: z.infer<typeof params> }>('/hooks/whatsapp/:providerId', { bodyLimit: WHATSAPP_HOOK_BODY_LIMIT, schema: { hide: true, params } }, async (request) => {
      const raw = typeof request.body === 'string' ? request.body : null;
      if (raw === null) throw new ForbiddenError('expected a JSON body signed with X-Hub-Signature-256');
      const provider = await resolve(request.params.providerId);
      const secret = provider?.secrets.appSecret;
      if (!provider || typeof secret !== 'string' || !validHubSignature(secret, raw, request.headers['x-hub-signature-256'])) throw new ForbiddenError('missing or invalid X-Hub-Signature-256');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        throw ValidationError.at('body', 'not JSON');
      }
      const result = await applyWebhook(deps, { workspaceId: provider.workspaceId, providerId: request.params.providerId, body });
      return { ok: true, statuses: result.statuses, inbound: result.inbound.length };
    });
  });
};
