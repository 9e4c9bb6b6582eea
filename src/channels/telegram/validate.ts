/**
 * @module Save-time checks of Telegram templates (channel `telegram`, docs/telegram.md), called by
 * src/templates/validate.ts. Each variant's written text (Liquid left out: personalisation is
 * escaped at send time, so it can add characters but never tags) must be HTML Telegram accepts and
 * at most 4096 characters; a button's written URL must be http(s) (or all Liquid). The rendered
 * text is checked again at send time (./render.ts).
 */
import type { TemplateIssue } from '../../templates/issues.js';
import type { ParsedTemplateInput } from '../../templates/template.js';
import { htmlProblem, TELEGRAM_TEXT_MAX, visibleLength } from './html.js';

const LIQUID = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g;

export function telegramIssues(input: ParsedTemplateInput): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  const { content, kind } = input;
  if (kind === 'layout' || kind === 'partial') return issues;
  const err = (field: string, message: string) => issues.push({ field, message, severity: 'error' });
  const bodies: [string, string][] = [
    ['body', content.body],
    ...Object.entries(content.locales ?? {}).flatMap(([l, v]) => (v.body === undefined ? [] : [[`locales.${l}.body`, v.body] as [string, string]])),
  ];
  for (const [field, body] of bodies) {
    const written = body.replace(LIQUID, '');
    const problem = htmlProblem(written);
    if (problem) err(field, `Telegram would refuse this HTML: ${problem}`);
    const length = visibleLength(written, true);
    if (length > TELEGRAM_TEXT_MAX) err(field, `the text is ${length} characters before personalisation; Telegram allows ${TELEGRAM_TEXT_MAX}`);
  }
  const buttonSets: [string, { text: string; url: string }[]][] = [
    ['buttons', content.buttons ?? []],
    ...Object.entries(content.locales ?? {}).flatMap(([l, v]) => (v.buttons === undefined ? [] : [[`locales.${l}.buttons`, v.buttons] as [string, { text: string; url: string }[]]])),
  ];
  for (const [field, buttons] of buttonSets) {
    buttons.forEach((b, i) => {
      const url = b.url.trim();
      if (!/^https?:\/\//i.test(url) && !/^\{\{[\s\S]*\}\}$/.test(url)) err(`${field}.${i}.url`, 'a button URL must start with https:// or http:// (or be a Liquid variable that does)');
    });
  }
  return issues;
}
