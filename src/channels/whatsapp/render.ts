/**
 * @module Rendering a WhatsApp template (channel `whatsapp`, src/templates/validate-whatsapp.ts) for
 * one contact at send time: the locale variant is picked as for SMS and email; a template message's
 * name, language and parameters are the variant's own or the default's, each parameter rendered with
 * Liquid as plain text; a free-form message's body is rendered the same way. A parameter that
 * renders empty is refused (the Cloud API refuses an empty text parameter; write `| default: …`).
 */
import { ValidationError } from '../../core/errors.js';
import { liquidErrorPosition } from '../../templates/engine.js';
import { TemplateRenderError } from '../../templates/issues.js';
import { pickVariant, resolveVariant } from '../../templates/locale.js';
import { loadVersion, templateGlobals, type RenderDeps, type RenderInput } from '../../templates/render.js';
import { renderPart } from '../../templates/render-parts.js';
import type { TemplateContent } from '../../templates/template.js';
import type { WhatsappHeader, WhatsappPayload } from './cloud-api.js';

export interface RenderedWhatsapp {
  version: number;
  locale: string;
  payload: WhatsappPayload;
}

export async function renderWhatsapp(deps: RenderDeps, input: RenderInput): Promise<RenderedWhatsapp> {
  const { workspaceId, templateId } = input;
  const v = await loadVersion(deps, workspaceId, templateId, input.version);
  if (v.channel !== 'whatsapp') throw ValidationError.at('templateId', `template "${templateId}" is an ${v.channel} ${v.kind}, not a WhatsApp message`);
  const key = pickVariant(v.content, input.locale ?? input.contact.locale);
  const variant = resolveVariant(v.content, key);
  const engine = await deps.templateCache.engine(deps.store.db, workspaceId);
  const globals = templateGlobals(input);
  const render = (part: string, source: string): string => {
    let tpl;
    try {
      tpl = deps.templateCache.parse(engine, 'text', `${workspaceId}|${templateId}|${v.version}|${key}|whatsapp|${part}`, source);
    } catch (err) {
      throw new TemplateRenderError(templateId, part, liquidErrorPosition(err));
    }
    return renderPart(engine.text, tpl, globals, templateId, part).trim();
  };
  const base = v.content.whatsapp;
  if (!base) {
    const text = render('body', variant.body);
    if (text === '') throw ValidationError.at('body', 'the WhatsApp message rendered empty');
    return { version: v.version, locale: variant.locale, payload: { type: 'text', text } };
  }
  const own = key ? v.content.locales?.[key]?.whatsapp : undefined;
  const name = own?.name ?? base.name;
  const language = own?.language ?? base.language;
  if (!name || !language) throw ValidationError.at('whatsapp', 'the template names no approved WhatsApp template and language');
  const field = own?.parameters ? `locales.${key}.whatsapp.parameters` : 'whatsapp.parameters';
  const parameters = (own?.parameters ?? base.parameters ?? []).map((source, i) => {
    const text = render(`${field}.${i}`, source);
    if (text === '') throw ValidationError.at(`${field}.${i}`, `parameter ${i + 1} rendered empty for this contact (WhatsApp refuses an empty parameter): give it a default`);
    return text;
  });
  const headerField = own?.header ? `locales.${key}.whatsapp.header` : 'whatsapp.header';
  const header = own?.header ?? base.header;
  const buttonsField = own?.buttons ? `locales.${key}.whatsapp.buttons` : 'whatsapp.buttons';
  const buttons = (own?.buttons ?? base.buttons ?? []).map((b, i) => {
    const text = render(`${buttonsField}.${i}.urlSuffix`, b.urlSuffix);
    if (text === '') throw ValidationError.at(`${buttonsField}.${i}.urlSuffix`, `the suffix of URL button ${b.index} rendered empty for this contact: give it a default`);
    return { index: b.index, text };
  });
  return {
    version: v.version,
    locale: variant.locale,
    payload: { type: 'template', name, language, parameters, ...(header ? { header: renderHeader(header, headerField, render) } : {}), ...(buttons.length > 0 ? { buttons } : {}) },
  };
}

type HeaderSource = NonNullable<NonNullable<TemplateContent['whatsapp']>['header']>;

/** WhatsApp's limit on a header's text parameter. */
export const WHATSAPP_HEADER_TEXT_MAX = 60;

function renderHeader(header: HeaderSource, field: string, render: (part: string, source: string) => string): WhatsappHeader {
  if (header.type === 'text') {
    const text = render(`${field}.text`, header.text);
    if (text === '') throw ValidationError.at(`${field}.text`, 'the header parameter rendered empty for this contact: give it a default');
    if ([...text].length > WHATSAPP_HEADER_TEXT_MAX)
      throw ValidationError.at(`${field}.text`, `the header parameter is at most ${WHATSAPP_HEADER_TEXT_MAX} characters; it rendered ${[...text].length}`);
    return { type: 'text', text };
  }
  const link = render(`${field}.link`, header.link);
  let url: URL | null = null;
  try {
    url = new URL(link);
  } catch {
    url = null;
  }
  if (!url || url.protocol !== 'https:') throw ValidationError.at(`${field}.link`, `the header's ${header.type} must be an https address WhatsApp can fetch; it rendered "${link.slice(0, 200)}"`);
  return header.type === 'document' ? { type: 'document', link: url.href, filename: header.filename } : { type: header.type, link: url.href };
}
