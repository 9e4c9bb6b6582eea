/**
 * @module HTTP routes of the journey runtime (admin key): a journey's runs, a contact's runs with
 * their step history, and manual enrolment.
 */
import { z } from 'zod';
import type { RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { JourneyCatalog } from './runtime/catalog.js';
import { contactJourneys, enrollContacts, listRuns } from './runtime/manual.js';

const RunStatus = z.enum(['active', 'waiting', 'completed', 'exited', 'converted', 'errored', 'timed_out']);

const Run = z.object({
  id: z.string(),
  journeyId: z.string(),
  version: z.number(),
  contactId: z.string(),
  status: RunStatus,
  currentNode: z.string().nullable(),
  dueAt: z.number().nullable(),
  waitingFor: z.string().nullable(),
  attempts: z.number(),
  lastError: z.string().nullable(),
  enteredAt: z.number(),
  endedAt: z.number().nullable(),
  exitReason: z.string().nullable(),
  goalValue: z.number().nullable(),
});

const Step = z.object({ node: z.string(), visit: z.number(), outcome: z.string(), dueAt: z.number().nullable(), executedAt: z.number(), detail: z.record(z.string(), z.unknown()).nullable() });

const Ids = z.array(z.string().min(1)).min(1).max(10_000);

export const runsRoutes: RouteModule = (app, deps) => {
  const catalog = new JourneyCatalog();
  const admin = requireKey(deps, 'admin');

  app.get(
    '/api/journeys/:id/runs',
    {
      onRequest: admin,
      schema: {
        tags: ['journeys'],
        summary: "A journey's runs, by page (cursor: the last run id of the previous page)",
        params: z.object({ id: z.string() }),
        querystring: z.object({ status: RunStatus.optional(), limit: z.coerce.number().int().min(1).max(1000).default(100), after: z.string().optional() }),
        response: { 200: z.object({ runs: z.array(Run), next: z.string().nullable() }) },
      },
    },
    async (request) => listRuns(deps, workspaceOf(request), request.params.id, request.query),
  );

  app.get(
    '/api/contacts/:id/journeys',
    {
      onRequest: admin,
      schema: {
        tags: ['journeys'],
        summary: "A contact's journey runs with their step history: where the contact is, and why",
        params: z.object({ id: z.string() }),
        response: { 200: z.object({ contactId: z.string(), runs: z.array(Run.extend({ steps: z.array(Step) })) }) },
      },
    },
    async (request) => contactJourneys(deps, workspaceOf(request), request.params.id),
  );

  app.post(
    '/api/journeys/:id/enroll',
    {
      onRequest: admin,
      schema: {
        tags: ['journeys'],
        summary: 'Enrol contacts (by id or userId) in a live journey; entry rules apply; all in one transaction',
        params: z.object({ id: z.string() }),
        body: z.object({ contactIds: Ids.optional(), userIds: Ids.optional() }),
        response: {
          200: z.object({
            enrolled: z.array(z.object({ contactId: z.string(), runId: z.string() })),
            skipped: z.array(z.object({ contactId: z.string().optional(), userId: z.string().optional(), reason: z.string() })),
          }),
        },
      },
    },
    async (request) => enrollContacts(deps, catalog, workspaceOf(request), request.params.id, request.body),
  );
};
