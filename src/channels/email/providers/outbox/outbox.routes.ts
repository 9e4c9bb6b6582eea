/**
 * @module The outbox, where the outbox provider keeps what it "sent": `GET /api/outbox` (JSON) and a
 * plain HTML page `GET /outbox` (list) and `GET /outbox/:id` (one message, its HTML in a sandboxed
 * frame). Both need an admin key; the page asks the browser for it with HTTP Basic (user name = key).
 * In the web app (session cookie) a viewer gets the list with every token signature redacted
 * (./outbox.redact.ts: they would let anyone unsubscribe or confirm the recipient), and the raw
 * MIME message needs an editor (src/users/roles.ts).
 */
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RouteModule } from '../../../../api/deps.js';
import { presentedKey, requireKey, workspaceOf } from '../../../../api/auth.js';
import { NotFoundError } from '../../../../core/errors.js';
import { fromJson } from '../../../../core/json.js';
import { errorResponses } from '../../../../api/schemas.js';
import { renderOutboxList, renderOutboxMessage } from './outbox.page.js';
import { redactEntry, seesRedacted } from './outbox.redact.js';
import { withoutTracking } from '../../../../tracking/viewer.js';

const entrySchema = z.object({
  id: z.number(),
  /** `email`, `sms`, …: an SMS has `to` = E.164, `text` = the message, `subject` ''. */
  channel: z.string(),
  messageId: z.string().nullable(),
  from: z.string(),
  to: z.string(),
  subject: z.string(),
  createdAt: z.number(),
  headers: z.record(z.string(), z.string()),
  html: z.string().nullable(),
  /** `html` for viewers: no open pixel, tracked links lead nowhere (../../../../tracking/viewer.ts), so viewing is not an open. */
  viewerHtml: z.string().nullable(),
  text: z.string().nullable(),
});

export type OutboxEntry = z.infer<typeof entrySchema>;

/** Header values as strings: the SMS outbox stores `segments` as a number, which the answer's schema (strings) would refuse with a 500. */
function headerStrings(headers: Record<string, unknown> | null | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

export const outboxRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  // Browsers only show their key prompt when asked with WWW-Authenticate.
  const browserAdmin = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!presentedKey(request.headers.authorization)) {
      return reply.status(401).header('www-authenticate', 'Basic realm="Qatra outbox (user: admin key, empty password)"').type('text/plain').send('an admin key is required');
    }
    return admin.call(app as never, request, reply, () => {});
  };

  const list = async (workspaceId: string, limit: number, before?: number, channel?: string): Promise<OutboxEntry[]> => {
    let q = deps.store.db.selectFrom('outbox').selectAll().where('workspace_id', '=', workspaceId);
    if (before !== undefined) q = q.where('id', '<', before);
    if (channel !== undefined) q = q.where('channel', '=', channel);
    const rows = await q.orderBy('id', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      id: Number(r.id),
      channel: r.channel,
      messageId: r.message_id,
      from: r.from_address,
      to: r.to_address,
      subject: r.subject,
      createdAt: r.created_at,
      headers: headerStrings(fromJson<Record<string, unknown>>(r.headers)),
      html: r.html_body,
      viewerHtml: r.html_body === null ? null : withoutTracking(r.html_body),
      text: r.text_body,
    }));
  };
  const one = async (workspaceId: string, id: number) => {
    const row = await deps.store.db.selectFrom('outbox').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError('outbox message', String(id));
    return row;
  };

  app.get(
    '/api/outbox',
    {
      onRequest: admin,
      schema: {
        tags: ['email'],
        summary: 'Messages the outbox provider stored, newest first',
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(500).default(50),
          before: z.coerce.number().int().optional(),
          channel: z
            .string()
            .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'a channel name such as email or sms')
            .optional()
            .describe('Only messages of this channel'),
        }),
        response: { 200: z.object({ data: z.array(entrySchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const entries = await list(workspaceOf(request), request.query.limit, request.query.before, request.query.channel);
      return { data: seesRedacted(request.principal) ? entries.map(redactEntry) : entries };
    },
  );

  app.get(
    '/api/outbox/:id/raw',
    { onRequest: admin, schema: { tags: ['email'], summary: 'The stored MIME message (message/rfc822); editors and above', params: z.object({ id: z.coerce.number().int() }) } },
    async (request, reply) => reply.type('message/rfc822').send((await one(workspaceOf(request), request.params.id)).raw),
  );

  app.get('/outbox', { onRequest: browserAdmin, schema: { hide: true } }, async (request, reply) =>
    reply.type('text/html; charset=utf-8').send(renderOutboxList(await list(workspaceOf(request), 200))),
  );

  app.get('/outbox/:id', { onRequest: browserAdmin, schema: { hide: true, params: z.object({ id: z.coerce.number().int() }) } }, async (request, reply) => {
    const row = await one(workspaceOf(request), request.params.id);
    return reply.type('text/html; charset=utf-8').send(renderOutboxMessage(row));
  });
};
