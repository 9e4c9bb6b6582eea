/**
 * @module Zod schemas for consent: the service validates changes with them, the routes expose them.
 */
import { z } from 'zod';

export const channelName = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'must be a channel name such as email, sms or push (lower case, at most 32 characters)');
export const topicName = z.string().max(100).describe("A topic within the channel, e.g. 'newsletter'; '' (the default) means the whole channel");
export const consentStatus = z.enum(['subscribed', 'unsubscribed', 'pending']);

export const consentChange = z.strictObject({
  channel: channelName,
  topic: topicName.default(''),
  status: consentStatus,
  source: z.string().max(200).nullable().optional().describe('Where consent was given or withdrawn, e.g. "signup-form"'),
  textVersion: z.string().max(100).nullable().optional().describe('Version of the consent text the person agreed to'),
  ip: z.string().max(100).nullable().optional(),
  userAgent: z.string().max(1000).nullable().optional(),
  detail: z.string().max(2000).nullable().optional().describe('What the person wrote, when a reply changed the consent (an SMS "STOP", «لغو»)'),
});

export const consentPutBody = consentChange.pick({ topic: true, status: true, source: true, textVersion: true });

export const consentRecordSchema = z.object({
  channel: z.string(),
  topic: z.string(),
  status: consentStatus,
  source: z.string().nullable(),
  updatedAt: z.number().int(),
});

export const consentHistorySchema = z.object({
  id: z.number().int(),
  channel: z.string(),
  topic: z.string(),
  status: consentStatus,
  source: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  textVersion: z.string().nullable(),
  detail: z.string().nullable(),
  createdAt: z.number().int(),
});

export const consentParams = z.object({ id: z.string().min(1).max(64), channel: channelName });
