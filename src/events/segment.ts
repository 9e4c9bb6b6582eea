/**
 * @module The Segment HTTP Tracking API's request bodies as zod schemas (docs/standards.md §16): one per
 * call type and the batch. They validate /v1 requests and feed the OpenAPI document.
 *
 * Like Segment we are lenient where real libraries differ: ids may be strings or numbers (stored as
 * text), `userId: null` means absent, unknown top-level fields (`_metadata`, `writeKey`, `version`…)
 * are ignored. Dates are ISO 8601 strings and come out of the schema as epoch milliseconds.
 */
import { z } from 'zod';
import { parseIsoTime } from '../core/iso-time.js';
import { traitsEmailIssue } from '../contacts/contact.js';
import { traitsPhoneIssue } from '../contacts/phone-input.js';
import { traitsAddress } from '../contacts/postal-address-segment.js';

/** Segment's limits: 32 KB per call (and per batch item), 500 KB per batch request. */
export const MAX_CALL_BYTES = 32 * 1024;
export const MAX_BATCH_BYTES = 500 * 1024;
/**
 * Ours: calls per batch request. Segment states none, but 500 KB of `0,` is 250,000 items, and
 * validating (and reporting on) each cost seconds of CPU per request. Libraries send 15–250 per
 * batch; 2,500 leaves room for small calls (200 bytes each fill 500 KB).
 */
export const MAX_BATCH_ITEMS = 2500;

export const CALL_TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;
export type CallType = (typeof CALL_TYPES)[number];

const jsonObject = z.record(z.string(), z.unknown());

/** A user id, anonymous id, group id: a non-empty string or a number; null or '' mean absent. */
const identifier = z
  .union([z.string().max(255), z.number()])
  .nullish()
  .transform((v) => (v === null || v === undefined || v === '' ? null : String(v)));

/** A date that exists (`2026-02-30` is refused, not rolled over to March 2), as epoch ms; see src/core/iso-time.ts. */
const isoDate = z
  .string()
  .max(64)
  .refine((s) => parseIsoTime(s) !== null, 'must be an ISO 8601 date-time that exists, such as 2026-01-05T12:00:00Z')
  .transform((s) => parseIsoTime(s)!);

const common = {
  messageId: z
    .union([z.string().min(1).max(255), z.number()])
    .transform(String)
    .optional()
    .describe('Unique per workspace; a call with a messageId already stored is acknowledged and ignored'),
  userId: identifier.describe('Your id for the user; userId or anonymousId is required'),
  anonymousId: identifier.describe('A pre-identification id (cookie, device)'),
  timestamp: isoDate.optional().describe('When the call happened (client clock)'),
  originalTimestamp: isoDate.optional(),
  sentAt: isoDate.optional().describe('When the client sent the call; used to correct client clock skew'),
  context: jsonObject.optional().describe('ip, locale, timezone, userAgent, page, campaign…'),
  integrations: jsonObject.optional(),
};

/**
 * traits.email becomes the contact's email: one mailbox, or the call is refused (src/contacts/identity.ts);
 * traits.phone its phone: a number that is wrong in any country is refused here, a national one is
 * read with the workspace's default country by the route (src/contacts/phone-input.ts);
 * traits.address its postal address: one that its country's rules refuse is refused here
 * (src/contacts/postal-address-segment.ts).
 */
const identifyTraits = jsonObject.superRefine((traits, ctx) => {
  const issue = traitsEmailIssue(traits);
  if (issue) ctx.addIssue({ code: 'custom', path: ['email'], message: issue });
  const phoneIssue = traitsPhoneIssue(traits);
  if (phoneIssue) ctx.addIssue({ code: 'custom', path: ['phone'], message: phoneIssue });
  const address = traitsAddress(traits);
  if (address.kind === 'invalid') for (const issue of address.issues) ctx.addIssue({ code: 'custom', path: issue.path.split('.'), message: issue.message });
});

const shapes = {
  identify: { ...common, traits: identifyTraits.optional() },
  track: { ...common, event: z.string().min(1).max(255), properties: jsonObject.optional() },
  page: { ...common, name: z.string().max(255).nullish(), category: z.string().max(255).nullish(), properties: jsonObject.optional() },
  screen: { ...common, name: z.string().max(255).nullish(), category: z.string().max(255).nullish(), properties: jsonObject.optional() },
  group: { ...common, groupId: z.union([z.string().min(1).max(255), z.number()]).transform(String), traits: jsonObject.optional() },
  alias: {
    ...common,
    previousId: z
      .union([z.string().min(1).max(255), z.number()])
      .transform(String)
      .describe('The id the user had before'),
    userId: z
      .union([z.string().min(1).max(255), z.number()])
      .transform(String)
      .describe('The id the user has from now on'),
  },
} as const;

const IDENTITY_MESSAGE = 'userId or anonymousId is required';

/** Every call but alias needs a userId or an anonymousId. */
function identified<T extends z.ZodObject>(schema: T): T {
  return schema.refine((v: { userId?: string | null; anonymousId?: string | null }) => v.userId != null || v.anonymousId != null, { message: IDENTITY_MESSAGE, path: ['userId'] }) as T;
}

export const identifyBody = identified(z.object(shapes.identify));
export const trackBody = identified(z.object(shapes.track));
export const pageBody = identified(z.object(shapes.page));
export const screenBody = identified(z.object(shapes.screen));
export const groupBody = identified(z.object(shapes.group));
export const aliasBody = z.object(shapes.alias);

export const callBodies = {
  identify: identifyBody,
  track: trackBody,
  page: pageBody,
  screen: screenBody,
  group: groupBody,
  alias: aliasBody,
} as const;

export const batchItem = z.discriminatedUnion('type', [
  identified(z.object({ ...shapes.identify, type: z.literal('identify') })),
  identified(z.object({ ...shapes.track, type: z.literal('track') })),
  identified(z.object({ ...shapes.page, type: z.literal('page') })),
  identified(z.object({ ...shapes.screen, type: z.literal('screen') })),
  identified(z.object({ ...shapes.group, type: z.literal('group') })),
  z.object({ ...shapes.alias, type: z.literal('alias') }),
]);

const batchFields = {
  context: jsonObject.optional().describe("Merged under every item's own context"),
  integrations: jsonObject.optional(),
  sentAt: isoDate.optional().describe('Applies to items without their own sentAt'),
};

/** The batch request as documented; /v1/batch validates it with ./batch-validation.ts, item by item. */
export const batchBody = z.object({
  // zod checks an array's length before its items: an over-long batch costs one issue, not one per item.
  batch: z.array(batchItem).max(MAX_BATCH_ITEMS).describe(`Calls, each with its \`type\`, at most ${MAX_BATCH_ITEMS}; stored all together or not at all`),
  ...batchFields,
});

/** The batch request with its items left unchecked, for ./batch-validation.ts. */
export const batchEnvelope = z.object({ batch: z.array(z.unknown()).max(MAX_BATCH_ITEMS), ...batchFields });

export type SegmentCall = z.output<typeof batchItem>;
export type BatchBody = z.output<typeof batchBody>;

export const successBody = z.object({ success: z.literal(true) });
