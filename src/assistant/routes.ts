/**
 * @module The writing assistant's HTTP API (docs/assistant.md):
 *  - `GET /api/assistant/settings`: the workspace's settings, the key only as `apiKeySet`;
 *  - `PUT /api/assistant/settings`: an admin change (src/users/roles.ts);
 *  - `POST /api/assistant/suggest`: suggestions for the editor (editors and admins); nothing is
 *    saved or sent.
 */
import type { RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { errorResponses } from '../api/schemas.js';
import { assistantSettingsAnswerSchema, assistantSettingsInputSchema, getAssistantSettings, putAssistantSettings } from './settings.js';
import { suggest, suggestAnswerSchema, suggestInputSchema } from './suggest.js';

export const assistantRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['assistant'];
  app.get(
    '/api/assistant/settings',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: "The workspace's writing-assistant settings (off until an admin turns it on; the API key is never shown)",
        response: { 200: assistantSettingsAnswerSchema, ...errorResponses },
      },
    },
    async (request) => getAssistantSettings(deps.store.db, workspaceOf(request)),
  );
  app.put(
    '/api/assistant/settings',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Replace the writing-assistant settings (apiKey omitted: kept; null: removed)',
        body: assistantSettingsInputSchema,
        response: { 200: assistantSettingsAnswerSchema, ...errorResponses },
      },
    },
    async (request) => putAssistantSettings(deps.store.db, deps.secretBox, workspaceOf(request), request.body, deps.clock),
  );
  app.post(
    '/api/assistant/suggest',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Subject-line variants, SMS variants or a translation draft of a template, for a person to pick into the editor (nothing is saved or sent)',
        body: suggestInputSchema,
        response: { 200: suggestAnswerSchema, ...errorResponses },
      },
    },
    async (request) => suggest(deps, workspaceOf(request), request.body),
  );
};
