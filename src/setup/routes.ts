/**
 * @module /api/setup/checklist: the setup checklist of the workspace (./checklist.ts).
 */
import { z } from 'zod';
import type { RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { errorResponses } from '../api/schemas.js';
import { CHECKLIST_ITEMS, CHECKLIST_PROBLEMS, DNS_RECORDS, setupChecklist } from './checklist.js';

export const setupRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  app.get(
    '/api/setup/checklist',
    {
      onRequest: admin,
      schema: {
        tags: ['workspace'],
        summary: 'What the workspace still lacks before its first journey sends: postal address, email provider, sending domain DNS, a first contact, a first live journey',
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.enum(CHECKLIST_ITEMS),
                done: z.boolean(),
                detail: z.string().optional().describe('what stands in the way, in English'),
                problem: z
                  .object({ code: z.enum(CHECKLIST_PROBLEMS), domain: z.string().optional(), records: z.array(z.enum(DNS_RECORDS)).optional() })
                  .optional()
                  .describe('the same as a code, for a client to word in its own language'),
                link: z.string().describe('where in the web app (under /app) it is done'),
              }),
            ),
            complete: z.boolean(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => setupChecklist(deps, workspaceOf(request)),
  );
};
