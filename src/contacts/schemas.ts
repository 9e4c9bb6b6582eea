/**
 * @module The management API's zod schemas for contacts, plus the pieces every /api listing shares
 * (error body, cursor pagination, time parameters). One set of schemas validates requests, shapes
 * responses and feeds /api/openapi.json.
 *
 * Times in responses are epoch milliseconds, like everywhere in Qatra. Time filters accept epoch ms
 * or an ISO 8601 date-time with offset.
 */
import { z } from 'zod';
import { ValidationError } from '../core/errors.js';
import { isValidTimeZone } from './contact.js';

// ---- shared by every /api route module --------------------------------------------------------

export const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

/** The error statuses every admin route can answer, for the OpenAPI document. */
export const errorResponses = { 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody } as const;

export const MAX_PAGE_SIZE = 1000;

export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(100).describe(`Page size, at most ${MAX_PAGE_SIZE}`),
  cursor: z.string().max(200).optional().describe('Opaque cursor from the previous page\'s nextCursor'),
};

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last page') });

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

/** Converts a zod failure from a service-level parse into our ValidationError. */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, prefix = ''): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'), message: i.message })),
  );
}

// ---- contacts ---------------------------------------------------------------------------------

function isValidLocale(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

const userId = z.string().trim().min(1).max(255);
const email = z.string().trim().pipe(z.email().max(320)).describe('An email address; stored trimmed and lower-cased');
const phone = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +966501234567');
const timezone = z.string().max(64).refine(isValidTimeZone, 'must be an IANA time zone such as Asia/Riyadh');
const locale = z.string().max(35).refine(isValidLocale, 'must be a BCP 47 language tag such as ar-SA');
export const attributeName = z.string().min(1).max(200);
/** Attribute values are any JSON; on write `null` means "remove this attribute". */
const jsonValue = z.json().meta({ id: 'JsonValue', description: 'Any JSON value' });
const attributes = z.record(attributeName, jsonValue);

export const contactCreateBody = z.strictObject({
  userId: userId.optional(),
  email: email.optional(),
  phone: phone.optional(),
  timezone: timezone.optional(),
  locale: locale.optional(),
  attributes: attributes.optional(),
});
export type ContactCreateInput = z.input<typeof contactCreateBody>;

export const contactPatchBody = z.strictObject({
  userId: userId.nullable().optional(),
  email: email.nullable().optional(),
  phone: phone.nullable().optional(),
  timezone: timezone.nullable().optional(),
  locale: locale.nullable().optional(),
  attributes: attributes.optional().describe('Merged shallowly into the stored attributes; a null value removes that attribute'),
});
export type ContactPatchInput = z.input<typeof contactPatchBody>;

export const contactSchema = z.object({
  id: z.string(),
  userId: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  timezone: z.string().nullable(),
  locale: z.string().nullable(),
  attributes: z.record(z.string(), jsonValue),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});

/** Attribute filters arrive as `attr.<name>=value`; names with quotes or backslashes cannot be filtered on. */
export const ATTR_PREFIX = 'attr.';
const filterableName = /^[^"\\]{1,200}$/;

export const contactListQuery = z
  .object({
    ...pageQuery,
    email: z.string().max(320).optional(),
    userId: z.string().max(255).optional(),
    listId: z.string().max(64).optional().describe('Only members of this list (any membership status)'),
    createdAfter: timeParam.optional().describe('Created at or after (epoch ms or ISO 8601)'),
    createdBefore: timeParam.optional().describe('Created strictly before (epoch ms or ISO 8601)'),
  })
  .catchall(z.string().max(1000).describe('attr.<name>=value: attribute equality (scalars compared as text)'))
  .superRefine((query, ctx) => {
    const known = new Set(['limit', 'cursor', 'email', 'userId', 'listId', 'createdAfter', 'createdBefore']);
    for (const key of Object.keys(query)) {
      if (known.has(key)) continue;
      if (!key.startsWith(ATTR_PREFIX)) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'unknown query parameter; filter on attributes with attr.<name>=value' });
      } else if (!filterableName.test(key.slice(ATTR_PREFIX.length))) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'attribute name must be 1-200 characters without quotes or backslashes' });
      }
    }
  });

/** The `attr.<name>` entries of a parsed contact list query, as name → value. */
export function attributeFilters(query: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (key.startsWith(ATTR_PREFIX) && typeof value === 'string') out[key.slice(ATTR_PREFIX.length)] = value;
  }
  return out;
}
