/**
 * @module The /api/broadcasts request and response schemas. Quiet hours and frequency caps are the
 * journeys' own schemas (src/journeys/definition/schema.ts), minus the `exit` outcome: a broadcast has
 * no later step to exit from, so a recipient is either deferred or skipped.
 */
import { z } from 'zod';
import { FrequencyCap, QuietHours, TimeOfDay } from '../journeys/definition/schema.js';

const noExit = (o: { outcome: string }) => o.outcome !== 'exit';
const noExitIssue = { message: 'a broadcast recipient can be deferred or skipped, not exited', path: ['outcome'] };

export const broadcastQuietHours = QuietHours.refine(noExit, noExitIssue);
export const broadcastFrequencyCap = FrequencyCap.refine(noExit, noExitIssue);

/** Epoch ms, or an ISO 8601 date-time with offset, as epoch ms. */
export const instant = z
  .union([z.number().int().min(0), z.iso.datetime({ offset: true })])
  .transform((v) => (typeof v === 'number' ? v : Date.parse(v)))
  .describe('Epoch milliseconds or an ISO 8601 date-time');

export const audienceSchema = z.strictObject({
  type: z.enum(['segment', 'list']),
  id: z.string().min(1).max(64).describe('A segment id, or a list id (its subscribed members)'),
});

const fields = {
  name: z.string().trim().min(1).max(200),
  channel: z.string().min(1).max(64).default('email').describe('A registered channel (email, webhook, …)'),
  template: z.string().min(1).max(64).nullable().optional().describe('Template id; required on the email channel'),
  topic: z.string().max(64).nullable().optional().describe('Email topic: contacts unsubscribed from it are skipped'),
  config: z.record(z.string(), z.unknown()).optional().describe('Further channel settings (e.g. the webhook url)'),
  kind: z.enum(['marketing', 'transactional']).default('marketing').describe('Transactional broadcasts bypass consent for topics, quiet hours and caps'),
  audience: audienceSchema,
  sendAt: instant.nullable().optional().describe('When to start; absent or null: when scheduled'),
  localTime: TimeOfDay.nullable().optional().describe("Deliver at this time of day in each contact's zone (workspace zone as fallback), the first such time at or after the start"),
  ratePerSecond: z.number().int().min(1).max(100_000).nullable().optional().describe('Messages per second across all workers; absent: as fast as the workers go'),
  quietHours: broadcastQuietHours.nullable().optional(),
  frequencyCap: broadcastFrequencyCap.nullable().optional(),
};

export const broadcastCreateBody = z.strictObject(fields);

export const broadcastPatchBody = z.strictObject({
  name: fields.name.optional(),
  channel: z.string().min(1).max(64).optional(),
  template: fields.template,
  topic: fields.topic,
  config: fields.config,
  kind: z.enum(['marketing', 'transactional']).optional(),
  audience: audienceSchema.optional(),
  sendAt: fields.sendAt,
  localTime: fields.localTime,
  ratePerSecond: fields.ratePerSecond,
  quietHours: fields.quietHours,
  frequencyCap: fields.frequencyCap,
});

export const scheduleBody = z.strictObject({ sendAt: instant.nullable().optional().describe('Overrides the stored sendAt; absent: keep it (null: now)') }).optional();

export type BroadcastCreateInput = z.output<typeof broadcastCreateBody>;
export type BroadcastPatchInput = z.output<typeof broadcastPatchBody>;

export const broadcastStatus = z.enum(['draft', 'scheduled', 'sending', 'paused', 'cancelled', 'completed']);

export const progressSchema = z.object({
  total: z.number().int().describe('Recipients snapshotted when the broadcast started (0 before)'),
  sent: z.number().int(),
  failed: z.number().int(),
  skipped: z.number().int().describe('Not sent on purpose: unsubscribed, suppressed, no address, capped, contact erased'),
  remaining: z.number().int().describe('Not yet settled (for a cancelled broadcast: never to be sent)'),
});

export const broadcastSchema = z.object({
  id: z.string(),
  name: z.string(),
  channel: z.string(),
  template: z.string().nullable(),
  topic: z.string().nullable(),
  config: z.record(z.string(), z.unknown()),
  kind: z.enum(['marketing', 'transactional']),
  audience: z.object({ type: z.enum(['segment', 'list']), id: z.string() }),
  status: broadcastStatus,
  sendAt: z.number().nullable(),
  localTime: z.string().nullable(),
  ratePerSecond: z.number().nullable(),
  quietHours: z.unknown().nullable(),
  frequencyCap: z.unknown().nullable(),
  progress: progressSchema,
  createdAt: z.number(),
  updatedAt: z.number(),
  scheduledAt: z.number().nullable(),
  startedAt: z.number().nullable(),
  completedAt: z.number().nullable(),
  cancelledAt: z.number().nullable(),
});

export const recipientCountSchema = z.object({
  audience: z.number().int().describe('Contacts in the segment or subscribed to the list now'),
  recipients: z.number().int().describe('Those a send started now would hand to the channel'),
  excluded: z.object({ unsubscribed: z.number().int(), suppressed: z.number().int().describe('Suppressed address, or no consent where the channel needs it'), noAddress: z.number().int() }),
  sampleContactId: z.string().nullable().describe('The first recipient, to preview the message as'),
});

export const testSendBody = z
  .strictObject({
    email: z.string().trim().min(3).max(320).optional(),
    phone: z.string().trim().min(3).max(40).optional(),
  })
  .refine((b) => (b.email === undefined) !== (b.phone === undefined), { message: 'give exactly one of email or phone', path: ['email'] });

export const testSendSchema = z.object({
  result: z.object({ status: z.enum(['sent', 'retryable', 'permanent', 'skipped']), reason: z.string().optional(), providerMessageId: z.string().optional() }),
  messageId: z.string().nullable().describe('The message record of the test (its key starts with test:)'),
});
