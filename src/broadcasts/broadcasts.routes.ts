/**
 * @module /api/broadcasts (admin key): create and edit drafts, read with progress (total, sent,
 * failed, skipped, remaining), list, and the state moves schedule, unschedule, pause, resume, cancel.
 */
import { z } from 'zod';
import type { RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { decodeCursor, errorResponses, idParams, pageOf, pageQuery, toPage } from '../api/schemas.js';
import { cancelBroadcast, createBroadcast, getBroadcast, listBroadcasts, pauseBroadcast, resumeBroadcast, scheduleBroadcast, unscheduleBroadcast, updateBroadcast } from './broadcasts.js';
import { broadcastCreateBody, broadcastPatchBody, broadcastSchema, scheduleBody } from './schemas.js';

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
    { onRequest: admin, schema: { tags, summary: 'Edit a draft broadcast (409 once scheduled)', params: idParams, body: broadcastPatchBody, response: { 200: broadcastSchema, ...errorResponses } } },
    async (request) => updateBroadcast(deps, workspaceOf(request), request.params.id, request.body),
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
