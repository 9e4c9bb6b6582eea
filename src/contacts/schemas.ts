/**
 * @module The management API's zod schemas for contacts (the pieces every /api listing shares are in
 * src/api/schemas.ts). One set of schemas validates requests, shapes responses and feeds
 * /api/openapi.json.
 *
 * Times in responses are epoch milliseconds, like everywhere in Qatra. Time filters accept epoch ms
 * or an ISO 8601 date-time with offset.
 */
import { z } from 'zod';
import { NEEDS_COUNTRY, normalizePhone } from '../core/phone.js';
import { jsonValue, pageQuery, timeParam } from '../api/schemas.js';
import { parseEmailAddress } from '../core/email-address.js';
import { isValidTimeZone } from '../core/time-zone.js';
import { readPostalAddress } from './postal-address-validate.js';
import type { PostalAddress } from './postal-address.js';

// ---- contacts ---------------------------------------------------------------------------------

function isValidLocale(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

const userId = z.string().trim().min(1).max(255);
/** One bare mailbox (src/core/email-address.ts); refused with the parser's reason otherwise. */
export const emailAddress = z
  .string()
  .max(1000)
  .superRefine((value, ctx) => {
    const parsed = parseEmailAddress(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
  })
  .meta({ format: 'email' });
const email = emailAddress.describe('One email address (no display name, list or comment); stored trimmed and lower-cased, an IDN domain as punycode');
/** Read by src/contacts/phone-input.ts: international, or national in the workspace's SMS default country; stored as E.164. */
const phone = z
  .string()
  .max(40)
  .superRefine((value, ctx) => {
    // What is wrong whatever the default country is refused here, with the other fields' issues.
    const r = normalizePhone(value);
    if (!r.ok && r.reason !== NEEDS_COUNTRY) ctx.addIssue({ code: 'custom', message: r.reason });
  })
  .describe("A phone number such as +966501234567, or a national one (0501234567) when the workspace's SMS settings name a default country; stored as E.164");
const timezone = z.string().max(64).refine(isValidTimeZone, 'must be an IANA time zone such as Asia/Riyadh');
const locale = z.string().max(35).refine(isValidLocale, 'must be a BCP 47 language tag such as ar-SA');
export const attributeName = z.string().min(1).max(200);
/** Attribute values are any JSON; on write `null` means "remove this attribute". */
const attributes = z.record(attributeName, jsonValue);

const addressPart = z.string().max(1000);
/** A postal address in, checked by its country's rules (src/contacts/postal-address-rules.ts) and normalised. */
export const postalAddressInput = z
  .strictObject({
    name: addressPart.describe('The addressee as printed'),
    lines: z.array(addressPart).max(10).describe('Street lines, 1 to 3'),
    city: addressPart,
    region: addressPart.optional().describe('State, province or emirate (required in US, CA, AE; a two-letter code in US and CA)'),
    postcode: addressPart.optional().describe("Required where the country has postcodes; checked against the country's pattern"),
    country: addressPart.describe('ISO 3166-1 alpha-2 such as SA, IR, DE'),
  })
  .superRefine((value, ctx) => {
    const r = readPostalAddress(value, '');
    if (!r.ok) for (const issue of r.issues) ctx.addIssue({ code: 'custom', path: issue.path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)), message: issue.message });
  })
  .transform((value): PostalAddress => {
    const r = readPostalAddress(value, '');
    return r.ok ? r.address : (value as PostalAddress);
  })
  .meta({ id: 'PostalAddress' });

export const postalAddressSchema = z.object({
  name: z.string(),
  lines: z.array(z.string()),
  city: z.string(),
  region: z.string().optional(),
  postcode: z.string().optional(),
  country: z.string(),
});

export const contactCreateBody = z.strictObject({
  userId: userId.optional(),
  email: email.optional(),
  phone: phone.optional(),
  timezone: timezone.optional(),
  locale: locale.optional(),
  attributes: attributes.optional(),
  address: postalAddressInput.optional(),
});
export type ContactCreateInput = z.input<typeof contactCreateBody>;

export const contactPatchBody = z.strictObject({
  userId: userId.nullable().optional(),
  email: email.nullable().optional(),
  phone: phone.nullable().optional(),
  timezone: timezone.nullable().optional(),
  locale: locale.nullable().optional(),
  address: postalAddressInput.nullable().optional().describe('The whole postal address (replaced, not merged); null removes it'),
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
  address: postalAddressSchema.nullish().describe('The postal address (docs/mail.md), null when none (always present on contacts read from the store)'),
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

/** GET /api/contacts/search: words, filters and a keyset page (src/contacts/search.ts). */
export const contactSearchQuery = z
  .object({
    ...pageQuery,
    limit: z.coerce.number().int().min(1).max(200).default(50).describe('Page size, at most 200'),
    q: z
      .string()
      .max(200)
      .optional()
      .describe('Words that must each appear in the name, email, user id or phone (Arabic and Persian letter variants folded; a phone number may be typed with spaces and a trunk 0)'),
    listId: z.string().max(64).optional().describe('Only members of this list (any membership status)'),
    segmentId: z.string().max(64).optional().describe('Only current members of this saved segment'),
  })
  .catchall(z.string().max(1000).describe('attr.<name>=value: attribute equality (scalars compared as text)'))
  .superRefine((query, ctx) => {
    const known = new Set(['limit', 'cursor', 'q', 'listId', 'segmentId']);
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
