/**
 * @module /api/templates (admin key): create, update (a new version when the content changed), read
 * with versions, list, archive, and preview a render for a contact or a sample (of a saved version,
 * or of unsaved content: ./draft-preview.ts); the merge tags an editor offers (./merge-tags.ts).
 * Also registers /api/workspace (./workspace.routes.ts).
 */
import { z } from 'zod';
import { templateChannels } from '../channels/descriptors.js';
import type { RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { errorResponses } from '../api/schemas.js';
import { NotFoundError } from '../core/errors.js';
import { TemplateCache } from './cache.js';
import { findTemplate } from './repository.js';
import { getTemplateVersion, getTemplateView, listTemplates } from './queries.js';
import { archiveTemplate, saveTemplates } from './service.js';
import { previewTemplate, previewBody, previewResponse } from './preview.js';
import { createRenderPool } from './render-pool.js';
import { templateContentSchema, templateInputSchema } from './template.js';
import { workspaceRoutes } from './workspace.routes.js';
import { mailPreviewBody, mailPreviewPdf } from './mail-preview.js';
import { createMailRenderer, type MailRenderer } from '../channels/mail/render/renderer.js';
import { draftPreviewBody, previewDraft } from './draft-preview.js';
import { mergeTags } from './merge-tags.js';
import { getWorkspaceSettings } from './workspace-settings.js';

const idParams = z.object({ id: z.string().max(64) });

const templateSchema = z.object({
  id: z.string(),
  workspaceId: z.string(),
  name: z.string(),
  channel: z.enum(templateChannels),
  kind: z.enum(['marketing', 'transactional', 'layout', 'partial']),
  currentVersion: z.number().int(),
  archived: z.boolean(),
  createdAt: z.number(),
  updatedAt: z.number(),
});

const versionSchema = z.object({
  templateId: z.string(),
  version: z.number().int(),
  content: templateContentSchema,
  warnings: z.array(z.string()).describe('Validation warnings at save, e.g. unknown variables'),
  layoutId: z.string().nullable(),
  layoutVersion: z.number().int().nullable(),
  createdAt: z.number(),
});

const viewSchema = templateSchema.extend({
  current: versionSchema,
  versions: z.array(z.object({ version: z.number().int(), createdAt: z.number(), layoutId: z.string().nullable(), layoutVersion: z.number().int().nullable() })),
});

const savedSchema = viewSchema.extend({ newVersion: z.boolean().describe('False when the content was unchanged and no version was made') });

const updateBody = templateInputSchema.omit({ id: true }).partial({ name: true, kind: true, channel: true });

export const templateRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['templates'];
  // One per app: parsed Liquid and versions are reused across previews.
  const templateCache = new TemplateCache({ now: () => deps.clock.now() });
  // Previews render on worker threads, never on the event loop (./render-pool.ts).
  const renderPool = createRenderPool();
  app.addHook('onClose', () => renderPool.close());
  // Saves compile MJML on the pool too (MJML is synchronous, ~10 ms a plain document, far more for a big one).
  const withPool = (ws: string) => ({ ...deps, compileBodies: renderPool.compileFor(ws) });
  const saved = async (workspaceId: string, id: string, newVersion: boolean) => {
    templateCache.invalidate(workspaceId, id);
    return { ...(await getTemplateView(deps, workspaceId, id)), newVersion };
  };

  app.post(
    '/api/templates',
    {
      onRequest: admin,
      schema: { tags, summary: 'Create a template (version 1); validation errors carry field:line:column', body: templateInputSchema, response: { 201: savedSchema, ...errorResponses } },
    },
    async (request, reply) => {
      const ws = workspaceOf(request);
      const [result] = await saveTemplates(withPool(ws), ws, [request.body], 'create');
      return reply.status(201).send(await saved(ws, result!.id, true));
    },
  );

  app.put(
    '/api/templates/:id',
    {
      onRequest: admin,
      schema: { tags, summary: "Replace a template's content: a new version when it changed", params: idParams, body: updateBody, response: { 200: savedSchema, ...errorResponses } },
    },
    async (request) => {
      const ws = workspaceOf(request);
      const { id } = request.params;
      const before = await findTemplate(deps.store.db, ws, id);
      if (!before) throw new NotFoundError('template', id);
      const body = request.body;
      const input = { id, name: body.name ?? before.name, kind: body.kind ?? before.kind, channel: body.channel ?? before.channel, content: body.content };
      const [result] = await saveTemplates(withPool(ws), ws, [input], 'update');
      return saved(ws, id, result!.newVersion);
    },
  );

  app.get(
    '/api/templates',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'List templates',
        querystring: z.object({
          kind: z.enum(['marketing', 'transactional', 'layout', 'partial']).optional(),
          channel: z.enum(templateChannels).optional(),
          includeArchived: z.enum(['true', 'false']).optional(),
        }),
        response: { 200: z.object({ data: z.array(templateSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      return { data: await listTemplates(deps, workspaceOf(request), { kind: q.kind, channel: q.channel, includeArchived: q.includeArchived === 'true' }) };
    },
  );

  app.get(
    '/api/templates/:id',
    { onRequest: admin, schema: { tags, summary: 'A template with its current version and the list of versions', params: idParams, response: { 200: viewSchema, ...errorResponses } } },
    async (request) => getTemplateView(deps, workspaceOf(request), request.params.id),
  );

  app.get(
    '/api/templates/:id/versions/:version',
    {
      onRequest: admin,
      schema: { tags, summary: 'One version of a template', params: idParams.extend({ version: z.coerce.number().int().min(1) }), response: { 200: versionSchema, ...errorResponses } },
    },
    async (request) => getTemplateVersion(deps, workspaceOf(request), request.params.id, request.params.version),
  );

  app.delete(
    '/api/templates/:id',
    { onRequest: admin, schema: { tags, summary: 'Archive a template (its versions stay, for messages already sent)', params: idParams, response: { 204: z.null(), ...errorResponses } } },
    async (request, reply) => {
      const ws = workspaceOf(request);
      await archiveTemplate(deps, ws, request.params.id);
      templateCache.invalidate(ws, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/templates/:id/preview',
    {
      onRequest: admin,
      schema: { tags, summary: 'Render a template for a contact (by id or inline) or a sample contact', params: idParams, body: previewBody, response: { 200: previewResponse, ...errorResponses } },
    },
    async (request) => previewTemplate({ ...deps, templateCache, renderPool }, workspaceOf(request), request.params.id, request.body),
  );

  app.post(
    '/api/templates/preview',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Render an email as edited, without saving it: Liquid and MJML errors are a 400 with field and line; what only blocks saving comes back as warnings',
        body: draftPreviewBody,
        response: { 200: previewResponse.omit({ templateId: true, version: true }), ...errorResponses },
      },
    },
    async (request) => {
      const ws = workspaceOf(request);
      return previewDraft({ ...deps, renderPool, compileBodies: renderPool.compileFor(ws) }, ws, request.body);
    },
  );

  const mergeTag = z.object({
    key: z.string(),
    liquid: z.string().nullable().describe('the path to put between {{ }}; null when the key holds both quote marks'),
    group: z.enum(['attribute', 'contact', 'link', 'workspace']),
    type: z.enum(['string', 'number', 'boolean', 'date', 'list', 'object']),
    sample: z.string(),
    count: z.number().int().optional().describe('sampled contacts carrying it (attributes only)'),
  });
  app.get(
    '/api/merge-tags',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: "The merge tags a template may use: the attributes on the workspace's newest 500 contacts (type, a sample value) and the standard variables",
        response: { 200: z.object({ tags: z.array(mergeTag), sampled: z.number().int() }), ...errorResponses },
      },
    },
    async (request) => {
      const ws = workspaceOf(request);
      const settings = await getWorkspaceSettings(deps.store.db, ws);
      return mergeTags(deps.store.db, ws, { name: settings.name, postalAddress: settings.postalAddress });
    },
  );

  // Direct mail previews print with Chromium: started on the first preview, closed with the app.
  let mailRenderer: MailRenderer | undefined;
  app.addHook('onClose', async () => mailRenderer?.close());
  app.post(
    '/api/mail/preview.pdf',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Print a direct mail template as edited (unsaved) to PDF, for a sample or given contact and address',
        description:
          'Answers application/pdf. Refused with 400 and the field path when the content would not print (no paper, a character the print font lacks, an image that fails to load or is below 150 dpi).',
        body: mailPreviewBody,
        response: errorResponses,
      },
    },
    async (request, reply) => {
      mailRenderer ??= createMailRenderer({ lowResolution: 'warn', allowPrivateImages: deps.config.allowPrivateOutbound });
      const pdf = await mailPreviewPdf({ ...deps, templateCache, mailRenderer }, workspaceOf(request), request.body);
      // No 200 schema: the body is the PDF's bytes, sent as they are (a response schema would serialise JSON).
      return reply
        .type('application/pdf')
        .header('cache-control', 'no-store')
        .send(Buffer.from(pdf) as never);
    },
  );

  workspaceRoutes(app, deps);
};
