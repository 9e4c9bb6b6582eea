/**
 * @module GET /api/contacts/:id/timeline: a contact's events, messages, consent changes and skipped
 * sends, merged newest first, in
 * cursor pages (./timeline.ts). A read: viewers may use it.
 */
import { z } from 'zod';
import type { RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { decodeCursor, encodeCursor, errorResponses, idParams } from '../api/schemas.js';
import { contactTimeline, decodeTimelineCursor, encodeTimelineCursor } from './timeline.js';

const messageStatus = z.enum(['queued', 'sent', 'failed', 'skipped', 'bounced']);
const entrySchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('event'),
    at: z.number().describe("the event's timestamp"),
    id: z.string(),
    type: z.string().describe('track, identify, page, …'),
    name: z.string(),
    properties: z.record(z.string(), z.unknown()),
  }),
  z.object({
    kind: z.literal('message'),
    at: z.number().describe('when the message was recorded'),
    id: z.string().describe('the message record; GET /api/messages/:id/content opens what it looked like'),
    channel: z.string(),
    status: messageStatus,
    reason: z.string().nullable(),
    to: z.string().nullable(),
    subject: z.string().nullable(),
    journeyId: z.string().nullable(),
    nodeId: z.string().nullable(),
    templateId: z.string().nullable(),
    templateVersion: z.number().nullable(),
    sentAt: z.number().nullable(),
    openCount: z.number(),
    clickCount: z.number(),
    firstOpenedAt: z.number().nullable(),
    firstClickedAt: z.number().nullable(),
  }),
  z.object({
    kind: z.literal('consent').describe('a consent change (the ledger): given, pending or withdrawn'),
    at: z.number(),
    id: z.string(),
    channel: z.string(),
    topic: z.string().describe("'' for the whole channel"),
    status: z.string(),
    source: z.string().nullable().describe('one-click, unsubscribe-page, preference-center, complaint:smtp, form:<id>, double-opt-in, …'),
  }),
  z.object({
    kind: z.literal('skipped_send').describe('a send skipped before any message was recorded (journey guard, broadcast recipient)'),
    at: z.number(),
    id: z.string().describe('step:<id> or broadcast:<id>'),
    channel: z.string().nullable(),
    reason: z.string().nullable().describe('e.g. "unsubscribed from email", "frequency cap …"'),
    journeyId: z.string().nullable(),
    nodeId: z.string().nullable(),
    broadcastId: z.string().nullable(),
  }),
]);

export const timelineRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  app.get(
    '/api/contacts/:id/timeline',
    {
      onRequest: admin,
      schema: {
        tags: ['contacts'],
        summary: "A contact's events, messages, consent changes and skipped sends merged, newest first, in cursor pages",
        params: idParams,
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(200).default(50).describe('Page size, at most 200'),
          cursor: z.string().max(200).optional().describe("Opaque cursor from the previous page's nextCursor"),
        }),
        response: { 200: z.object({ data: z.array(entrySchema), nextCursor: z.string().nullable() }), ...errorResponses },
      },
    },
    async (request) => {
      const cursor = decodeTimelineCursor(decodeCursor(request.query.cursor));
      const page = await contactTimeline(deps, workspaceOf(request), request.params.id, { limit: request.query.limit, cursor });
      return { data: page.entries, nextCursor: page.next ? encodeCursor(encodeTimelineCursor(page.next)) : null };
    },
  );
};
