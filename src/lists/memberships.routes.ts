/**
 * @module /api/lists/:id/members and /api/contacts/:id/lists: who is on a list, and a contact's lists.
 */
import { z } from 'zod';
import type { RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { decodeCursor, errorResponses, idParams, pageOf, pageQuery, toPage } from '../api/schemas.js';
import { addMembers, listMembers, listsOfContact, removeMember, setMemberStatus } from './memberships.js';
import { addMembersBody, addMembersResult, contactListsSchema, memberParams, memberPatchBody, membershipSchema, membershipStatus } from './schemas.js';

export const membershipsRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['lists'];

  app.post(
    '/api/lists/:id/members',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Add contacts to a list, all or nothing; contacts already on it are left as they are',
        params: idParams,
        body: addMembersBody,
        response: { 200: addMembersResult, ...errorResponses },
      },
    },
    async (request) => addMembers(deps, workspaceOf(request), request.params.id, request.body),
  );

  app.get(
    '/api/lists/:id/members',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Members of a list in contact id order',
        params: idParams,
        querystring: z.object({ ...pageQuery, status: membershipStatus.optional() }),
        response: { 200: pageOf(membershipSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { limit, cursor, status } = request.query;
      const rows = await listMembers(deps, workspaceOf(request), request.params.id, { limit, status, afterContactId: decodeCursor(cursor) });
      return toPage(rows, limit, (m) => m.contactId);
    },
  );

  app.patch(
    '/api/lists/:id/members/:contactId',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: "Set a member's status (confirm, unsubscribe, resubscribe)",
        params: memberParams,
        body: memberPatchBody,
        response: { 200: membershipSchema, ...errorResponses },
      },
    },
    async (request) => setMemberStatus(deps, workspaceOf(request), request.params.id, request.params.contactId, request.body),
  );

  app.delete(
    '/api/lists/:id/members/:contactId',
    { onRequest: admin, schema: { tags, summary: 'Take a contact off a list', params: memberParams, response: { 204: z.null(), ...errorResponses } } },
    async (request, reply) => {
      await removeMember(deps, workspaceOf(request), request.params.id, request.params.contactId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/contacts/:id/lists',
    { onRequest: admin, schema: { tags: ['contacts', 'lists'], summary: 'The lists a contact is on, with status', params: idParams, response: { 200: contactListsSchema, ...errorResponses } } },
    async (request) => ({ data: await listsOfContact(deps, workspaceOf(request), request.params.id) }),
  );
};
