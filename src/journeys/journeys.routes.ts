/**
 * @module /api/journeys: create, apply (PUT), read, list, change state, read a version, and a dry-run
 * validation. The request body is declared as the journey document schema, so the OpenAPI document
 * carries it, but it is validated by the journey validator (./definition/validate.ts) rather than by
 * the route: that reports every problem at once, graph problems included, each naming its node.
 */
import { z } from 'zod';
import type { FastifySchemaCompiler } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { errorResponses } from '../api/schemas.js';
import { ValidationError } from '../core/errors.js';
import { JourneyDocument } from './definition/schema.js';
import { DraftDocument } from './definition/draft.js';
import { applyJourney, journeyDetail, listJourneys, setStatus, validate, versionDocument } from './journeys.js';

const Status = z.enum(['draft', 'live', 'paused', 'archived']);
const Issue = z.object({ path: z.string(), message: z.string() });

const JourneyRecord = z.object({
  id: z.string(),
  name: z.string(),
  status: Status,
  version: z.number().int().describe('current version'),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
const ApplyResult = z.object({
  id: z.string(),
  outcome: z.enum(['created', 'updated', 'unchanged']),
  version: z.number().int(),
  status: Status,
  warnings: z.array(Issue),
  problems: z.array(Issue).optional().describe('only when an incomplete draft was saved: what blocks going live'),
});
/** A stored document: complete, or an incomplete draft as saved. */
const StoredDocument = z.union([JourneyDocument, DraftDocument]);
const IdParams = z.object({ id: z.string().min(1) });

/** Body schemas are for the OpenAPI document only; the journey validator checks the body. */
const documentBody: FastifySchemaCompiler<unknown> = (route) =>
  route.httpPart === 'body' ? (data: unknown) => ({ value: data }) : validatorCompiler(route as Parameters<typeof validatorCompiler>[0]);

/** PUT /api/journeys/:id takes the id from the URL; a body naming another id is an error. */
function withId(body: unknown, id: string): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const given = (body as { id?: unknown }).id;
  if (given !== undefined && given !== id) throw ValidationError.at('id', `the document's id "${String(given)}" differs from the URL's "${id}"`);
  return { ...body, id };
}

export const journeysRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['journeys'];

  app.post(
    '/api/journeys',
    {
      onRequest: admin,
      validatorCompiler: documentBody,
      schema: { tags, summary: 'Create a journey (409 if its id exists)', body: JourneyDocument, response: { 201: ApplyResult, ...errorResponses } },
    },
    async (request, reply) => reply.status(201).send(await applyJourney(deps, workspaceOf(request), request.body as unknown, 'create')),
  );

  app.put(
    '/api/journeys/:id',
    {
      onRequest: admin,
      validatorCompiler: documentBody,
      schema: {
        tags,
        summary:
          'Create or update a journey: a changed document becomes a new version; an unchanged one is a no-op. A draft saves incomplete (its errors come back as `problems`); going live needs it complete',
        params: IdParams,
        body: JourneyDocument,
        response: { 200: ApplyResult, 201: ApplyResult, ...errorResponses },
      },
    },
    async (request, reply) => {
      const result = await applyJourney(deps, workspaceOf(request), withId(request.body as unknown, request.params.id));
      return reply.status(result.outcome === 'created' ? 201 : 200).send(result);
    },
  );

  app.post(
    '/api/journeys/validate',
    {
      onRequest: admin,
      validatorCompiler: documentBody,
      schema: {
        tags,
        summary: 'Validate a journey document without storing it',
        body: JourneyDocument,
        response: { 200: z.object({ valid: z.boolean(), errors: z.array(Issue), warnings: z.array(Issue) }), ...errorResponses },
      },
    },
    async (request) => {
      const r = await validate(deps, workspaceOf(request), request.body as unknown);
      return { valid: r.ok, errors: r.errors, warnings: r.warnings };
    },
  );

  app.get(
    '/api/journeys',
    {
      onRequest: admin,
      schema: { tags, summary: 'List journeys', querystring: z.object({ status: Status.optional() }), response: { 200: z.object({ journeys: z.array(JourneyRecord) }), ...errorResponses } },
    },
    async (request) => ({ journeys: await listJourneys(deps.store.db, workspaceOf(request), request.query.status) }),
  );

  app.get(
    '/api/journeys/:id',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'A journey: its state, current document and versions',
        params: IdParams,
        response: { 200: JourneyRecord.extend({ document: StoredDocument, versions: z.array(z.object({ version: z.number().int(), createdAt: z.number().int() })) }), ...errorResponses },
      },
    },
    async (request) => journeyDetail(deps, workspaceOf(request), request.params.id),
  );

  app.post(
    '/api/journeys/:id/status',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Change state: draft→live, live→paused, paused→live, any→archived (409 otherwise)',
        params: IdParams,
        body: z.object({ status: Status }),
        response: { 200: JourneyRecord, ...errorResponses },
      },
    },
    async (request) => setStatus(deps, workspaceOf(request), request.params.id, request.body.status),
  );

  app.get(
    '/api/journeys/:id/versions/:version',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'One version of a journey document',
        params: IdParams.extend({ version: z.coerce.number().int().min(1) }),
        response: { 200: z.object({ id: z.string(), version: z.number().int(), document: StoredDocument }), ...errorResponses },
      },
    },
    async (request) => ({
      id: request.params.id,
      version: request.params.version,
      document: await versionDocument(deps, workspaceOf(request), request.params.id, request.params.version),
    }),
  );
};
