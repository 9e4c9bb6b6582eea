/**
 * @module Save-time compilation: applies the layout, compiles MJML to HTML and sets `lang`/`dir`,
 * once per version and locale variant. The result is stored with the version; sending only renders
 * Liquid over it (MJML costs ~10 ms a document, far too much to pay per email).
 */
import mjml2html from 'mjml';
import { directionOf, resolveVariant, type Direction } from './locale.js';
import { formatOf, type CompiledBodies, type TemplateContent } from './template.js';
import type { TemplateIssue } from './issues.js';
import { textTemplateOf } from './text.js';

export const CONTENT_SLOT = /\{\{-?\s*content\s*-?\}\}/;

export interface LayoutSource {
  id: string;
  version: number;
  content: TemplateContent;
}

interface Composed {
  source: string;
  /** Line of the composed source where the body starts (1-based), and how many lines it has. */
  bodyStart: number;
  bodyLines: number;
}

function lineCount(s: string): number {
  return s.split('\n').length;
}

export function compose(body: string, layout: LayoutSource | null): Composed {
  if (!layout) return { source: body, bodyStart: 1, bodyLines: lineCount(body) };
  const m = CONTENT_SLOT.exec(layout.content.body);
  if (!m) return { source: body, bodyStart: 1, bodyLines: lineCount(body) };
  const before = layout.content.body.slice(0, m.index);
  return {
    source: before + body + layout.content.body.slice(m.index + m[0].length),
    bodyStart: lineCount(before),
    bodyLines: lineCount(body),
  };
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** Sets lang and dir on an opening tag, replacing any the author wrote. */
function setAttrs(tag: string, lang: string, dir: Direction): string {
  const name = /^<[\w-]+/.exec(tag)![0];
  const rest = tag.slice(name.length).replace(/\s(lang|dir)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, '');
  return `${name} lang="${escapeAttr(lang)}" dir="${dir}"${rest}`;
}

/** Puts lang/dir on <html> and <body>, wrapping a fragment in a minimal document first. */
export function applyDirection(html: string, lang: string, dir: Direction): string {
  let doc = html;
  if (!/<html[\s>]/i.test(doc) && /<body[\s>]/i.test(doc)) {
    doc = `<!doctype html>\n<html>${doc}</html>`;
  } else if (!/<html[\s>]/i.test(doc)) {
    doc = `<!doctype html>\n<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head><body>\n${doc}\n</body></html>`;
  } else if (!/<body[\s>]/i.test(doc)) {
    doc = doc.replace(/<\/html>/i, '</body></html>').replace(/(<html[^>]*>(?:\s*<head[\s\S]*?<\/head>)?)/i, '$1<body>');
  }
  doc = doc.replace(/<html(?=[\s>])[^>]*>/i, (t) => setAttrs(t, lang, dir));
  doc = doc.replace(/<body(?=[\s>])[^>]*>/i, (t) => setAttrs(t, lang, dir));
  return doc;
}

/** MJML root attributes and, right to left, right-aligned text by default (authors can still override per element). */
export function prepareMjml(source: string, lang: string, dir: Direction): string {
  let out = source.replace(/<mjml(?=[\s>])[^>]*>/i, (t) => setAttrs(t, lang, dir));
  if (dir === 'rtl') {
    // Kept on the same line so MJML's error line numbers still match the author's source.
    const defaults = '<mj-attributes><mj-text align="right" /><mj-table align="right" /></mj-attributes>';
    if (/<mj-head(?=[\s>])[^>]*>/i.test(out)) out = out.replace(/<mj-head(?=[\s>])[^>]*>/i, (t) => t + defaults);
    else out = out.replace(/<mjml(?=[\s>])[^>]*>/i, (t) => `${t}<mj-head>${defaults}</mj-head>`);
  }
  return out;
}

function mjmlIssue(composed: Composed, field: string, layoutId: string | null, line: number, tag: string, message: string, lines: string[]): TemplateIssue {
  const col = (lines[line - 1] ?? '').indexOf(`<${tag}`);
  const column = col >= 0 ? col + 1 : 1;
  if (!layoutId || (line >= composed.bodyStart && line < composed.bodyStart + composed.bodyLines)) {
    return { field, line: layoutId ? line - composed.bodyStart + 1 : line, column, message, severity: 'error' };
  }
  const layoutLine = line < composed.bodyStart ? line : line - composed.bodyLines + 1;
  return { field: `layout(${layoutId}).body`, line: layoutLine, column, message, severity: 'error' };
}

export async function compileMjml(composed: Composed, field: string, layoutId: string | null, lang: string, dir: Direction) {
  const issues: TemplateIssue[] = [];
  const lines = composed.source.split('\n');
  if (/<mj-include[\s>]/i.test(composed.source)) {
    const line = lines.findIndex((l) => /<mj-include/i.test(l)) + 1;
    issues.push(mjmlIssue(composed, field, layoutId, line, 'mj-include', "mj-include is not allowed: use {% render 'partial-id' %} for shared pieces", lines));
  }
  try {
    // ignoreIncludes: MJML must never read the server's file system.
    const result = await mjml2html(prepareMjml(composed.source, lang, dir), { validationLevel: 'soft', ignoreIncludes: true, keepComments: false });
    for (const e of result.errors) issues.push(mjmlIssue(composed, field, layoutId, e.line, e.tagName, e.message, lines));
    return { html: result.html.replace(/<body(?=[\s>])[^>]*>/i, (t) => setAttrs(t, lang, dir)), issues };
  } catch (err) {
    issues.push({ field, line: 1, column: 1, message: (err as Error).message, severity: 'error' });
    return { html: '', issues };
  }
}

/**
 * The compiled body of each variant ('' = default; every locale gets its own because lang/dir differ
 * even when it inherits the default body). Layouts and partials are stored as written.
 */
export async function compileBodies(kind: string, channel: string, content: TemplateContent, layout: LayoutSource | null): Promise<{ compiled: CompiledBodies; issues: TemplateIssue[] }> {
  const compiled: CompiledBodies = { html: {}, text: {} };
  const issues: TemplateIssue[] = [];
  const keys = ['', ...Object.keys(content.locales ?? {})];
  // SMS, direct mail, WhatsApp and Telegram render from the content as written (./render-sms.ts,
  // ./render-mail.ts, src/channels/whatsapp/render.ts, src/channels/telegram/render.ts).
  if (channel === 'sms' || channel === 'mail' || channel === 'whatsapp' || channel === 'telegram' || kind === 'partial' || kind === 'layout') {
    for (const key of keys) compiled.html[key] = resolveVariant(content, key).body;
    return { compiled, issues };
  }
  const format = formatOf(content);
  for (const key of keys) {
    const variant = resolveVariant(content, key);
    const ownBody = key === '' || content.locales?.[key]?.body !== undefined;
    const field = key && ownBody ? `locales.${key}.body` : 'body';
    const composed = compose(variant.body, layout);
    const dir = directionOf(content, variant.locale);
    if (format === 'mjml') {
      const r = await compileMjml(composed, field, layout?.id ?? null, variant.locale, dir);
      // An inherited body's errors were already reported for the default.
      if (ownBody) issues.push(...r.issues);
      compiled.html[key] = r.html;
    } else {
      compiled.html[key] = applyDirection(composed.source, variant.locale, dir);
    }
    if (variant.text === undefined) {
      const text = textTemplateOf(compiled.html[key]!);
      if (text !== undefined) compiled.text[key] = text;
    }
  }
  return { compiled, issues };
}
