/**
 * @module `GET/PUT /api/channels/sms/settings`: the workspace's SMS settings (./settings.ts). Reading
 * needs any role; writing is an admin change (src/users/roles.ts). A PUT replaces the whole object:
 * absent fields take their defaults, a bad field is a 400 naming its path and nothing is stored.
 */
import type { RouteModule } from '../../api/deps.js';
import { requireKey, workspaceOf } from '../../api/auth.js';
import { errorResponses } from '../../api/schemas.js';
import { getSmsSettings, putSmsSettings, smsSettingsSchema } from './settings.js';

export const smsSettingsRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['sms'];
  app.get(
    '/api/channels/sms/settings',
    { onRequest: admin, schema: { tags, summary: "The workspace's SMS settings (the defaults when none were saved)", response: { 200: smsSettingsSchema, ...errorResponses } } },
    async (request) => getSmsSettings(deps.store.db, workspaceOf(request)),
  );
  app.put(
    '/api/channels/sms/settings',
    {
      onRequest: admin,
      schema: { tags, summary: "Replace the workspace's SMS settings (absent fields: their defaults)", body: smsSettingsSchema, response: { 200: smsSettingsSchema, ...errorResponses } },
    },
    async (request) => putSmsSettings(deps.store.db, workspaceOf(request), request.body, deps.clock),
  );
};
