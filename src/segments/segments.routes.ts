/**
 * @module /api/segments (admin key): CRUD (creating computes the membership), preview of an unsaved
 * definition, and the members of a segment in pages.
 */
import { z } from 'zod';
import type { RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { decodeCursor, errorResponses, idParams, pageOf, pageQuery, toPage } from '../api/schemas.js';
import { createSegment, deleteSegment, getSegment, listSegments, previewSegment, segmentMembers, updateSegment } from './segments.js';
import { memberSchema, previewBody, previewSchema, segmentCreateBody, segmentPatchBody, segmentSchema } from './schemas.js';

export const segmentsRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['segments'];

  app.post(
    '/api/segments',
    { onRequest: admin, schema: { tags, summary: 'Create a segment and compute its members', body: segmentCreateBody, response: { 201: segmentSchema, ...errorResponses } } },
    async (request, reply) => reply.status(201).send(await createSegment(deps, workspaceOf(request), request.body)),
  );

  app.post(
    '/api/segments/preview',
    { onRequest: admin, schema: { tags, summary: 'Count and sample (20) the contacts an unsaved definition selects now', body: previewBody, response: { 200: previewSchema, ...errorResponses } } },
    async (request) => previewSegment(deps, workspaceOf(request), request.body.conditions),
  );

  app.get(
    '/api/segments',
    { onRequest: admin, schema: { tags, summary: 'List segments in id order', querystring: z.object(pageQuery), response: { 200: pageOf(segmentSchema), ...errorResponses } } },
    async (request) => {
      const { limit, cursor } = request.query;
      return toPage(await listSegments(deps, workspaceOf(request), { limit, afterId: decodeCursor(cursor) }), limit, (s) => s.id);
    },
  );

  app.get(
    '/api/segments/:id',
    { onRequest: admin, schema: { tags, summary: 'Get a segment with its member count', params: idParams, response: { 200: segmentSchema, ...errorResponses } } },
    async (request) => getSegment(deps, workspaceOf(request), request.params.id),
  );

  app.patch(
    '/api/segments/:id',
    { onRequest: admin, schema: { tags, summary: 'Change a segment; members are recomputed', params: idParams, body: segmentPatchBody, response: { 200: segmentSchema, ...errorResponses } } },
    async (request) => updateSegment(deps, workspaceOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/segments/:id',
    { onRequest: admin, schema: { tags, summary: 'Delete a segment and its memberships', params: idParams, response: { 204: z.null(), ...errorResponses } } },
    async (request, reply) => {
      await deleteSegment(deps, workspaceOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/segments/:id/contacts',
    {
      onRequest: admin,
      schema: { tags, summary: 'The members of a segment, in contact id order', params: idParams, querystring: z.object(pageQuery), response: { 200: pageOf(memberSchema), ...errorResponses } },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await segmentMembers(deps, workspaceOf(request), request.params.id, { limit, afterId: decodeCursor(cursor) });
      return toPage(rows, limit, (m) => m.contactId);
    },
  );
};
