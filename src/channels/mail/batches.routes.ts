/**
 * @module The print batches as the web app shows them (docs/mail.md "Sending"):
 *  - `GET /api/mail/batches`: newest first (day, provider, pieces, pages, status, cost, where it went,
 *    the last error); no addresses, so any signed-in role may list;
 *  - `GET /api/mail/batches/:id/pieces`: each piece's status, country, postcode, expected delivery;
 *  - `GET /api/mail/batches/:id/batch.pdf`, `manifest.csv`, `manifest.json`: the files, streamed from
 *    the data directory once the batch is built (404 before the cut-off).
 * Pieces and files carry addresses: editors and above (src/users/roles.ts EDITOR_READS), admin keys.
 */
import fs from 'node:fs';
import { z } from 'zod';
import type { RouteModule } from '../../api/deps.js';
import { requireKey, workspaceOf } from '../../api/auth.js';
import { errorResponses } from '../../api/schemas.js';
import { NotFoundError } from '../../core/errors.js';
import { batchFiles } from './batch-files.js';

const money = (micros: number) => micros / 1_000_000;

const batchSchema = z.object({
  id: z.string(),
  day: z.string().nullable(),
  providerId: z.string().nullable(),
  providerName: z.string().nullable(),
  providerKind: z.string().nullable(),
  status: z.string(),
  pieceCount: z.number(),
  pageCount: z.number(),
  cost: z.number(),
  cutoffAt: z.number().nullable(),
  deliveredAt: z.number().nullable(),
  deliveredTo: z.string().nullable(),
  error: z.string().nullable(),
  attempts: z.number(),
  files: z.boolean().describe('The merged PDF and manifests are built and can be downloaded'),
});

const pieceSchema = z.object({
  id: z.string(),
  contactId: z.string(),
  kind: z.string(),
  status: z.string(),
  pages: z.number(),
  country: z.string(),
  postcode: z.string().nullable(),
  expectedDeliveryDate: z.string().nullable(),
  cost: z.number(),
  error: z.string().nullable(),
});

const FILES = { 'batch.pdf': ['batchPdf', 'application/pdf'], 'manifest.csv': ['manifestCsv', 'text/csv; charset=utf-8'], 'manifest.json': ['manifestJson', 'application/json'] } as const;

export const mailBatchRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const dataDir = deps.config.dataDir;
  const batchOf = async (workspaceId: string, id: string) => {
    const b = await deps.store.db.selectFrom('mail_batches').select(['id']).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    if (!b) throw new NotFoundError('mail batch', id);
    return batchFiles(dataDir, workspaceId, b.id);
  };

  app.get(
    '/api/mail/batches',
    {
      onRequest: admin,
      schema: {
        tags: ['channels'],
        summary: 'Direct mail print batches, newest first',
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: z.object({ batches: z.array(batchSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const workspaceId = workspaceOf(request);
      const rows = await deps.store.db
        .selectFrom('mail_batches as b')
        .leftJoin('channel_providers as c', 'c.id', 'b.provider_id')
        .select([
          'b.id',
          'b.day',
          'b.provider_id',
          'c.name',
          'c.kind',
          'b.status',
          'b.piece_count',
          'b.page_count',
          'b.cost_micros',
          'b.cutoff_at',
          'b.delivered_at',
          'b.delivered_to',
          'b.error',
          'b.attempts',
          'b.created_at',
        ])
        .where('b.workspace_id', '=', workspaceId)
        .orderBy('b.created_at', 'desc')
        .orderBy('b.id', 'desc')
        .limit(request.query.limit)
        .execute();
      return {
        batches: rows.map((r) => ({
          id: r.id,
          day: r.day ?? null,
          providerId: r.provider_id ?? null,
          providerName: r.name ?? null,
          providerKind: r.kind ?? null,
          status: r.status,
          pieceCount: Number(r.piece_count),
          pageCount: Number(r.page_count),
          cost: money(Number(r.cost_micros)),
          cutoffAt: r.cutoff_at === null ? null : Number(r.cutoff_at),
          deliveredAt: r.delivered_at === null ? null : Number(r.delivered_at),
          deliveredTo: r.delivered_to ?? null,
          error: r.error ?? null,
          attempts: Number(r.attempts),
          files: fs.existsSync(batchFiles(dataDir, workspaceId, r.id).manifestJson),
        })),
      };
    },
  );

  app.get(
    '/api/mail/batches/:id/pieces',
    {
      onRequest: admin,
      schema: {
        tags: ['channels'],
        summary: "A print batch's pieces and their status; editors and above",
        params: z.object({ id: z.string().max(64) }),
        response: { 200: z.object({ pieces: z.array(pieceSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const workspaceId = workspaceOf(request);
      await batchOf(workspaceId, request.params.id);
      const rows = await deps.store.db
        .selectFrom('mail_pieces')
        .select(['id', 'contact_id', 'kind', 'status', 'pages', 'country', 'postcode', 'expected_delivery_date', 'cost_micros', 'error'])
        .where('workspace_id', '=', workspaceId)
        .where('batch_id', '=', request.params.id)
        .orderBy('country')
        .orderBy('postcode')
        .orderBy('id')
        .limit(10_000)
        .execute();
      return {
        pieces: rows.map((r) => ({
          id: r.id,
          contactId: r.contact_id,
          kind: r.kind,
          status: r.status,
          pages: Number(r.pages),
          country: r.country,
          postcode: r.postcode ?? null,
          expectedDeliveryDate: r.expected_delivery_date ?? null,
          cost: money(Number(r.cost_micros)),
          error: r.error ?? null,
        })),
      };
    },
  );

  app.get(
    '/api/mail/batches/:id/:file',
    {
      onRequest: admin,
      schema: {
        tags: ['channels'],
        summary: "A built print batch's merged PDF or manifest (batch.pdf, manifest.csv, manifest.json); editors and above",
        params: z.object({ id: z.string().max(64), file: z.enum(['batch.pdf', 'manifest.csv', 'manifest.json']) }),
      },
    },
    async (request, reply) => {
      const files = await batchOf(workspaceOf(request), request.params.id);
      const [key, type] = FILES[request.params.file];
      const file = files[key];
      if (!fs.existsSync(files.manifestJson) || !fs.existsSync(file)) throw new NotFoundError('mail batch file', `${request.params.id}/${request.params.file}`);
      reply.header('content-disposition', `attachment; filename="${request.params.id}-${request.params.file}"`);
      reply.header('cache-control', 'private, no-store');
      return reply.type(type).send(fs.createReadStream(file));
    },
  );
};
