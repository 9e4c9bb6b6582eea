/**
 * @module The management API's zod schemas for lists and memberships (requests, responses, OpenAPI).
 */
import { z } from 'zod';

export const MAX_BULK_MEMBERS = 10_000;

const name = z.string().trim().min(1).max(200);
const description = z.string().max(2000);
const source = z.string().max(200).describe('Where the membership came from, e.g. "import", "signup-form"');
export const membershipStatus = z.enum(['subscribed', 'pending', 'unsubscribed']);

export const listCreateBody = z.strictObject({
  name,
  description: description.nullable().optional(),
  doubleOptIn: z.boolean().default(false).describe('New members start as pending until they confirm'),
});

export const listPatchBody = z.strictObject({
  name: name.optional(),
  description: description.nullable().optional(),
  doubleOptIn: z.boolean().optional(),
});

export const listSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  doubleOptIn: z.boolean(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});

export const membershipSchema = z.object({
  listId: z.string(),
  contactId: z.string(),
  status: membershipStatus,
  source: z.string().nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});

export const contactListsSchema = z.object({ data: z.array(membershipSchema.extend({ list: listSchema })) });

export const addMembersBody = z.strictObject({
  contactIds: z.array(z.string().min(1).max(64)).min(1).max(MAX_BULK_MEMBERS),
  status: z.enum(['subscribed', 'pending']).optional().describe('Default: pending on double opt-in lists, else subscribed'),
  source: source.optional(),
});

export const addMembersResult = z.object({
  added: z.array(z.string()).describe('Contacts newly put on the list'),
  unchanged: z.array(z.string()).describe('Contacts already on the list (any status), left as they were'),
  status: membershipStatus.describe('The status the added contacts got'),
});

export const memberPatchBody = z.strictObject({ status: membershipStatus, source: source.optional() });

export const memberParams = z.object({ id: z.string().min(1).max(64), contactId: z.string().min(1).max(64) });
