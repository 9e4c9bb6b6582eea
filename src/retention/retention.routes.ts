/**
 * @module GET and PUT /api/retention (admin key): how many months of raw events the workspace keeps
 * (docs/retention.md).
 */
import type { RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { errorResponses } from '../api/schemas.js';
import { loadRetention, retentionAnswerSchema, retentionSettingsSchema, saveRetention } from './settings.js';

export const retentionRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['retention'];
  const defaultMonths = () => deps.config.retention?.eventsMonths;

  app.get('/api/retention', { onRequest: admin, schema: { tags, summary: 'Months of raw events the workspace keeps', response: { 200: retentionAnswerSchema, ...errorResponses } } }, async (request) =>
    loadRetention(deps.store.db, workspaceOf(request), defaultMonths()),
  );

  app.put(
    '/api/retention',
    {
      onRequest: admin,
      schema: { tags, summary: 'Set the months of raw events kept (older ones become hourly counts)', body: retentionSettingsSchema, response: { 200: retentionAnswerSchema, ...errorResponses } },
    },
    async (request) => saveRetention(deps.store, workspaceOf(request), request.body, defaultMonths()),
  );
};
