/**
 * @module `/api/email/topics` (admin): list, create, rename and delete the topics of the preference
 * center (./topics.ts). The id is fixed once created; a topic still in use is not deleted (409).
 */
import { z } from 'zod';
import type { RouteModule } from '../../api/deps.js';
import { requireKey, workspaceOf } from '../../api/auth.js';
import { errorResponses } from '../../api/schemas.js';
import { emailDefaultsOf } from './env.js';
import { createTopic, deleteTopic, listTopics, updateTopic } from './topics.js';

const topicId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be a lower-case slug');
const topicSchema = z.object({ id: z.string(), name: z.string(), description: z.string().optional() });
const params = z.object({ id: z.string() });

export const topicsRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['email'];
  const defaults = () => emailDefaultsOf(deps.config);

  app.get(
    '/api/email/topics',
    { onRequest: admin, schema: { tags, summary: 'The topics contacts can choose in the preference center', response: { 200: z.object({ data: z.array(topicSchema) }), ...errorResponses } } },
    async (request) => ({ data: await listTopics(deps.store.db, workspaceOf(request), defaults()) }),
  );
  app.post(
    '/api/email/topics',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Add a topic (409 if the id exists)',
        body: z.object({ id: topicId, name: z.string().trim().min(1).max(200), description: z.string().max(500).optional() }).strict(),
        response: { 201: topicSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { id, name, description } = request.body;
      const topic = await createTopic(deps, workspaceOf(request), defaults(), { id, name, ...(description ? { description } : {}) });
      return reply.code(201).send(topic);
    },
  );
  app.patch(
    '/api/email/topics/:id',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Rename a topic or change its description (the id stays: journeys, broadcasts and consent records refer to it)',
        params,
        body: z.object({ name: z.string().trim().min(1).max(200).optional(), description: z.string().max(500).nullable().optional() }).strict(),
        response: { 200: topicSchema, ...errorResponses },
      },
    },
    async (request) => updateTopic(deps, workspaceOf(request), defaults(), request.params.id, request.body),
  );
  app.delete(
    '/api/email/topics/:id',
    { onRequest: admin, schema: { tags, summary: 'Delete a topic no journey or unfinished broadcast uses (409 names the users otherwise)', params, response: { 204: z.null(), ...errorResponses } } },
    async (request, reply) => {
      await deleteTopic(deps, workspaceOf(request), defaults(), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
