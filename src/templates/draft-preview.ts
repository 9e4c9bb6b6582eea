/**
 * @module The preview of an email as edited, before it is saved: the editor's current content is
 * checked and compiled the way a save would (Liquid syntax, MJML, layout, partials; errors with
 * their field and line, as a 400), then rendered like the saved version's preview (./preview.ts)
 * for the sample contact or a chosen one. Nothing is stored. What would only block the *save* of a
 * marketing email (no postal address or unsubscribe link, no subject yet) comes back as a warning,
 * so the author sees the email while writing it.
 */
import { z } from 'zod';
import type { AppDeps } from '../core/app-deps.js';
import { NotFoundError } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import { toContact } from '../contacts/contact.js';
import { createLiquid } from './engine.js';
import { TemplateValidationError, formatIssue, type TemplateIssue } from './issues.js';
import { directionOf, pickVariant, resolveVariant } from './locale.js';
import { findCurrent, loadPartials } from './repository.js';
import { runRenderJob, type RenderJob } from './render-job.js';
import type { RenderPool } from './render-pool.js';
import { templateGlobals, type RenderContact } from './render.js';
import { SAMPLE_CONTACT } from './preview.js';
import { LOCALE, templateContentSchema } from './template.js';
import { validateTemplate } from './validate.js';
import { getWorkspaceSettings } from './workspace-settings.js';
import { compileBodies } from './compile.js';

export const draftPreviewBody = z
  .object({
    kind: z.enum(['marketing', 'transactional']).default('marketing'),
    content: templateContentSchema,
    locale: z.string().regex(LOCALE, 'must be a locale such as en or fa-IR').optional(),
    contactId: z.string().max(100).optional(),
  })
  .strict();

/** Issues that block a save but not a look at the email being written. */
const saveOnly = (i: TemplateIssue) => i.line === undefined && (i.field === 'subject' || /^a marketing email must /.test(i.message));

export async function previewDraft(deps: AppDeps & { renderPool?: RenderPool; compileBodies?: typeof compileBodies }, workspaceId: string, body: z.infer<typeof draftPreviewBody>) {
  const { db } = deps.store;
  const { content, kind } = body;
  const layoutId = content.layoutId;
  const stored = layoutId ? (await findCurrent(db, workspaceId, [layoutId])).get(layoutId) : undefined;
  const layout = stored && !stored.template.archived ? { id: stored.template.id, version: stored.version.version, kind: stored.template.kind, content: stored.version.content } : null;
  const partials = await loadPartials(db, workspaceId);
  const settings = await getWorkspaceSettings(db, workspaceId);
  const input = { id: 'preview', name: 'preview', channel: 'email' as const, kind, content };
  // A missing subject would stop validation before compiling: check with a stand-in, and say so.
  const noSubject = !content.subject?.trim();
  const { issues, compiled } = await validateTemplate(
    { ...input, kind: 'transactional', content: noSubject ? { ...content, subject: '-' } : content },
    { liquid: createLiquid(partials.sources), layout, postalAddress: settings.postalAddress, compile: deps.compileBodies },
  );
  const blocking = issues.filter((i) => i.severity === 'error' && !saveOnly(i));
  if (blocking.length) throw new TemplateValidationError(blocking.map((i) => ({ ...i, templateId: 'preview', index: 0 })));
  const warnings = issues.filter((i) => i.severity === 'warning' || saveOnly(i)).map(formatIssue);
  if (noSubject) warnings.push('subject: an email needs a subject (the save will refuse this)');
  if (kind === 'marketing') {
    // The marketing-only checks, without compiling again.
    const noCompile = async () => ({ compiled: { html: {}, text: {} }, issues: [] });
    const marketing = await validateTemplate(input, { liquid: createLiquid(partials.sources), layout, postalAddress: settings.postalAddress, compile: noCompile });
    for (const i of marketing.issues) if (i.severity === 'error' && saveOnly(i) && i.field !== 'subject') warnings.push(`${formatIssue(i)} (the save will refuse this)`);
  }

  let contact: RenderContact = SAMPLE_CONTACT;
  if (body.contactId) {
    const row = await db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', body.contactId).executeTakeFirst();
    if (!row) throw new NotFoundError('contact', body.contactId);
    contact = toContact(row);
  }
  const key = pickVariant(content, body.locale ?? contact.locale);
  const variant = resolveVariant(content, key);
  const job: RenderJob = {
    templateId: 'preview',
    partialsKey: `${workspaceId}|${partials.stamp}`,
    partials: partials.sources,
    globals: templateGlobals({
      contact,
      context: {},
      workspace: { name: settings.name, postalAddress: settings.postalAddress },
      links: { unsubscribeUrl: `${deps.config.publicUrl}/u/preview`, preferencesUrl: `${deps.config.publicUrl}/p/preview` },
    }),
    subject: variant.subject,
    preheader: variant.preheader,
    body: compiled.html[key] ?? compiled.html['']!,
    text: variant.text ?? compiled.text[key],
  };
  const r = deps.renderPool ? await deps.renderPool.render(workspaceId, job) : runRenderJob(job);
  return { locale: variant.locale, direction: directionOf(content, variant.locale), ...r, warnings: [...new Set(warnings)] };
}
