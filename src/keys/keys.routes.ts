/**
 * @module /api/keys: create API keys (the secret is in the creation response only), list them (never
 * hashes or secrets), set a write key's browser origins (./origins.ts), and revoke them (a revoked
 * key is refused at once: auth looks it up per request).
 */
import { z } from 'zod';
import type { RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { errorResponses, idParams } from '../api/schemas.js';
import { createKey, listKeys, revokeKey, setKeyOrigins } from './keys.js';
import { MAX_ORIGINS } from './origins.js';

const keySchema = z.object({
  id: z.string(),
  kind: z.enum(['write', 'admin']),
  name: z.string(),
  prefix: z.string().describe('The first characters of the secret, to tell keys apart'),
  createdAt: z.number().int(),
  lastUsedAt: z.number().int().nullable(),
  revokedAt: z.number().int().nullable(),
  allowedOrigins: z.array(z.string()).nullable().describe('Origins a browser may use this write key from; null: any origin'),
});

const originsInput = z
  .array(z.string().max(300))
  .max(MAX_ORIGINS)
  .nullable()
  .describe('Write keys only. Exact origins (`https://shop.example.com`) or subdomain wildcards (`https://*.example.com`); null or [] for any origin');

const createdKeySchema = keySchema.extend({ secret: z.string().describe('The key itself. Shown only in this response; store it now') });

const createBody = z.strictObject({
  kind: z.enum(['write', 'admin']).describe('write: ingestion (/v1) only; admin: everything'),
  name: z.string().trim().min(1).max(200).optional(),
  allowedOrigins: originsInput.optional(),
});

const patchBody = z.strictObject({ allowedOrigins: originsInput.optional() });

export const keysRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['keys'];

  app.post(
    '/api/keys',
    { onRequest: admin, schema: { tags, summary: 'Create an API key; the secret is returned once', body: createBody, response: { 201: createdKeySchema, ...errorResponses } } },
    async (request, reply) => {
      const { kind, name, allowedOrigins } = request.body;
      const created = await createKey(deps, { workspaceId: workspaceOf(request), kind, ...(name ? { name } : {}), allowedOrigins: allowedOrigins ?? null });
      return reply.status(201).send(created);
    },
  );

  app.get(
    '/api/keys',
    { onRequest: admin, schema: { tags, summary: "The workspace's API keys, revoked ones included", response: { 200: z.object({ data: z.array(keySchema) }), ...errorResponses } } },
    async (request) => ({ data: await listKeys(deps, workspaceOf(request)) }),
  );

  app.patch(
    '/api/keys/:id',
    {
      onRequest: admin,
      schema: { tags, summary: "Set a write key's allowed browser origins (null or [] for any origin)", params: idParams, body: patchBody, response: { 200: keySchema, ...errorResponses } },
    },
    async (request) => setKeyOrigins(deps, workspaceOf(request), request.params.id, request.body.allowedOrigins),
  );

  const revoke = {
    onRequest: admin,
    schema: { tags, summary: 'Revoke an API key (idempotent); it is refused from the next request on', params: idParams, response: { 200: keySchema, ...errorResponses } },
  };
  app.post('/api/keys/:id/revoke', revoke, async (request) => revokeKey(deps, workspaceOf(request), request.params.id));
  app.delete('/api/keys/:id', revoke, async (request) => revokeKey(deps, workspaceOf(request), request.params.id));
};
