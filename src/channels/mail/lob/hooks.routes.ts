/**
 * @module Lob's webhook into Qatra, public (no API key; the signature is the authentication):
 * `POST /hooks/mail/lob/:providerId`, the event as JSON (at most 256 KB, kept raw: the signature is
 * over the bytes). `Lob-Signature` and `Lob-Signature-Timestamp` are checked against the provider's
 * `webhookSecret` (./signature.ts): missing, wrong, stale, or an unknown provider → 403 and nothing
 * changes. A valid event is applied (./events.ts) and answered 200, also when it names no piece of
 * ours or a type we do not track (Lob would otherwise retry it for days).
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { ServiceDeps } from '../../../core/deps.js';
import { ForbiddenError, ValidationError } from '../../../core/errors.js';
import { applyLobEvent, parseLobEvent } from './events.js';
import { validLobSignature } from './signature.js';

export const LOB_HOOK_BODY_LIMIT = 262_144;

export interface LobHookDeps extends ServiceDeps {
  /** The provider's workspace and webhook secret; null when there is no such Lob provider (or it has no secret). */
  resolve(providerId: string): Promise<{ workspaceId: string; webhookSecret: string } | null>;
}

const params = z.object({ providerId: z.string().min(1).max(100) });

export function lobHookRoutes(deps: LobHookDeps): FastifyPluginAsync {
  return async (scope) => {
    if (scope.hasContentTypeParser('application/json')) scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: LOB_HOOK_BODY_LIMIT }, (_req, body, done) => done(null, body));

    scope.post<{ Params: z.infer<typeof params> }>('/hooks/mail/lob/:providerId', { bodyLimit: LOB_HOOK_BODY_LIMIT, schema: { hide: true, params } }, async (request) => {
      const raw = typeof request.body === 'string' ? request.body : null;
      if (raw === null) throw new ForbiddenError('expected a JSON event signed with Lob-Signature');
      const provider = await deps.resolve(request.params.providerId);
      const ok =
        provider !== null &&
        validLobSignature({ secret: provider.webhookSecret, timestamp: request.headers['lob-signature-timestamp'], signature: request.headers['lob-signature'], rawBody: raw, now: deps.clock.now() });
      if (!ok) throw new ForbiddenError('missing or invalid Lob-Signature');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        throw ValidationError.at('body', 'not JSON');
      }
      const event = parseLobEvent(body);
      const result = event ? await applyLobEvent(deps, provider.workspaceId, event) : 'ignored';
      return { ok: true, result };
    });
  };
}
