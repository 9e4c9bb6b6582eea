/**
 * @module /api/lists: create, read, rename, delete and page through the admin key's lists.
 */
import { z } from 'zod';
import type { RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { decodeCursor, errorResponses, idParams, pageOf, pageQuery, toPage } from '../api/schemas.js';
import { createList, deleteList, getList, listLists, updateList } from './lists.js';
import { listCreateBody, listPatchBody, listSchema } from './schemas.js';

export const listsRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['lists'];

  app.post('/api/lists', { onRequest: admin, schema: { tags, summary: 'Create a list', body: listCreateBody, response: { 201: listSchema, ...errorResponses } } }, async (request, reply) =>
    reply.status(201).send(await createList(deps, workspaceOf(request), request.body)),
  );

  app.get(
    '/api/lists',
    { onRequest: admin, schema: { tags, summary: 'List lists in id order', querystring: z.object(pageQuery), response: { 200: pageOf(listSchema), ...errorResponses } } },
    async (request) => {
      const { limit, cursor } = request.query;
      const rows = await listLists(deps, workspaceOf(request), { limit, afterId: decodeCursor(cursor) });
      return toPage(rows, limit, (l) => l.id);
    },
  );

  app.get('/api/lists/:id', { onRequest: admin, schema: { tags, summary: 'Get a list', params: idParams, response: { 200: listSchema, ...errorResponses } } }, async (request) =>
    getList(deps, workspaceOf(request), request.params.id),
  );

  app.patch(
    '/api/lists/:id',
    {
      onRequest: admin,
      schema: { tags, summary: 'Rename or redescribe a list, or change its double opt-in', params: idParams, body: listPatchBody, response: { 200: listSchema, ...errorResponses } },
    },
    async (request) => updateList(deps, workspaceOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/lists/:id',
    { onRequest: admin, schema: { tags, summary: 'Delete a list and its memberships', params: idParams, response: { 204: z.null(), ...errorResponses } } },
    async (request, reply) => {
      await deleteList(deps, workspaceOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
