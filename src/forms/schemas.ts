/**
 * @module Zod schemas of hosted signup forms: the service validates with them, the routes expose them.
 * The email field is always present and is not listed in `fields`; `website` is the honeypot and
 * `consent` the consent checkbox, so neither can be a field name either.
 */
import { z } from 'zod';

export const RESERVED_FIELD_NAMES = ['email', 'website', 'consent'] as const;

export const formField = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a lower-case attribute name such as first_name')
    .refine((n) => !(RESERVED_FIELD_NAMES as readonly string[]).includes(n), 'email, website and consent are built in')
    .describe('The contact attribute the value is stored in'),
  label: z.string().min(1).max(200),
  type: z.enum(['text', 'tel', 'textarea']).default('text'),
  required: z.boolean().default(false),
});

const formShape = {
  listId: z.string().min(1).max(64).describe('The list the form adds people to; its double opt-in setting applies'),
  name: z.string().min(1).max(200).describe('Internal name'),
  title: z.string().min(1).max(200).describe('Heading shown on the form page'),
  fields: z.array(formField).max(20).describe('Extra fields after the email field'),
  consentText: z.string().min(1).max(2000).nullable().describe('Shown next to a required checkbox; the person agrees to this text'),
  consentTextVersion: z.string().min(1).max(100).nullable().describe('Recorded with the consent (GDPR proof); required with consentText'),
  thankYouText: z.string().max(2000).nullable(),
  redirectUrl: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .nullable()
    .describe('Where to send the browser after a successful signup'),
  confirmationTemplateId: z.string().min(1).max(64).nullable().describe('Transactional template of the double opt-in mail ({{ data.confirm_url }}); built-in text when null'),
  lang: z
    .string()
    .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'must be a BCP 47 language tag such as en or fa-IR')
    .nullable(),
};

export const formCreateBody = z
  .strictObject({
    ...formShape,
    title: formShape.title.default('Subscribe'),
    fields: formShape.fields.default([]),
    consentText: formShape.consentText.optional(),
    consentTextVersion: formShape.consentTextVersion.optional(),
    thankYouText: formShape.thankYouText.optional(),
    redirectUrl: formShape.redirectUrl.optional(),
    confirmationTemplateId: formShape.confirmationTemplateId.optional(),
    lang: formShape.lang.optional(),
  })
  .superRefine(checkForm);

export const formPatchBody = z.strictObject({
  listId: formShape.listId.optional(),
  name: formShape.name.optional(),
  title: formShape.title.optional(),
  fields: formShape.fields.optional(),
  consentText: formShape.consentText.optional(),
  consentTextVersion: formShape.consentTextVersion.optional(),
  thankYouText: formShape.thankYouText.optional(),
  redirectUrl: formShape.redirectUrl.optional(),
  confirmationTemplateId: formShape.confirmationTemplateId.optional(),
  lang: formShape.lang.optional(),
});

/** Rules over the whole form (also checked after a patch is merged). */
export function checkForm(f: { fields?: { name: string }[] | undefined; consentText?: string | null | undefined; consentTextVersion?: string | null | undefined }, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  for (const [i, field] of (f.fields ?? []).entries()) {
    if (seen.has(field.name)) ctx.addIssue({ code: 'custom', path: ['fields', i, 'name'], message: `field ${field.name} appears twice` });
    seen.add(field.name);
  }
  if (f.consentText && !f.consentTextVersion) ctx.addIssue({ code: 'custom', path: ['consentTextVersion'], message: 'a consent text needs a version (it is recorded as proof of consent)' });
}

export const formSchema = z.object({
  id: z.string(),
  listId: z.string(),
  name: z.string(),
  title: z.string(),
  fields: z.array(z.object({ name: z.string(), label: z.string(), type: z.enum(['text', 'tel', 'textarea']), required: z.boolean() })),
  consentText: z.string().nullable(),
  consentTextVersion: z.string().nullable(),
  thankYouText: z.string().nullable(),
  redirectUrl: z.string().nullable(),
  confirmationTemplateId: z.string().nullable(),
  lang: z.string().nullable(),
  doubleOptIn: z.boolean().describe("The list's setting"),
  url: z.string().describe('The public page of the form'),
  createdAt: z.number(),
  updatedAt: z.number(),
});

export type FormField = z.output<typeof formField>;
export type FormCreateInput = z.input<typeof formCreateBody>;
export type FormPatchInput = z.input<typeof formPatchBody>;
