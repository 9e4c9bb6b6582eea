/**
 * @module The Template and its versioned content. A template is a slug (`welcome-1`) in a
 * workspace; every change of content makes a new immutable version, and a send records the version
 * it used. Glossary: a *layout* is a shared shell with one `{{ content }}` slot; a *partial* is a
 * snippet other templates include with `{% render 'id' %}`; a *locale variant* overrides subject,
 * preheader, body or text for contacts whose locale matches.
 */
import { z } from 'zod';
import { templateChannels } from '../channels/descriptors.js';
import type { TemplateChannel, TemplateKind } from './tables.js';
import { MAIL_FORMATS } from '../channels/mail/render/formats.js';

export type { TemplateChannel, TemplateKind };

export const TEMPLATE_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** BCP 47-ish: `fa`, `fa-IR`, `zh-Hant-TW`. */
export const LOCALE = /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/;

const text = (max: number) => z.string().max(max);

/**
 * The header of an approved WhatsApp template that has a variable: a text parameter (at most 60
 * characters as rendered), or the link of its image, video or document (https, Liquid allowed).
 */
const whatsappHeaderSchema = z.union([
  z.object({ type: z.literal('text'), text: text(1024) }).strict(),
  z.object({ type: z.literal('image'), link: text(2000) }).strict(),
  z.object({ type: z.literal('video'), link: text(2000) }).strict(),
  z.object({ type: z.literal('document'), link: text(2000), filename: z.string().min(1).max(240).optional() }).strict(),
]);

/** A URL button of the approved template whose address ends in a variable: its `index` (0-based, as Meta numbers them) and that suffix (Liquid). */
const whatsappButtonSchema = z.object({ index: z.number().int().min(0).max(9), urlSuffix: text(2000) }).strict();

/**
 * A WhatsApp template message (channel `whatsapp`, docs/whatsapp.md): the approved template's
 * `name` and `language` as Meta knows them, its body parameters, and the variables of its header
 * and URL buttons, as Liquid, rendered per contact. A locale variant may name another language (and
 * name, parameters, header or buttons) of the same template.
 */
export const whatsappTemplateSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9_]{1,512}$/, 'an approved template name: lower-case letters, digits and _')
      .optional(),
    language: z
      .string()
      .regex(/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/, 'a WhatsApp language code such as en, en_US or fa')
      .optional(),
    parameters: z.array(text(1024)).max(100).optional(),
    header: whatsappHeaderSchema.optional(),
    buttons: z.array(whatsappButtonSchema).max(10).optional(),
  })
  .strict();
/** Telegram (channel `telegram`, docs/telegram.md): inline url buttons under the message, one per row; Liquid allowed in both fields. */
export const telegramButtonsSchema = z.array(z.object({ text: z.string().min(1).max(200), url: z.string().min(1).max(2000) }).strict()).max(8);

export const localeVariantSchema = z
  .object({
    subject: text(998).optional(),
    preheader: text(500).optional(),
    body: text(512 * 1024).optional(),
    text: text(512 * 1024).optional(),
    /** Direct mail: a postcard's front (its `body` is the back). */
    front: text(512 * 1024).optional(),
    /** WhatsApp: this locale's language (and name or parameters) of the approved template. */
    whatsapp: whatsappTemplateSchema.optional(),
    buttons: telegramButtonsSchema.optional(),
  })
  .strict();

export const templateContentSchema = z
  .object({
    subject: text(998).optional(),
    preheader: text(500).optional(),
    /** `mjml` bodies are compiled to HTML once, when the version is saved. Default: detected from `<mjml`. */
    format: z.enum(['html', 'mjml']).optional(),
    body: text(512 * 1024),
    /** Plain-text part; generated from the rendered HTML when absent. */
    text: text(512 * 1024).optional(),
    from: text(320).optional(),
    replyTo: text(320).optional(),
    layoutId: z.string().regex(TEMPLATE_ID, 'must be a template id (lower-case slug)').optional(),
    defaultLocale: z.string().regex(LOCALE, 'must be a locale such as en or fa-IR').optional(),
    direction: z.enum(['auto', 'ltr', 'rtl']).optional(),
    locales: z.record(z.string().regex(LOCALE, 'must be a locale such as en or fa-IR'), localeVariantSchema).optional(),
    /** Direct mail (channel `mail`, docs/mail.md): the paper, where `body` is a letter's text or a postcard's back. */
    paper: z.enum(MAIL_FORMATS).optional(),
    /** Direct mail: a postcard's front, full bleed. */
    front: text(512 * 1024).optional(),
    /** Direct mail: the sender's return address, printed small above the recipient's. */
    returnAddress: z.array(text(120)).max(4).optional(),
    /** WhatsApp (channel `whatsapp`): the approved template message; without it, `body` is free-form text. */
    whatsapp: whatsappTemplateSchema.optional(),
    /** Telegram: inline url buttons (tracked links at send time). */
    buttons: telegramButtonsSchema.optional(),
  })
  .strict();

export type LocaleVariant = z.infer<typeof localeVariantSchema>;
export type TemplateContent = z.infer<typeof templateContentSchema>;

export const templateInputSchema = z
  .object({
    id: z.string().regex(TEMPLATE_ID, 'must be a lower-case slug: letters, digits, - and _ (max 64)'),
    name: z.string().min(1).max(200),
    channel: z.enum(templateChannels).default('email'),
    kind: z.enum(['marketing', 'transactional', 'layout', 'partial']),
    content: templateContentSchema,
  })
  .strict();

export type TemplateInput = z.input<typeof templateInputSchema>;
export type ParsedTemplateInput = z.output<typeof templateInputSchema>;

export function formatOf(content: TemplateContent): 'html' | 'mjml' {
  return content.format ?? (/^\s*<mjml[\s>]/i.test(content.body) ? 'mjml' : 'html');
}

/**
 * What each locale variant renders from at send time (key '' is the default locale): `html` is the
 * compiled body; `text`, when present, is the plain-text part converted from that HTML at save time
 * (Liquid tags kept), so a send renders it instead of converting every email's HTML again.
 */
export interface CompiledBodies {
  html: Record<string, string>;
  text: Record<string, string>;
}

export interface TemplateVersion {
  templateId: string;
  version: number;
  content: TemplateContent;
  compiled: CompiledBodies;
  warnings: string[];
  layoutId: string | null;
  layoutVersion: number | null;
  createdAt: number;
}

export interface Template {
  id: string;
  workspaceId: string;
  name: string;
  channel: TemplateChannel;
  kind: TemplateKind;
  currentVersion: number;
  archived: boolean;
  createdAt: number;
  updatedAt: number;
}
