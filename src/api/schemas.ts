/**
 * @module Schemas every /api route module shares: the error body, cursor pagination, time and id
 * parameters (a service-level zod failure becomes our ValidationError in src/core/parse.ts).
 */
import { z } from 'zod';
import { ValidationError } from '../core/errors.js';
import type { Json } from '../core/json.js';

/**
 * Any JSON value, as the component `JsonValue` of the OpenAPI document. Written out rather than
 * `z.json().meta(…)`: that names a copy, and the recursion inside z.json() stays anonymous, so the
 * document referred to a `schema0` that no component defines. Here the named schema is the recursive one.
 *
 * Arrays are validated item by item, but documented with `items: {}` (zod copies metadata into the
 * JSON Schema): in a JSON body any item is a JSON value, and a self-referencing array item makes
 * openapi-typescript emit a type that does not compile ("'JsonValue' is referenced directly or
 * indirectly in its own type annotation", openapi-ts/openapi-typescript#1603).
 */
export const jsonValue: z.ZodType<Json> = z
  .lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue).meta({ items: {} }), z.record(z.string(), jsonValue)]))
  .meta({ id: 'JsonValue', description: 'Any JSON value' });

export const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe('The first 20 issues'),
    issueCount: z.number().int().optional().describe('How many issues there were in all'),
  }),
});

/** The error statuses every admin route can answer, for the OpenAPI document. */
export const errorResponses = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody } as const;

export const MAX_PAGE_SIZE = 1000;

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(100).describe(`Page size, at most ${MAX_PAGE_SIZE}`),
  cursor: z.string().max(200).optional().describe("Opaque cursor from the previous page's nextCursor"),
};

export const pageOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last page') });

const CURSOR_VERSION = 'c1:';

/** Cursors are opaque to clients: a versioned, base64url-wrapped sort key. */
export function encodeCursor(key: string | number): string {
  return Buffer.from(CURSOR_VERSION + String(key)).toString('base64url');
}

/** The sort key inside a cursor, or a 400 naming `querystring.cursor` when it was not one of ours. */
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(CURSOR_VERSION) || text.length === CURSOR_VERSION.length) {
    throw ValidationError.at('querystring.cursor', 'not a cursor returned by this API');
  }
  return text.slice(CURSOR_VERSION.length);
}

/** Builds a page from `limit + 1` fetched rows: the extra row only tells that there is more. */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => string | number): { data: T[]; nextCursor: string | null } {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

/** Epoch ms or an ISO 8601 date-time, as a number of epoch ms. */
function parseTime(text: string): number {
  if (/^\d{1,15}$/.test(text)) return Number(text);
  return z.iso.datetime({ offset: true }).safeParse(text).success ? Date.parse(text) : Number.NaN;
}

export const timeParam = z
  .string()
  .refine((s) => !Number.isNaN(parseTime(s)), 'must be epoch milliseconds or an ISO 8601 date-time such as 2026-01-05T12:00:00Z')
  .transform(parseTime)
  .describe('Epoch milliseconds or an ISO 8601 date-time');

export const idParams = z.object({ id: z.string().min(1).max(64) });
