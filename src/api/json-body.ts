/**
 * @module The JSON body parser every route uses: Fastify's own (which drops `__proto__` and
 * `constructor.prototype` keys), behind a nesting bound. A body nested thousands of levels deep
 * parses fine but then overflows the stack of whatever walks it (zod, the journey validator,
 * JSON.stringify), which would be a 500; it is refused here with a 400 before anything reads it.
 * Legitimate documents (journeys, segment conditions, Segment properties) stay far below the bound.
 * Arrays are bounded too (MAX_JSON_ARRAY_ITEMS), as validation costs per item.
 *
 * Strings must be well-formed UTF-16: JSON's `\ud83d` escape can smuggle in a lone surrogate, which
 * no database stores as written (both drivers encode it as U+FFFD), so a contact created with one can
 * never be found by it again (the next call collides on `UNIQUE contacts.user_id`: a 500 for ever).
 * Such a body is a 400 naming the field. Text off the wire, being UTF-8, cannot hold one otherwise.
 */
import type { FastifyBodyParser } from 'fastify';
import type { App } from './deps.js';
import { ValidationError } from '../core/errors.js';

export const MAX_JSON_DEPTH = 64;
/**
 * Items in any one JSON array. Validation costs per item (a zod issue each, tens of µs), so an array
 * of 500,000 zeros in a 1 MB body bought seconds of CPU; 10,000 is the largest list a route takes
 * (list members in bulk).
 */
export const MAX_JSON_ARRAY_ITEMS = 10_000;

export interface JsonShape {
  /** Deepest nesting of arrays and objects (stops counting past the depth limit). */
  depth: number;
  /** Most items in one array (commas + 1; an empty array counts as one, which is harmless here). */
  longestArray: number;
}

/** One pass over JSON text, outside strings: its nesting depth and its longest array. */
export function jsonShape(text: string, depthLimit = MAX_JSON_DEPTH): JsonShape {
  // items[d] counts the items of the array open at depth d; -1 marks an object there.
  const items: number[] = [];
  let depth = 0;
  let max = 0;
  let longest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      items[depth] = c === 0x5b ? 1 : -1;
      if (depth > max) {
        max = depth;
        if (max > depthLimit) return { depth: max, longestArray: longest };
      }
    } else if (c === 0x7d || c === 0x5d) {
      if ((items[depth] ?? -1) > longest) longest = items[depth]!;
      depth--;
    } else if (c === 0x2c && (items[depth] ?? -1) > 0) items[depth]!++;
  }
  return { depth: max, longestArray: longest };
}

/** The deepest nesting of arrays and objects in JSON text, counting only outside strings; stops past `limit`. */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  return jsonShape(text, limit).depth;
}

/** The dotted path of the first array in `value` longer than `limit`, or null. */
export function longArrayPath(value: unknown, limit = MAX_JSON_ARRAY_ITEMS, path = 'body'): string | null {
  if (typeof value !== 'object' || value === null) return null;
  if (Array.isArray(value) && value.length > limit) return path;
  for (const [key, v] of Object.entries(value)) {
    const found = longArrayPath(v, limit, `${path}.${key}`);
    if (found) return found;
  }
  return null;
}

/** A `\uD800`–`\uDFFF` escape: the only way JSON text can carry a lone surrogate. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
/** With the u flag a well-formed pair is one code point, so this matches lone surrogates only. */
const LONE_SURROGATE = /\p{Cs}/u;

/** The dotted path of the first key or string in `value` holding a lone surrogate, or null. */
export function illFormedPath(value: unknown, path = 'body'): string | null {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path : null;
  if (typeof value !== 'object' || value === null) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = illFormedPath(value[i], `${path}.${i}`);
      if (found) return found;
    }
    return null;
  }
  for (const [key, v] of Object.entries(value)) {
    if (LONE_SURROGATE.test(key)) return `${path}.${key.replace(/\p{Cs}/gu, '\uFFFD')}`;
    const found = illFormedPath(v, `${path}.${key}`);
    if (found) return found;
  }
  return null;
}

/** Fastify's default JSON parser of `app`, refusing bodies nested deeper than MAX_JSON_DEPTH, arrays longer than MAX_JSON_ARRAY_ITEMS and ill-formed strings. */
export function boundedJsonParser(app: App): FastifyBodyParser<string> {
  const parse = app.getDefaultJsonParser('error', 'error');
  return (request, body, done) => {
    const shape = jsonShape(body);
    if (shape.depth > MAX_JSON_DEPTH) return done(ValidationError.at('body', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`), undefined);
    const longArray = shape.longestArray > MAX_JSON_ARRAY_ITEMS;
    if (!longArray && !SURROGATE_ESCAPE.test(body)) return parse(request, body, done);
    return parse(request, body, (err, value) => {
      if (err) return done(err, undefined);
      // The scan over-counts an array whose last item is followed by a stray comma; the parse decides.
      const long = longArray ? longArrayPath(value) : null;
      if (long) return done(ValidationError.at(long, `an array of more than ${MAX_JSON_ARRAY_ITEMS} items`), undefined);
      const bad = illFormedPath(value);
      if (bad) return done(ValidationError.at(bad, 'a lone UTF-16 surrogate (\\uD800–\\uDFFF escape without its pair) is not text'), undefined);
      return done(null, value);
    });
  };
}

/** Replaces the app's JSON parser with the bounded one. */
export function installJsonParser(app: App): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, boundedJsonParser(app));
}
