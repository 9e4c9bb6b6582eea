/**
 * @module `GET /api/audit`: the workspace's audit log (exports, erasures, lifted erasure
 * suppressions), oldest first, cursor-paginated, filtered by action or subject.
 */
import { z } from 'zod';
import type { RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { ValidationError } from '../core/errors.js';
import { decodeCursor, errorResponses, pageOf, pageQuery, toPage } from '../api/schemas.js';
import { listAudit } from './audit.js';

const auditEntrySchema = z.object({
  id: z.number().int(),
  actor: z.string().nullable().describe('The API key id that acted; null when the person acted (double opt-in)'),
  action: z.string(),
  subject: z.string().describe('What was acted on: a contact id'),
  details: z.record(z.string(), z.unknown()).describe('Counts and flags only, never personal data'),
  at: z.number().int(),
});

export const auditRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');

  app.get(
    '/api/audit',
    {
      onRequest: admin,
      schema: {
        tags: ['audit'],
        summary: 'The audit log of data-rights acts (exports, erasures), oldest first',
        querystring: z.object({
          ...pageQuery,
          action: z.string().max(100).optional(),
          subject: z.string().max(64).optional(),
        }),
        response: { 200: pageOf(auditEntrySchema), ...errorResponses },
      },
    },
    async (request) => {
      const { limit, cursor, action, subject } = request.query;
      const after = decodeCursor(cursor);
      const afterId = after === undefined ? undefined : Number(after);
      if (afterId !== undefined && !Number.isSafeInteger(afterId)) throw ValidationError.at('querystring.cursor', 'not a cursor returned by this API');
      const rows = await listAudit(deps, workspaceOf(request), { limit, afterId, action, subject });
      return toPage(rows, limit, (e) => e.id);
    },
  );
};
