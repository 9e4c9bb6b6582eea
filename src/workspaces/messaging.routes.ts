/**
 * @module `GET/PUT /api/workspace/messaging` (admin): the workspace's default quiet hours and
 * frequency cap for journeys and broadcasts that set none (./messaging.ts).
 */
import { z } from 'zod';
import type { RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { errorResponses } from '../api/schemas.js';
import { loadMessagingDefaults, messagingDefaultsSchema, saveMessagingDefaults } from './messaging.js';

const outcome = z.enum(['defer', 'skip', 'exit']);
const answer = z.object({
  quietHours: z.object({ start: z.string(), end: z.string(), outcome }).nullable(),
  frequencyCap: z.object({ max: z.number(), per: z.string(), channel: z.string().optional(), outcome }).nullable(),
});

export const messagingDefaultsRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['workspace'];
  app.get(
    '/api/workspace/messaging',
    { onRequest: admin, schema: { tags, summary: 'Default quiet hours and frequency cap for journeys and broadcasts without their own', response: { 200: answer, ...errorResponses } } },
    async (request) => loadMessagingDefaults(deps.store.db, workspaceOf(request)),
  );
  app.put(
    '/api/workspace/messaging',
    {
      onRequest: admin,
      schema: { tags, summary: 'Set the default quiet hours and frequency cap (null or absent: none)', body: messagingDefaultsSchema.strict(), response: { 200: answer, ...errorResponses } },
    },
    async (request) => saveMessagingDefaults(deps.store, workspaceOf(request), request.body),
  );
};
