/**
 * @module `/api/messages`: the transactional send, and the message records (one per delivery).
 */
import { z } from 'zod';
import type { RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { NotFoundError } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import { decodeCursor, errorResponses, pageOf, toPage } from '../api/schemas.js';
import { closeChannels, createChannelRegistry } from '../channels/registry.js';
import { transactionalChannels } from '../channels/descriptors.js';
import { findMessage, listMessages } from './records.js';
import { sendTransactional } from './send.js';
import { messageContent } from './content.js';
import { redactTokens, seesRedacted } from '../channels/email/providers/outbox/outbox.redact.js';
import { TemplateCache } from '../templates/cache.js';

const status = z.enum(['queued', 'sent', 'failed', 'skipped', 'bounced']);
export const messageSchema = z.object({
  id: z.string(),
  contactId: z.string(),
  channel: z.string(),
  kind: z.enum(['marketing', 'transactional']),
  idempotencyKey: z.string(),
  journeyId: z.string().nullable(),
  journeyVersion: z.number().nullable(),
  runId: z.string().nullable(),
  nodeId: z.string().nullable(),
  templateId: z.string().nullable(),
  templateVersion: z.number().nullable(),
  topic: z.string().nullable(),
  provider: z.string().nullable(),
  status,
  reason: z.string().nullable(),
  providerMessageId: z.string().nullable(),
  headerMessageId: z.string().nullable(),
  to: z.string().nullable(),
  subject: z.string().nullable(),
  attempts: z.number(),
  openCount: z.number(),
  clickCount: z.number(),
  firstOpenedAt: z.number().nullable(),
  firstClickedAt: z.number().nullable(),
  complainedAt: z.number().nullable().describe('when the recipient reported it as spam'),
  retryAt: z.number().nullable().describe('when a worker attempts this queued transactional send again'),
  createdAt: z.number(),
  sentAt: z.number().nullable(),
  updatedAt: z.number(),
});

const sendBody = z.strictObject({
  templateId: z.string().min(1).max(64),
  contactId: z.string().min(1).max(64).optional(),
  userId: z.string().min(1).max(200).optional(),
  email: z.string().email().max(320).optional(),
  phone: z.string().min(1).max(40).optional().describe('E.164, or national in the SMS default country'),
  channel: z.enum(transactionalChannels).default('email').describe('The channel to send on; the template must be of it'),
  data: z.record(z.string(), z.unknown()).optional().describe('template variables under {{ data.* }}'),
  idempotencyKey: z.string().min(1).max(200).optional().describe('retrying with the same key never sends twice'),
});

const resultSchema = z.object({ status: z.enum(['sent', 'retryable', 'permanent', 'skipped']), reason: z.string().optional(), providerMessageId: z.string().optional() });

export const messagesRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['messages'];
  const channels = createChannelRegistry(deps);
  app.addHook('onClose', async () => closeChannels(channels));

  app.post(
    '/api/messages/send',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Send a transactional email or SMS now (bypasses marketing consent, caps and quiet hours; never to bounced, complained or invalid addresses)',
        body: sendBody.refine((b) => [b.contactId, b.userId, b.email, b.phone].filter((v) => v !== undefined).length === 1, {
          message: 'give exactly one of contactId, userId, email or phone',
          path: ['contactId'],
        }),
        response: { 200: z.object({ result: resultSchema, message: messageSchema.nullable() }), ...errorResponses },
      },
    },
    async (request) => {
      const { data, channel, ...rest } = request.body;
      const { result, message } = await sendTransactional(deps, channels.get(channel)!, workspaceOf(request), { ...rest, data: data as JsonObject | undefined });
      const { detail: _detail, ...plain } = result as typeof result & { detail?: unknown };
      return { result: plain, message: message ?? null };
    },
  );

  app.get(
    '/api/messages/:id',
    { onRequest: admin, schema: { tags, summary: 'One message record', params: z.object({ id: z.string().max(64) }), response: { 200: messageSchema, ...errorResponses } } },
    async (request) => {
      const m = await findMessage(deps.store.db, request.params.id);
      if (!m || m.workspaceId !== workspaceOf(request)) throw new NotFoundError('message', request.params.id);
      return m;
    },
  );

  const templateCache = new TemplateCache({ now: () => deps.clock.now() });
  app.get(
    '/api/messages/:id/content',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: "What a message looked like: the outbox's stored copy, else its template version rendered again for the contact (source says which)",
        params: z.object({ id: z.string().max(64) }),
        response: {
          200: z.object({
            messageId: z.string(),
            source: z
              .enum(['outbox', 'template', 'none'])
              .describe('outbox: exactly what was sent; template: rendered again now (current contact data, placeholder unsubscribe links); none: nothing to show'),
            subject: z.string().nullable(),
            html: z.string().nullable(),
            text: z.string().nullable(),
            direction: z.enum(['ltr', 'rtl']).nullable(),
            templateId: z.string().nullable(),
            templateVersion: z.number().nullable(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const content = await messageContent({ ...deps, templateCache }, workspaceOf(request), request.params.id);
      // A viewer reads the message but not its live token signatures (as in the outbox: docs/security.md).
      if (!seesRedacted(request.principal)) return content;
      return { ...content, html: content.html === null ? null : redactTokens(content.html), text: content.text === null ? null : redactTokens(content.text) };
    },
  );

  app.get(
    '/api/messages',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Message records, newest first',
        querystring: z.object({
          contactId: z.string().max(64).optional(),
          status: status.optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          cursor: z.string().max(200).optional(),
        }),
        response: { 200: pageOf(messageSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { contactId, status: s, limit, cursor } = request.query;
      const rows = await listMessages(deps.store.db, workspaceOf(request), { contactId, status: s, before: decodeCursor(cursor), limit: limit + 1 });
      return toPage(rows, limit, (m) => m.id);
    },
  );
};
