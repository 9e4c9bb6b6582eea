/**
 * @module Telegram's routes (docs/telegram.md):
 *
 *  - `POST /hooks/telegram/:workspaceId/:providerId`, public: the bot's webhook. Authenticated by
 *    `X-Telegram-Bot-Api-Secret-Token` (the secret given to `setWebhook`), checked in constant time
 *    BEFORE the body is read: missing, wrong, or an unknown provider: 403 and nothing changed.
 *    Updates are handled by ./link.ts, then answered by the bot (./replies.ts); the answer is 200
 *    whatever became of the update (Telegram would otherwise redeliver it), except a body that is
 *    not an update (400).
 *  - `GET /api/contacts/:id/telegram-link`: the contact's signed deep link.
 *  - `POST /api/channels/telegram/providers/:id/webhook`: points the bot's webhook (setWebhook) at
 *    Qatra's public URL with its secret token.
 */
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { RouteModule } from '../../api/deps.js';
import { requireKey, workspaceOf } from '../../api/auth.js';
import { errorResponses } from '../../api/schemas.js';
import { ForbiddenError, NotFoundError, UpstreamError, ValidationError } from '../../core/errors.js';
import { workspaceSecret } from '../../tracking/tokens.js';
import { channelProviderSecrets, getProvider } from '../providers/providers.js';
import { createTelegramBot, webhookSecretOf } from './bot.js';
import { contactDeepLink } from './deep-link.js';
import { TELEGRAM } from './handles.js';
import { createTelegramChannel } from './index.js';
import { handleUpdate } from './link.js';
import { replyToUpdate } from './replies.js';

const hookParams = z.object({ workspaceId: z.string().min(1).max(100), providerId: z.string().min(1).max(100) });
const updateBody = z.looseObject({
  update_id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  message: z
    .looseObject({
      chat: z.looseObject({ id: z.union([z.number().int(), z.string().max(64)]), type: z.string().max(32).optional() }).optional(),
      text: z.string().max(4096).optional(),
      from: z.looseObject({ language_code: z.string().max(35).optional() }).optional(),
    })
    .optional(),
});

const sameSecret = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

export const telegramRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const publicUrl = deps.config.publicUrl.replace(/\/+$/, '');
  // The bot's replies to /start and /stop go out on the telegram channel (recorded as messages).
  const channel = createTelegramChannel(deps);
  app.addHook('onClose', async () => channel.close());

  app.post<{ Params: z.infer<typeof hookParams> }>(
    '/hooks/telegram/:workspaceId/:providerId',
    {
      bodyLimit: 256 * 1024,
      schema: { hide: true, params: hookParams },
      // Before the body is parsed: an unauthenticated caller learns nothing, not even whether its JSON was good.
      onRequest: async (request) => {
        const { workspaceId, providerId } = request.params;
        const given = request.headers['x-telegram-bot-api-secret-token'];
        if (typeof given !== 'string' || given === '') throw new ForbiddenError('missing X-Telegram-Bot-Api-Secret-Token');
        const found = await channelProviderSecrets(deps.store.db, deps.secretBox, providerId, { channel: TELEGRAM, kind: 'telegram_bot' });
        if (!found || found.workspaceId !== workspaceId || !sameSecret(given, webhookSecretOf(providerId, found.secrets))) throw new ForbiddenError('invalid X-Telegram-Bot-Api-Secret-Token');
      },
    },
    async (request, reply) => {
      const { workspaceId, providerId } = request.params;
      const parsed = updateBody.safeParse(request.body);
      if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => ({ path: ['body', ...i.path.map(String)].join('.'), message: i.message })));
      const secret = await workspaceSecret(deps.store, workspaceId);
      const outcome = await handleUpdate(deps, { workspaceId, providerId, secret, update: parsed.data as Parameters<typeof handleUpdate>[1]['update'] });
      if (outcome.kind === 'refused') request.log.info({ workspaceId, providerId, reason: outcome.reason }, 'telegram link refused');
      const update = parsed.data as Parameters<typeof replyToUpdate>[1]['update'];
      await replyToUpdate({ ...deps, channel }, { workspaceId, providerId, update, outcome }).catch((err: unknown) => {
        request.log.warn({ err, workspaceId, providerId }, 'telegram reply failed');
      });
      return reply.status(200).send({ ok: true, outcome: outcome.kind });
    },
  );

  app.get(
    '/api/contacts/:id/telegram-link',
    {
      onRequest: admin,
      schema: {
        tags: ['telegram'],
        summary: "The contact's signed Telegram deep link (https://t.me/<bot>?start=<token>), valid 30 days",
        params: z.object({ id: z.string().min(1).max(64) }),
        response: { 200: z.object({ url: z.string(), token: z.string(), botUsername: z.string(), expiresAt: z.number() }), ...errorResponses },
      },
    },
    async (request) => contactDeepLink(deps, workspaceOf(request), request.params.id),
  );

  app.post(
    '/api/channels/telegram/providers/:id/webhook',
    {
      onRequest: admin,
      schema: {
        tags: ['telegram'],
        summary: "Points the bot's webhook at this Qatra (setWebhook with the secret token)",
        params: z.object({ id: z.string().min(1).max(100) }),
        response: { 200: z.object({ url: z.string() }), ...errorResponses },
      },
    },
    async (request) => {
      const ws = workspaceOf(request);
      const p = await getProvider(deps.store.db, deps.secretBox, ws, TELEGRAM, request.params.id);
      if (p.kind !== 'telegram_bot') throw new NotFoundError('provider', p.id);
      const url = `${publicUrl}/hooks/telegram/${encodeURIComponent(ws)}/${encodeURIComponent(p.id)}`;
      const bot = createTelegramBot({ token: p.secrets.token ?? '', apiRoot: typeof p.settings.apiRoot === 'string' ? p.settings.apiRoot : undefined, timeoutSeconds: 10 });
      try {
        await bot.setWebhook(url, webhookSecretOf(p.id, p.secrets));
      } catch (err) {
        throw new UpstreamError('telegram_set_webhook_failed', `Telegram refused setWebhook: ${(err as Error).message}`, false);
      } finally {
        bot.close();
      }
      return { url };
    },
  );
};
