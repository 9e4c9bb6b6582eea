/**
 * @module /api/contacts: create, read, patch, delete and list (cursor-paginated, filtered) contacts of
 * the admin key's workspace. Another workspace's contact answers 404, never its data.
 */
import { z } from 'zod';
import type { RouteModule } from '../api/deps.js';
import { actorOf, requireKey, workspaceOf } from '../api/auth.js';
import { createContact, deleteContact, getContact, listContacts, updateContact } from './contacts.js';
import { attributeFilters, contactCreateBody, contactListQuery, contactSearchQuery, contactPatchBody, contactSchema } from './schemas.js';
import { decodeCursor, errorResponses, idParams, pageOf, toPage } from '../api/schemas.js';
import { eraseContact } from '../privacy/erase.js';
import { searchContacts } from './search.js';

export const contactsRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['contacts'];

  app.post(
    '/api/contacts',
    {
      onRequest: admin,
      schema: { tags, summary: 'Create a contact', body: contactCreateBody, response: { 201: contactSchema, ...errorResponses } },
    },
    async (request, reply) => reply.status(201).send(await createContact(deps, workspaceOf(request), request.body)),
  );

  app.get(
    '/api/contacts',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'List contacts in id (creation) order, with filters; attr.<name>=value filters on an attribute',
        querystring: contactListQuery,
        response: { 200: pageOf(contactSchema), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const rows = await listContacts(deps, workspaceOf(request), {
        limit: q.limit,
        afterId: decodeCursor(q.cursor),
        email: q.email,
        userId: q.userId,
        listId: q.listId,
        createdAfter: q.createdAfter,
        createdBefore: q.createdBefore,
        attributes: attributeFilters(q),
      });
      return toPage(rows, q.limit, (c) => c.id);
    },
  );

  app.get(
    '/api/contacts/search',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Search contacts by name, part of the email, phone or user id, with attribute, list and segment filters; id order, with the total',
        querystring: contactSearchQuery,
        response: { 200: pageOf(contactSchema).extend({ total: z.number().int().describe('How many contacts match in all') }), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const { rows, total } = await searchContacts(deps, workspaceOf(request), {
        q: q.q,
        listId: q.listId,
        segmentId: q.segmentId,
        attributes: attributeFilters(q),
        limit: q.limit,
        afterId: decodeCursor(q.cursor),
      });
      return { ...toPage(rows, q.limit, (c) => c.id), total };
    },
  );

  app.get('/api/contacts/:id', { onRequest: admin, schema: { tags, summary: 'Get a contact', params: idParams, response: { 200: contactSchema, ...errorResponses } } }, async (request) =>
    getContact(deps, workspaceOf(request), request.params.id),
  );

  app.patch(
    '/api/contacts/:id',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Update some fields of a contact; null clears a field; attributes merge (null removes one)',
        params: idParams,
        body: contactPatchBody,
        response: { 200: contactSchema, ...errorResponses },
      },
    },
    async (request) => updateContact(deps, workspaceOf(request), request.params.id, request.body),
  );

  app.delete(
    '/api/contacts/:id',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Delete a contact with its memberships and consent records; ?erase=true erases its personal data instead (docs/privacy.md)',
        description:
          'Without erase the row goes and its events and messages with it (ON DELETE CASCADE). With erase=true (GDPR Art. 17) personal data is erased in one transaction while anonymised events, messages and runs stay for statistics, and the address is kept only as a SHA-256 suppression entry; audit-logged.',
        params: idParams,
        querystring: z.object({
          erase: z
            .enum(['true', 'false'])
            .default('false')
            .transform((v) => v === 'true'),
        }),
        response: {
          200: z
            .object({
              contactId: z.string(),
              erasedAt: z.number(),
              events: z.number(),
              messages: z.number(),
              journeyRuns: z.number(),
              runsEnded: z.number(),
              outboxDeleted: z.number(),
              suppressions: z.number(),
              auditId: z.number(),
            })
            .describe('Erased (erase=true): what was kept anonymised and what was removed'),
          204: z.null().describe('Deleted'),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      if (request.query.erase) return reply.status(200).send(await eraseContact(deps, workspaceOf(request), request.params.id, actorOf(request)));
      await deleteContact(deps, workspaceOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
