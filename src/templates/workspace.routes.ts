/**
 * @module /api/workspace (admin key): the key's own workspace settings — name, fallback time zone
 * and the postal address every marketing email must show.
 */
import { z } from 'zod';
import type { App } from '../api/deps.js';
import type { AppDeps } from '../core/app-deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { errorResponses } from '../api/schemas.js';
import { getWorkspaceSettings, updateWorkspaceSettings } from './workspace-settings.js';

const settingsSchema = z.object({ id: z.string(), name: z.string(), timezone: z.string(), postalAddress: z.string(), allowPrivateWebhookTargets: z.boolean() });

const patchBody = z
  .object({
    name: z.string().min(1).max(200).optional(),
    timezone: z.string().min(1).max(64).optional().describe('IANA time zone, the fallback for contacts without one'),
    postalAddress: z.string().max(500).optional().describe('Shown in every marketing email (CAN-SPAM) as {{ workspace.postal_address }}'),
    allowPrivateWebhookTargets: z.boolean().optional().describe('Let webhook messages reach private, loopback and link-local addresses (refused by default)'),
  })
  .strict();

export function workspaceRoutes(app: App, deps: AppDeps): void {
  const admin = requireKey(deps, 'admin');
  const tags = ['workspace'];
  app.get('/api/workspace', { onRequest: admin, schema: { tags, summary: "This workspace's settings", response: { 200: settingsSchema, ...errorResponses } } }, async (request) =>
    getWorkspaceSettings(deps.store.db, workspaceOf(request)),
  );
  app.patch(
    '/api/workspace',
    { onRequest: admin, schema: { tags, summary: 'Change name, time zone, postal address or the private-webhook switch', body: patchBody, response: { 200: settingsSchema, ...errorResponses } } },
    async (request) => updateWorkspaceSettings(deps, workspaceOf(request), request.body),
  );
}
