/**
 * @module `POST /api/webhooks/email-events`: delivery events from a mail provider (an ESP's webhook,
 * or a small adapter in front of one) in Qatra's generic JSON format, documented in docs/bounces.md.
 * Each event goes through the same logic as a DSN or ARF report on the bounce listener
 * (./apply.ts). The batch is validated first and applied in one transaction: all or nothing.
 *
 * Authentication: an admin key (Bearer or Basic), or the workspace's webhook secret in the
 * `X-Qatra-Webhook-Secret` header or the `secret` query parameter (for providers that can only be
 * given a URL). `POST /api/webhooks/email-events/secret` (admin) creates or rotates that secret.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { RouteModule } from '../api/deps.js';
import { presentedKey, requireKey, workspaceOf } from '../api/auth.js';
import { AuthError, ForbiddenError } from '../core/errors.js';
import { authenticate } from '../keys/keys.js';
import { errorResponses } from '../api/schemas.js';
import { applyFeedback, type Feedback } from './apply.js';
import { feedbackDepsOf } from './deps.js';
import { findWorkspaceMessage } from './match.js';
import { bounceTypeOf, statusCode } from './status.js';
import { rotateWebhookSecret, workspaceOfWebhookSecret } from './webhook-secret.js';

export const MAX_EVENTS = 1000;

const eventSchema = z
  .strictObject({
    type: z.enum(['delivered', 'bounced', 'complained', 'opened', 'clicked']),
    messageId: z
      .string()
      .regex(/^msg_[0-9a-z]{26}$/, 'must be a Qatra message id (msg_…)')
      .optional()
      .describe('Our message id (the VERP address names it)'),
    providerMessageId: z.string().min(1).max(998).optional().describe("The provider's id for the message, or its Message-ID header"),
    recipient: z.string().email().max(320).optional(),
    bounceType: z.enum(['hard', 'soft']).optional().describe('Derived from `status` when omitted (RFC 3463)'),
    status: z
      .string()
      .regex(/^[245]\.\d{1,3}\.\d{1,3}$/, 'must be an RFC 3463 status such as 5.1.1')
      .optional(),
    diagnostic: z.string().max(1000).optional(),
    feedbackType: z.string().max(50).optional().describe('ARF Feedback-Type of a complaint (default abuse; not-spam is ignored)'),
    url: z.string().max(2000).optional(),
    timestamp: z
      .union([z.number().int().min(0), z.iso.datetime({ offset: true })])
      .optional()
      .describe('epoch milliseconds or ISO 8601'),
  })
  .superRefine((e, ctx) => {
    if (!e.messageId && !e.providerMessageId) ctx.addIssue({ code: 'custom', path: ['messageId'], message: 'give messageId or providerMessageId' });
    if (e.type === 'bounced' && !e.bounceType && !e.status) ctx.addIssue({ code: 'custom', path: ['bounceType'], message: 'a bounce needs bounceType (hard or soft) or an RFC 3463 status' });
  });

const body = z.strictObject({ events: z.array(eventSchema).min(1).max(MAX_EVENTS) });
type EventInput = z.output<typeof eventSchema>;

const resultSchema = z.object({
  index: z.number().int(),
  status: z.enum(['applied', 'duplicate', 'ignored', 'unmatched']),
  messageId: z.string().nullable(),
  suppressed: z.boolean(),
});

function toFeedback(e: EventInput): Feedback {
  switch (e.type) {
    case 'bounced':
      return { type: 'bounced', bounceType: e.bounceType ?? bounceTypeOf(statusCode(e.status)) ?? 'soft', status: e.status, diagnostic: e.diagnostic, recipient: e.recipient };
    case 'complained':
      return { type: 'complained', feedbackType: e.feedbackType?.toLowerCase(), recipient: e.recipient };
    case 'clicked':
      return { type: 'clicked', url: e.url };
    case 'delivered':
    case 'opened':
      return { type: e.type };
  }
}

export const emailEventsRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['webhooks'];
  const feedbackDeps = feedbackDepsOf(deps);

  async function adminOrSecret(request: FastifyRequest): Promise<void> {
    const header = request.headers['x-qatra-webhook-secret'];
    const secret = (typeof header === 'string' ? header : undefined) ?? (request.query as { secret?: unknown } | undefined)?.secret;
    if (typeof secret === 'string' && secret !== '') {
      const workspaceId = await workspaceOfWebhookSecret(deps, secret);
      if (!workspaceId) throw new AuthError('unknown webhook secret');
      request.principal = { keyId: 'webhook-secret', workspaceId, kind: 'write' };
      return;
    }
    const key = presentedKey(request.headers.authorization);
    if (!key) throw new AuthError('give an admin key, or the webhook secret in X-Qatra-Webhook-Secret or ?secret=');
    const principal = await authenticate(deps, key);
    if (!principal) throw new AuthError('unknown or revoked API key');
    if (principal.kind !== 'admin') throw new ForbiddenError('this endpoint needs an admin key or the webhook secret');
    request.principal = principal;
  }

  app.post(
    '/api/webhooks/email-events',
    {
      onRequest: adminOrSecret,
      schema: {
        tags,
        summary: 'Delivery events from a mail provider (delivered, bounced, complained, opened, clicked); see docs/bounces.md',
        querystring: z.object({ secret: z.string().max(200).optional() }),
        body,
        response: { 200: z.object({ results: z.array(resultSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const workspaceId = workspaceOf(request);
      const { events } = request.body;
      const results = await deps.store.transaction(async (trx) => {
        const out: z.output<typeof resultSchema>[] = [];
        for (const [index, e] of events.entries()) {
          const message = await findWorkspaceMessage(trx, workspaceId, e);
          if (!message) {
            out.push({ index, status: 'unmatched', messageId: null, suppressed: false });
            continue;
          }
          const at = e.timestamp === undefined ? undefined : typeof e.timestamp === 'number' ? e.timestamp : Date.parse(e.timestamp);
          const r = await applyFeedback(feedbackDeps, trx, message, toFeedback(e), { source: 'webhook', at });
          out.push({ index, status: r.outcome, messageId: message.id, suppressed: r.outcome === 'applied' && r.suppressed });
        }
        return out;
      });
      return { results };
    },
  );

  app.post(
    '/api/webhooks/email-events/secret',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: "Create or rotate the workspace's email-events webhook secret (shown only in this answer)",
        response: { 200: z.object({ secret: z.string(), header: z.string() }), ...errorResponses },
      },
    },
    async (request) => ({ secret: await rotateWebhookSecret(deps, workspaceOf(request)), header: 'X-Qatra-Webhook-Secret' }),
  );
};
