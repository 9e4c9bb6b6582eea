/**
 * @module /api/broadcasts (admin key): create and edit drafts, read with progress (total, sent,
 * failed, skipped, remaining), list, the state moves schedule, unschedule, pause, resume, cancel;
 * the recipient count a send now would reach (./recipients.ts) and a test send (./test-send.ts).
 */
import { z } from 'zod';
import type { RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { decodeCursor, errorResponses, idParams, pageOf, pageQuery, toPage } from '../api/schemas.js';
import { cancelBroadcast, createBroadcast, getBroadcast, listBroadcasts, pauseBroadcast, resumeBroadcast, scheduleBroadcast, unscheduleBroadcast, updateBroadcast } from './broadcasts.js';
import { broadcastCreateBody, broadcastPatchBody, broadcastSchema, recipientCountSchema, scheduleBody, testSendBody, testSendSchema } from './schemas.js';
import { countRecipients } from './recipients.js';
import { sendBroadcastTest } from './test-send.js';
import { closeChannels, createChannelRegistry } from '../channels/registry.js';

export const broadcastsRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['broadcasts'];

  app.post(
    '/api/broadcasts',
    { onRequest: admin, schema: { tags, summary: 'Create a draft broadcast', body: broadcastCreateBody, response: { 201: broadcastSchema, ...errorResponses } } },
    async (request, reply) => reply.status(201).send(await createBroadcast(deps, workspaceOf(request), request.body)),
  );

  app.get(
    '/api/broadcasts',
    { onRequest: admin, schema: { tags, summary: 'List broadcasts in id (creation) order', querystring: z.object(pageQuery), response: { 200: pageOf(broadcastSchema), ...errorResponses } } },
    async (request) => {
      const { limit, cursor } = request.query;
      return toPage(await listBroadcasts(deps, workspaceOf(request), { limit, afterId: decodeCursor(cursor) }), limit, (b) => b.id);
    },
  );

  app.get(
    '/api/broadcasts/:id',
    { onRequest: admin, schema: { tags, summary: 'Get a broadcast with its progress', params: idParams, response: { 200: broadcastSchema, ...errorResponses } } },
    async (request) => getBroadcast(deps, workspaceOf(request), request.params.id),
  );

  app.patch(
    '/api/broadcasts/:id',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Edit a draft or a scheduled broadcast that has not started (409 once sending started)',
        params: idParams,
        body: broadcastPatchBody,
        response: { 200: broadcastSchema, ...errorResponses },
      },
    },
    async (request) => updateBroadcast(deps, workspaceOf(request), request.params.id, request.body),
  );

  app.get(
    '/api/broadcasts/:id/recipients',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'How many contacts a send now would reach: the audience less unsubscribed, suppressed and address-less contacts (the rules the send applies)',
        params: idParams,
        response: { 200: recipientCountSchema, ...errorResponses },
      },
    },
    async (request) => countRecipients(deps, workspaceOf(request), request.params.id),
  );

  const channels = createChannelRegistry(deps);
  app.addHook('onClose', async () => closeChannels(channels));
  app.post(
    '/api/broadcasts/:id/test',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: "Send the broadcast's message once to an address or phone number, as a test: recorded as one, never counted in figures or progress",
        params: idParams,
        body: testSendBody,
        response: { 200: testSendSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { result, message } = await sendBroadcastTest(deps, (name) => channels.get(name), workspaceOf(request), request.params.id, request.body);
      const { detail: _detail, ...plain } = result as typeof result & { detail?: unknown };
      return { result: plain, messageId: message?.id ?? null };
    },
  );

  app.post(
    '/api/broadcasts/:id/schedule',
    {
      onRequest: admin,
      schema: { tags, summary: 'Schedule a draft: it starts at sendAt (now when none)', params: idParams, body: scheduleBody, response: { 200: broadcastSchema, ...errorResponses } },
    },
    async (request) => scheduleBroadcast(deps, workspaceOf(request), request.params.id, request.body ?? {}),
  );

  app.post(
    '/api/broadcasts/:id/unschedule',
    { onRequest: admin, schema: { tags, summary: 'Move a scheduled broadcast back to draft (409 once it started sending)', params: idParams, response: { 200: broadcastSchema, ...errorResponses } } },
    async (request) => unscheduleBroadcast(deps, workspaceOf(request), request.params.id),
  );

  app.post(
    '/api/broadcasts/:id/pause',
    { onRequest: admin, schema: { tags, summary: 'Pause a scheduled or sending broadcast', params: idParams, response: { 200: broadcastSchema, ...errorResponses } } },
    async (request) => pauseBroadcast(deps, workspaceOf(request), request.params.id),
  );

  app.post(
    '/api/broadcasts/:id/resume',
    { onRequest: admin, schema: { tags, summary: 'Resume a paused broadcast', params: idParams, response: { 200: broadcastSchema, ...errorResponses } } },
    async (request) => resumeBroadcast(deps, workspaceOf(request), request.params.id),
  );

  app.post(
    '/api/broadcasts/:id/cancel',
    { onRequest: admin, schema: { tags, summary: 'Cancel a broadcast: recipients not yet sent never will be', params: idParams, response: { 200: broadcastSchema, ...errorResponses } } },
    async (request) => cancelBroadcast(deps, workspaceOf(request), request.params.id),
  );
};
