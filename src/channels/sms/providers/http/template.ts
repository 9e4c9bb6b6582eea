/**
 * @module The generic HTTP provider's templates: plain text with `{{name}}` placeholders (spaces
 * inside the braces allowed) for the message's fields, compiled once into parts. Not Liquid on
 * purpose: an aggregator's request needs no logic, and a substitution can escape every value
 * exactly for where it lands, which a general template language leaves to the author:
 *  - `json`: the value is escaped as the inside of a JSON string (`"` → `\"`, newlines → `\n`, …),
 *    so a placeholder belongs inside quotes: `{"to":"{{to}}","text":"{{body}}"}` (`{{segments}}`
 *    may stand bare: it is a number);
 *  - `form` and `url`: the value is percent-encoded (encodeURIComponent): `to={{to}}&text={{body}}`.
 * A template is checked when it is saved by rendering it with hostile sample values (quotes,
 * backslashes, newlines, `&`, `=`); a JSON template that does not then parse is refused.
 */
import type { SmsMessage } from '../../provider.js';

export const PLACEHOLDERS = ['to', 'from', 'body', 'id', 'idempotencyKey', 'encoding', 'segments', 'statusCallbackUrl'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type Escaping = 'json' | 'form' | 'url';

export interface Template {
  /** Literal text and placeholder names, alternating (starts and ends with text). */
  parts: readonly string[];
  escaping: Escaping;
}

/** Anything in double braces is a placeholder, so a misspelt one (`{{to_number}}`) is refused, not sent as text. */
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The template's parts; the unknown placeholder names when there are any. */
export function compileTemplate(text: string, escaping: Escaping): Template | { unknown: string[] } {
  const parts: string[] = [];
  const unknown: string[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    const name = m[1]!;
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) unknown.push(name);
    parts.push(text.slice(last, m.index), name);
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return unknown.length > 0 ? { unknown } : { parts, escaping };
}

const escapeJson = (value: string) => JSON.stringify(value).slice(1, -1);

export function valueOf(message: SmsMessage, name: Placeholder): string {
  switch (name) {
    case 'to':
      return message.to;
    case 'from':
      return message.from;
    case 'body':
      return message.body;
    case 'id':
      return message.recordId;
    case 'idempotencyKey':
      return message.idempotencyKey;
    case 'encoding':
      return message.encoding;
    case 'segments':
      return String(message.segments);
    case 'statusCallbackUrl':
      return message.statusCallbackUrl ?? '';
    default: {
      const never: never = name;
      return never;
    }
  }
}

export function renderTemplate(template: Template, message: SmsMessage): string {
  const { parts, escaping } = template;
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const value = valueOf(message, parts[i] as Placeholder);
    out += (escaping === 'json' ? escapeJson(value) : encodeURIComponent(value)) + parts[i + 1]!;
  }
  return out;
}

/** A message whose every field would break a template that escapes nothing. */
export const HOSTILE_SAMPLE: SmsMessage = {
  recordId: 'msg_"\\\n&=?#',
  idempotencyKey: 'key_"\\&=',
  to: '+15005550006"\\',
  from: 'Qatra"&=\n',
  body: 'Hi "you" \\ \n\t & = ? # / {} [] مرحبا \u2028',
  encoding: 'ucs2',
  segments: 2,
  statusCallbackUrl: 'https://qatra.example/hooks?a=1&b="2"',
};
