/**
 * @module Validation of WhatsApp templates (channel `whatsapp`, docs/whatsapp.md "Templates"). A
 * WhatsApp message is one of two things:
 *  - a **template message**: `content.whatsapp` names the template Meta approved (`name`,
 *    `language`), its body parameters, and the variables of its header (text, or an image, video
 *    or document link) and URL buttons (Liquid, rendered per contact); it may be sent at any time
 *    to a contact who opted in. A locale variant may name another language (or name, parameters).
 *  - a **free-form message**: no `content.whatsapp`; `body` (Liquid, at most 4096 characters as
 *    written) is sent as text, only inside the 24-hour customer-service window.
 * The parameters' Liquid is checked by ./validate.ts with the rest; this file checks the shape.
 */
import type { TemplateIssue } from './issues.js';
import type { ParsedTemplateInput } from './template.js';

/** WhatsApp's limit on a text message's body. */
export const WHATSAPP_TEXT_MAX = 4096;

export function whatsappIssues(input: ParsedTemplateInput): TemplateIssue[] {
  const { content, kind, channel } = input;
  const issues: TemplateIssue[] = [];
  const err = (field: string, message: string) => issues.push({ field, message, severity: 'error' });
  const localesWith = Object.entries(content.locales ?? {}).filter(([, v]) => v.whatsapp !== undefined);
  if (channel !== 'whatsapp') {
    if (content.whatsapp !== undefined) err('whatsapp', 'whatsapp names an approved WhatsApp template: only for templates of channel whatsapp');
    for (const [locale] of localesWith) err(`locales.${locale}.whatsapp`, 'only for templates of channel whatsapp');
    return issues;
  }
  if (kind === 'layout' || kind === 'partial') {
    if (content.whatsapp !== undefined) err('whatsapp', `a ${kind} is not a message: it names no WhatsApp template`);
    return issues;
  }
  const wa = content.whatsapp;
  if (wa === undefined) {
    for (const [locale] of localesWith) err(`locales.${locale}.whatsapp`, 'a locale variant may name a WhatsApp template only when the template itself does (content.whatsapp)');
    if (content.body.trim() === '') err('body', 'a free-form WhatsApp message needs a body (or name an approved template in content.whatsapp)');
    if (content.body.length > WHATSAPP_TEXT_MAX) err('body', `a WhatsApp text is at most ${WHATSAPP_TEXT_MAX} characters; this body has ${content.body.length}`);
    for (const [locale, v] of Object.entries(content.locales ?? {})) {
      if (v.body !== undefined && v.body.length > WHATSAPP_TEXT_MAX) err(`locales.${locale}.body`, `a WhatsApp text is at most ${WHATSAPP_TEXT_MAX} characters`);
    }
    return issues;
  }
  if (!wa.name) err('whatsapp.name', 'name the approved WhatsApp template (as Meta shows it)');
  if (!wa.language) err('whatsapp.language', "name the template's language (a WhatsApp code such as en_US, ar or fa)");
  for (const [at, w] of [['whatsapp', wa] as const, ...localesWith.map(([locale, v]) => [`locales.${locale}.whatsapp`, v.whatsapp] as const)]) {
    const seen = new Set<number>();
    for (const [i, b] of (w?.buttons ?? []).entries()) {
      if (seen.has(b.index)) err(`${at}.buttons.${i}.index`, `button ${b.index} is given twice`);
      seen.add(b.index);
    }
  }
  return issues;
}
