/**
 * @module The JSON body parser every route uses: Fastify's own (which drops `__proto__` and
 * `constructor.prototype` keys), behind a nesting bound. A body nested thousands of levels deep
 * parses fine but then overflows the stack of whatever walks it (zod, the journey validator,
 * JSON.stringify), which would be a 500; it is refused here with a 400 before anything reads it.
 * Legitimate documents (journeys, segment conditions, Segment properties) stay far below the bound.
 */
import type { FastifyBodyParser } from 'fastify';
import type { App } from './deps.js';
import { ValidationError } from '../core/errors.js';

export const MAX_JSON_DEPTH = 64;

/** The deepest nesting of arrays and objects in JSON text, counting only outside strings; stops past `limit`. */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** Fastify's default JSON parser of `app`, refusing bodies nested deeper than MAX_JSON_DEPTH. */
export function boundedJsonParser(app: App): FastifyBodyParser<string> {
  const parse = app.getDefaultJsonParser('error', 'error');
  return (request, body, done) => {
    if (jsonDepth(body) > MAX_JSON_DEPTH) return done(ValidationError.at('body', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`), undefined);
    return parse(request, body, done);
  };
}

/** Replaces the app's JSON parser with the bounded one. */
export function installJsonParser(app: App): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, boundedJsonParser(app));
}
