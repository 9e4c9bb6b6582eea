/**
 * @module The plain-text part. Converting HTML to text costs more than rendering the Liquid (it was
 * ~40% of a send in the profile of render.measure.ts), so it happens at save time on the compiled
 * HTML with its Liquid tags still in it, and sends render the resulting text template. When the
 * conversion could change what the Liquid does — a `{% tag %}` lost or altered (e.g. `a<b` read as
 * HTML), or a partial (partials are HTML) — the version keeps no text template and each send
 * converts its rendered HTML instead.
 */
import { compile } from 'html-to-text';

/** No word wrapping: a wrapped line must never split a Liquid string literal. */
export const htmlToText = compile({
  wordwrap: false,
  selectors: [
    { selector: 'img', format: 'skip' },
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
    { selector: 'table', format: 'block' },
    { selector: 'tr', format: 'block' },
    { selector: 'td', format: 'block' },
    { selector: 'th', format: 'block' },
  ],
});

const TAGS = /\{%-?[\s\S]*?-?%\}/g;
const norm = (tag: string) => tag.replace(/\s+/g, ' ');

function bodyOf(html: string): string {
  const m = /<body(?=[\s>])[^>]*>([\s\S]*)<\/body>/i.exec(html);
  return m ? m[1]! : html;
}

/** A text template for a compiled HTML body, or undefined when sends must convert their HTML. */
export function textTemplateOf(html: string): string | undefined {
  const before = (bodyOf(html).match(TAGS) ?? []).map(norm);
  if (before.some((t) => /^\{%-? ?(render|include|layout)\b/.test(t))) return undefined;
  const text = htmlToText(html);
  const after = (text.match(TAGS) ?? []).map(norm);
  if (after.length !== before.length || after.some((t, i) => t !== before[i])) return undefined;
  return text;
}
