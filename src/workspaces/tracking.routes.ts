/**
 * @module `GET/PUT /api/workspace/tracking` (admin): website tracking settings (./tracking.ts):
 * whether the snippet waits for consent, and which hosts get a click id on tracked links.
 */
import { z } from 'zod';
import type { RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { errorResponses } from '../api/schemas.js';
import { loadTrackingSettings, saveTrackingSettings, trackingSettingsSchema } from './tracking.js';

const answer = z.object({ consentRequired: z.boolean(), clickIdDomains: z.array(z.string()) });

export const trackingSettingsRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['workspace'];
  app.get(
    '/api/workspace/tracking',
    { onRequest: admin, schema: { tags, summary: 'Website tracking: consent requirement and click-id hosts', response: { 200: answer, ...errorResponses } } },
    async (request) => loadTrackingSettings(deps.store.db, workspaceOf(request)),
  );
  app.put(
    '/api/workspace/tracking',
    {
      onRequest: admin,
      schema: { tags, summary: 'Set website tracking settings (absent fields: their defaults)', body: trackingSettingsSchema.strict(), response: { 200: answer, ...errorResponses } },
    },
    async (request) => saveTrackingSettings(deps.store, workspaceOf(request), request.body),
  );
};
