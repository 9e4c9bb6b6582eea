/**
 * @module Previews: render a template version as a given contact (or a sample one) would get it,
 * with placeholder unsubscribe links, plus the version's validation warnings. The render itself runs
 * on the render pool's worker threads (./render-pool.ts): a heavy template cannot stall the server.
 */
import { z } from 'zod';
import type { AppDeps } from '../core/app-deps.js';
import { NotFoundError } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import { toContact } from '../contacts/contact.js';
import type { TemplateCache } from './cache.js';
import { findTemplate, findVersion } from './repository.js';
import { prepareRenderJob, type RenderContact } from './render.js';
import { runRenderJob } from './render-job.js';
import type { RenderPool } from './render-pool.js';
import { LOCALE } from './template.js';
import { getWorkspaceSettings } from './workspace-settings.js';
import { whatsappPreview } from '../channels/whatsapp/preview.js';

const jsonObject = z.record(z.string(), z.unknown());

export const previewBody = z
  .object({
    contactId: z.string().max(100).optional(),
    contact: z
      .object({ email: z.string().max(320).optional(), locale: z.string().regex(LOCALE).optional(), attributes: jsonObject.optional() })
      .strict()
      .optional(),
    locale: z.string().regex(LOCALE, 'must be a locale such as en or fa-IR').optional(),
    version: z.number().int().min(1).optional(),
    context: z.object({ trigger: jsonObject.optional(), event: jsonObject.optional(), journey: jsonObject.optional(), data: jsonObject.optional() }).strict().optional(),
  })
  .strict()
  .refine((b) => !(b.contactId && b.contact), { message: 'give contactId or contact, not both', path: ['contact'] });

export const previewResponse = z.object({
  templateId: z.string(),
  version: z.number().int(),
  locale: z.string(),
  direction: z.enum(['ltr', 'rtl']),
  subject: z.string(),
  preheader: z.string(),
  html: z.string(),
  text: z.string(),
  warnings: z.array(z.string()),
});

export const SAMPLE_CONTACT: RenderContact = {
  id: 'ct_sample',
  email: 'sam@example.com',
  attributes: { first_name: 'Sam', last_name: 'Sample' },
};

/** With a `renderPool`, the render runs on its worker threads (never on the event loop); without, inline. */
export async function previewTemplate(deps: AppDeps & { templateCache: TemplateCache; renderPool?: RenderPool }, workspaceId: string, templateId: string, body: z.infer<typeof previewBody>) {
  const { db } = deps.store;
  const template = await findTemplate(db, workspaceId, templateId);
  if (!template) throw new NotFoundError('template', templateId);
  const version = body.version ?? template.currentVersion;
  const stored = await findVersion(db, workspaceId, templateId, version);
  if (!stored) throw new NotFoundError('template version', `${templateId}@${version}`);

  let contact: RenderContact = SAMPLE_CONTACT;
  if (body.contactId) {
    const row = await db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', body.contactId).executeTakeFirst();
    if (!row) throw new NotFoundError('contact', body.contactId);
    contact = toContact(row);
  } else if (body.contact) {
    contact = { id: 'ct_preview', email: body.contact.email ?? null, locale: body.contact.locale ?? null, attributes: (body.contact.attributes ?? {}) as JsonObject };
  }
  const settings = await getWorkspaceSettings(db, workspaceId);
  const warnings = [...stored.warnings];
  if (!settings.postalAddress) warnings.push('the workspace has no postal address yet: set it with PATCH /api/workspace');
  const context = (body.context ?? {}) as { trigger?: JsonObject; event?: JsonObject; journey?: JsonObject; data?: JsonObject };
  if (template.channel === 'whatsapp') {
    const input = { workspaceId, templateId, version, contact, ...(body.locale ? { locale: body.locale } : {}), context, workspace: { name: settings.name, postalAddress: settings.postalAddress } };
    return { ...(await whatsappPreview(deps, input)), warnings };
  }
  const { job, finish } = await prepareRenderJob(deps, {
    workspaceId,
    templateId,
    version,
    contact,
    ...(body.locale ? { locale: body.locale } : {}),
    context,
    workspace: { name: settings.name, postalAddress: settings.postalAddress },
    links: { unsubscribeUrl: `${deps.config.publicUrl}/u/preview`, preferencesUrl: `${deps.config.publicUrl}/p/preview` },
  });
  const rendered = finish(deps.renderPool ? await deps.renderPool.render(workspaceId, job) : runRenderJob(job));
  return {
    templateId: rendered.templateId,
    version: rendered.version,
    locale: rendered.locale,
    direction: rendered.direction,
    subject: rendered.subject,
    preheader: rendered.preheader,
    html: rendered.html,
    text: rendered.text,
    warnings,
  };
}
