/**
 * @module The simulate endpoint's request and response (zod, so they appear in /api/openapi.json).
 * Event times are ISO instants or offsets from the simulated start (`+2h`, `+3d`).
 */
import { z } from 'zod';
import { LOCALE } from '../../templates/template.js';
import { parseIsoTime } from '../../core/iso-time.js';

export const OFFSET = /^[+-]\d+(ms|s|m|h|d|w)$/;
const DURATION = /^\d+(ms|s|m|h|d|w)$/;

const instantOrOffset = z.string().refine((s) => OFFSET.test(s) || parseIsoTime(s) !== null, 'an ISO time that exists (2026-03-01T09:00:00Z) or an offset from start such as +2h or +3d');

const jsonObject = z.record(z.string(), z.unknown());

const byId = z.object({ contactId: z.string().min(1).max(100) }).strict();
const byAttributes = z
  .object({
    attributes: jsonObject,
    email: z.string().max(320).optional(),
    timezone: z.string().max(64).optional(),
    locale: z.string().regex(LOCALE, 'must be a locale such as en or fa-IR').optional(),
  })
  .strict();

export const simulateBody = z
  .object({
    version: z.number().int().min(1).optional(),
    contact: z.union([byId, byAttributes]),
    trigger: jsonObject.optional().describe("the trigger event's properties (trigger.*)"),
    events: z
      .array(z.object({ name: z.string().min(1).max(200), properties: jsonObject.optional(), at: instantOrOffset }).strict())
      .max(500)
      .default([]),
    start: z
      .string()
      .refine((s) => parseIsoTime(s) !== null, 'an ISO time that exists (2026-03-01T09:00:00Z)')
      .optional()
      .describe('when the contact enters (default now)'),
    until: z.string().regex(DURATION, 'a duration such as 30d').optional().describe("how far to simulate (default the journey's maxDuration, else 90d)"),
  })
  .strict();

export type SimulateBody = z.infer<typeof simulateBody>;

export const simulatedMessage = z.object({
  channel: z.string(),
  templateId: z.string().nullable(),
  version: z.number().nullable(),
  locale: z.string().nullable(),
  dir: z.enum(['ltr', 'rtl']),
  to: z.string().nullable(),
  subject: z.string(),
  preheader: z.string(),
  html: z.string().nullable(),
  text: z.string(),
});

export const pathEntry = z.object({
  at: z.number().describe('epoch ms on the virtual clock'),
  local: z.string().describe("the same instant in the contact's time zone"),
  node: z.string(),
  type: z.string(),
  outcome: z.string(),
  output: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
  message: simulatedMessage.optional(),
});

export const simulateResponse = z.object({
  journeyId: z.string(),
  version: z.number(),
  contactId: z.string(),
  timezone: z.string(),
  start: z.number(),
  until: z.number(),
  path: z.array(pathEntry),
  endedAt: z.number().nullable(),
  endStatus: z.string().describe('completed, exited, converted, errored, timed_out, or open when `until` came first'),
  warnings: z.array(z.string()),
});

export type PathEntry = z.infer<typeof pathEntry>;
export type SimulatedMessage = z.infer<typeof simulatedMessage>;
