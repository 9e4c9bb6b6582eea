/**
 * @module The live PDF preview of a direct mail template as edited (not saved yet): the content is
 * checked like a save would check it (src/templates/validate-mail.ts), rendered with Liquid for a
 * sample or given contact and a sample piece (personal URL, QR code, promo code), the address
 * formatted by its country's convention, and printed by the app's mail renderer. Answers the PDF.
 */
import { z } from 'zod';
import type { AppDeps } from '../core/app-deps.js';
import { ValidationError } from '../core/errors.js';
import type { JsonObject } from '../core/json.js';
import { postalAddressInput } from '../contacts/schemas.js';
import type { PostalAddress } from '../contacts/postal-address.js';
import { formatPostalAddress } from '../contacts/postal-address-format.js';
import type { MailRenderer } from '../channels/mail/render/renderer.js';
import type { TemplateCache } from './cache.js';
import { pickVariant } from './locale.js';
import { SAMPLE_CONTACT } from './preview.js';
import { templateGlobals } from './render.js';
import { pieceVariables, renderMailContent, toPieceSource } from './render-mail.js';
import { LOCALE, templateContentSchema } from './template.js';
import { mailIssues } from './validate-mail.js';
import { getWorkspaceSettings } from './workspace-settings.js';

export const mailPreviewBody = z
  .object({
    kind: z.enum(['marketing', 'transactional']).default('marketing'),
    content: templateContentSchema,
    locale: z.string().regex(LOCALE, 'must be a locale such as en or fa-IR').optional(),
    contact: z
      .object({ locale: z.string().regex(LOCALE).optional(), attributes: z.record(z.string(), z.unknown()).optional(), address: postalAddressInput.optional() })
      .strict()
      .optional(),
    senderCountry: z
      .string()
      .regex(/^[A-Za-z]{2}$/)
      .optional()
      .describe("Where the piece is posted (ISO code): a recipient abroad gets a country line in the sender's language. Default: the recipient's country"),
  })
  .strict();

const SAMPLE_ADDRESS: PostalAddress = { name: 'Sam Sample', lines: ['8228 Imam Ali Rd', 'Al Olaya'], city: 'Riyadh', postcode: '12643-2121', country: 'SA' };

export async function mailPreviewPdf(deps: AppDeps & { templateCache: TemplateCache; mailRenderer: MailRenderer }, workspaceId: string, body: z.infer<typeof mailPreviewBody>): Promise<Uint8Array> {
  const { content } = body;
  const errors = mailIssues({ id: 'preview', name: 'preview', channel: 'mail', kind: body.kind, content }).filter((i) => i.severity === 'error');
  if (errors.length > 0) throw new ValidationError(errors.map((i) => ({ path: `content.${i.field}`, message: i.message })));
  const settings = await getWorkspaceSettings(deps.store.db, workspaceId);
  const contact = body.contact ? { id: 'ct_preview', locale: body.contact.locale ?? null, attributes: (body.contact.attributes ?? {}) as JsonObject } : SAMPLE_CONTACT;
  const address = body.contact?.address ?? SAMPLE_ADDRESS;
  const key = pickVariant(content, body.locale ?? contact.locale);
  const language = (key || content.defaultLocale || 'en').split('-')[0]!;
  const addressLines = formatPostalAddress(address, { senderCountry: body.senderCountry ?? address.country, senderLanguage: language });
  const engine = await deps.templateCache.engine(deps.store.db, workspaceId);
  const piece = await pieceVariables({ url: `${deps.config.publicUrl}/m/preview`, promoCode: 'SAMPLE-2025', addressLines });
  const globals = { ...templateGlobals({ contact, workspace: { name: settings.name, postalAddress: settings.postalAddress } }), piece };
  const rendered = renderMailContent(engine.html, content, key, globals, 'preview');
  const [result] = await deps.mailRenderer.render([toPieceSource('preview', rendered, addressLines)]);
  if (!result!.ok) throw ValidationError.at('content', result!.reason);
  return result!.pdf;
}
