/**
 * @module Validation of direct mail templates (channel `mail`, docs/mail.md "Templates"): the paper
 * is named, a postcard has a front and a letter none, the body is HTML (no MJML: print CSS needs the
 * page), and every character written in the template has a glyph in the print font. That last check
 * names the character («the print font has no glyph for U+1F600 "😀"») so nobody finds a box in
 * ten thousand printed letters; text that only personalisation brings is checked again per piece
 * at render time (src/channels/mail/render/renderer.ts).
 */
import { convert } from 'html-to-text';
import type { TemplateIssue } from './issues.js';
import type { ParsedTemplateInput } from './template.js';
import { FORMAT_SPECS } from '../channels/mail/render/formats.js';
import { printFontCoverage, PRINT_FONT_FAMILY } from '../channels/mail/render/fonts.js';
import { missingGlyphs, missingGlyphsMessage } from '../channels/mail/render/glyph-check.js';

/** The variables a mail piece has besides email's: `piece.url`, `piece.qr_svg`, `piece.promo_code`, `piece.address_lines`. */
export const MAIL_ROOTS = ['piece'];

/** The text a reader sees in `html`, Liquid tags left out. */
function writtenText(html: string): string {
  return convert(html.replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g, ' '), {
    wordwrap: false,
    selectors: [
      { selector: 'img', format: 'skip' },
      { selector: 'a', options: { ignoreHref: true } },
    ],
  });
}

export function mailIssues(input: ParsedTemplateInput): TemplateIssue[] {
  const { content, kind } = input;
  const issues: TemplateIssue[] = [];
  const err = (field: string, message: string) => issues.push({ field, message, severity: 'error' });
  if (kind === 'layout' || kind === 'partial') return issues;
  if (content.format === 'mjml') err('format', 'direct mail is written in HTML with print CSS; MJML is for email');
  if (content.layoutId !== undefined) err('layoutId', 'direct mail has no layouts');
  if (!content.paper) {
    err('paper', `name the paper: ${Object.keys(FORMAT_SPECS).join(', ')}`);
    return issues;
  }
  const postcard = FORMAT_SPECS[content.paper].kind === 'postcard';
  if (postcard && !content.front?.trim()) err('front', 'a postcard needs a front (its body is the back)');
  if (!postcard && content.front !== undefined) err('front', 'a letter has no front; write it in body');
  for (const [locale, v] of Object.entries(content.locales ?? {})) {
    if (!postcard && v.front !== undefined) err(`locales.${locale}.front`, 'a letter has no front; write it in body');
  }
  const coverage = printFontCoverage();
  const parts: [string, string | undefined][] = [
    ['body', content.body],
    ['front', content.front],
    ['returnAddress', content.returnAddress?.join('\n')],
    ...Object.entries(content.locales ?? {}).flatMap(([locale, v]): [string, string | undefined][] => [
      [`locales.${locale}.body`, v.body],
      [`locales.${locale}.front`, v.front],
    ]),
  ];
  for (const [field, html] of parts) {
    if (!html) continue;
    const message = missingGlyphsMessage(missingGlyphs(writtenText(html), coverage), PRINT_FONT_FAMILY);
    if (message) err(field, message);
  }
  return issues;
}
