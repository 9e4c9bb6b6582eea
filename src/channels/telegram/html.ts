/**
 * @module Telegram's HTML parse mode (https://core.telegram.org/bots/api#html-style): the tags it
 * knows, and the length it counts (at most 4096 characters of text after entity parsing, so tags do
 * not count and `&lt;` is one character).
 */

/** The tags Telegram's HTML parse mode knows. */
export const TELEGRAM_HTML_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'a', 'code', 'pre', 'span', 'tg-spoiler', 'tg-emoji', 'blockquote']);

export const TELEGRAM_TEXT_MAX = 4096;

/** Why Telegram would refuse `text` in HTML parse mode ("can't parse entities"), or null. */
export function htmlProblem(text: string): string | null {
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)>|<|>/g;
  for (let m = tag.exec(text); m; m = tag.exec(text)) {
    if (m[2] === undefined) return `unescaped "${m[0]}" at offset ${m.index} (write &lt; or &gt;)`;
    const name = m[2].toLowerCase();
    if (!TELEGRAM_HTML_TAGS.has(name)) return `unsupported tag <${name}> at offset ${m.index} (Telegram allows ${[...TELEGRAM_HTML_TAGS].join(', ')})`;
    if (m[1]) {
      const open = stack.pop();
      if (open !== name) return `</${name}> at offset ${m.index} closes ${open ? `<${open}>` : 'nothing'}`;
    } else stack.push(name);
  }
  return stack.length > 0 ? `<${stack.at(-1)}> is never closed` : null;
}

const ENTITY = /&(lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g;

/** The characters Telegram counts: tags removed and entities decoded when `html`. */
export function visibleLength(text: string, html: boolean): number {
  const visible = html ? text.replace(/<[^<>]*>/g, '').replace(ENTITY, '_') : text;
  return [...visible].length;
}
