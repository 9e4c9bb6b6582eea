/**
 * @module `/api/suppressions`: list, add and remove addresses on the workspace's suppression list.
 */
import { z } from 'zod';
import type { RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { decodeCursor, errorResponses, pageOf, toPage } from '../api/schemas.js';
import { emailAddress } from '../contacts/schemas.js';
import { listSuppressions, suppress, SUPPRESSION_REASONS, unsuppress } from './suppressions.js';

const reason = z.enum(SUPPRESSION_REASONS as [string, ...string[]]) as z.ZodType<(typeof SUPPRESSION_REASONS)[number]>;
const suppressionSchema = z.object({ address: z.string(), reason, source: z.string().nullable(), detail: z.string().nullable(), createdAt: z.number() });

export const suppressionsRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['suppressions'];

  app.get(
    '/api/suppressions',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'The suppression list (addresses never mailed, or never sent marketing)',
        querystring: z.object({
          reason: reason.optional(),
          address: z.string().max(320).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          cursor: z.string().max(400).optional(),
        }),
        response: { 200: pageOf(suppressionSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { limit, cursor, reason: r, address } = request.query;
      const rows = await listSuppressions(deps, workspaceOf(request), { reason: r, address, limit: limit + 1, after: decodeCursor(cursor) });
      return toPage(rows, limit, (s) => s.address);
    },
  );

  app.post(
    '/api/suppressions',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Suppress an address (manual by default); adding it again is a no-op',
        body: z.strictObject({
          address: emailAddress.describe('One email address; stored normalised (lower-cased, IDN domain as punycode)'),
          reason: reason.default('manual'),
          detail: z.string().max(500).optional(),
          hashed: z.boolean().default(false).describe('store only a SHA-256 of the address (after erasure)'),
        }),
        response: { 200: z.object({ created: z.boolean() }), ...errorResponses },
      },
    },
    async (request) => {
      const b = request.body;
      const created = await suppress(deps.store.db, {
        workspaceId: workspaceOf(request),
        address: b.address,
        reason: b.reason,
        source: 'api',
        ...(b.detail ? { detail: b.detail } : {}),
        hashed: b.hashed,
        now: deps.clock.now(),
      });
      return { created };
    },
  );

  app.delete(
    '/api/suppressions/:address',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: "Remove an address's suppressions (all reasons, or ?reason=)",
        params: z.object({ address: z.string().min(3).max(320) }),
        querystring: z.object({ reason: reason.optional() }),
        response: { 200: z.object({ removed: z.number() }), ...errorResponses },
      },
    },
    async (request) => ({ removed: await unsuppress(deps, workspaceOf(request), request.params.address, request.query.reason) }),
  );
};
