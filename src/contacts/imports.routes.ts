/**
 * @module /api/contacts/imports: CSV imports for the web app (./import-jobs.ts). Two steps, so that the
 * browser knows the job's id while the file is still uploading and can poll its progress:
 *   POST /api/contacts/imports            { fileName, sizeBytes, map, ignore, types, list } → 201 job
 *   PUT  /api/contacts/imports/:id/file   the CSV as the request body (streamed, any size) → the job
 *   GET  /api/contacts/imports/:id        rows done / failed, bytes read, the bad-row report
 * Starting one is an editor's or admin's change (src/users/roles.ts); viewers may read them.
 */
import { z } from 'zod';
import { Readable } from 'node:stream';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RouteModule } from '../api/deps.js';
import { actorOf, requireKey, workspaceOf } from '../api/auth.js';
import { decodeCursor, errorResponses, idParams, pageOf, pageQuery, toPage } from '../api/schemas.js';
import { ATTRIBUTE_TYPES } from './import-mapping.js';
import { createImport, getImport, listImports, runImport } from './import-jobs.js';

const column = z.string().min(1).max(200);
const importBody = z.strictObject({
  fileName: z.string().trim().min(1).max(255),
  sizeBytes: z.number().int().min(0).optional().describe('The file size, for the progress bar'),
  map: z.record(column, z.string().min(1).max(210)).optional().describe("column → userId, email, phone, timezone, locale, address.PART or attributes.NAME (the CLI's --map)"),
  ignore: z.array(column).max(500).optional().describe('columns to skip (--ignore)'),
  types: z.record(column, z.enum(ATTRIBUTE_TYPES)).optional().describe('column → attribute type (--number, --boolean, --date, --json)'),
  list: z.string().min(1).max(200).optional().describe('a list id or name: every imported contact is subscribed to it (--list)'),
});

export const contactImportSchema = z
  .object({
    id: z.string(),
    status: z.enum(['waiting', 'running', 'completed', 'failed']),
    fileName: z.string(),
    sizeBytes: z.number().nullable(),
    bytesRead: z.number().describe('bytes of the file read so far'),
    listId: z.string().nullable(),
    options: z.object({ map: z.record(z.string(), z.string()).optional(), ignore: z.array(z.string()).optional(), types: z.record(z.string(), z.string()).optional() }),
    rows: z.number().describe('rows read (good and bad)'),
    created: z.number(),
    updated: z.number(),
    unchanged: z.number(),
    failed: z.number().describe('bad rows, all of them'),
    failures: z.array(z.object({ line: z.number(), reason: z.string() })).describe('the first 1000 bad rows with their line in the file'),
    error: z.string().nullable().describe('why a failed import stopped'),
    createdAt: z.number(),
    updatedAt: z.number(),
    finishedAt: z.number().nullable(),
  })
  .meta({ id: 'ContactImport' });

export const contactImportsRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['contacts'];

  app.post(
    '/api/contacts/imports',
    {
      onRequest: admin,
      schema: { tags, summary: 'Start a CSV import: then PUT the file to /api/contacts/imports/:id/file', body: importBody, response: { 201: contactImportSchema, ...errorResponses } },
    },
    async (request, reply) => reply.status(201).send(await createImport(deps, workspaceOf(request), request.body, actorOf(request))),
  );

  app.get(
    '/api/contacts/imports',
    { onRequest: admin, schema: { tags, summary: 'Contact imports, newest first', querystring: z.object(pageQuery), response: { 200: pageOf(contactImportSchema), ...errorResponses } } },
    async (request) => toPage(await listImports(deps, workspaceOf(request), { limit: request.query.limit, beforeId: decodeCursor(request.query.cursor) }), request.query.limit, (i) => i.id),
  );

  app.get(
    '/api/contacts/imports/:id',
    { onRequest: admin, schema: { tags, summary: 'A contact import: progress, counts and the bad-row report', params: idParams, response: { 200: contactImportSchema, ...errorResponses } } },
    async (request) => getImport(deps, workspaceOf(request), request.params.id),
  );

  // The file is read as a stream: this context's parser hands the raw request to the route, with no
  // body limit, and never buffers it.
  app.register(async (plugin) => {
    const files = plugin.withTypeProvider<ZodTypeProvider>();
    for (const type of ['text/csv', 'text/plain', 'application/octet-stream', 'application/vnd.ms-excel']) {
      files.addContentTypeParser(type, (_request, payload, done) => done(null, payload));
    }
    files.put(
      '/api/contacts/imports/:id/file',
      {
        onRequest: admin,
        schema: {
          tags,
          summary: 'Upload the CSV of a waiting import (Content-Type text/csv); answers when the whole file is imported',
          description:
            'The body is parsed as it arrives and written in batches; poll GET /api/contacts/imports/:id meanwhile for progress. A header that names no userId or email column, or CSV the parser cannot get past, answers 400 and fails the import.',
          params: idParams,
          response: { 200: contactImportSchema, ...errorResponses },
        },
      },
      async (request) => runImport(deps, workspaceOf(request), request.params.id, (request.body as Readable | undefined) ?? Readable.from([])),
    );
  });
};
