/**
 * @module A scoring rule: points (±) added when an event happens (`kind: event`, with the same
 * property filters journeys use for event triggers) or when a contact's attributes match
 * (`kind: attribute`, a journey condition over `contact.*`), with optional caps. One zod schema is
 * the request validation (field paths such as `where.0.op`), the OpenAPI document and the types.
 */
import { z } from 'zod';
import { Condition, Duration, PropertyFilters } from '../journeys/definition/schema.js';
import { durationMs } from '../core/duration.js';
import type { JsonObject } from '../core/json.js';

/** Events scoring itself records; a rule on them would feed on its own output. */
export const SCORE_EVENT = 'lead_score.changed';

const MAX_POINTS = 1_000_000;

export const capsFields = {
  maxPerContact: z.number().int().min(1).max(1_000_000).nullable().optional().describe('At most this many times per contact, ever'),
  maxPerPeriod: z
    .strictObject({ times: z.number().int().min(1).max(1_000_000), period: Duration })
    .nullable()
    .optional()
    .describe('At most `times` per contact within any `period` (e.g. 3 per 1d)'),
};

const common = {
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, - and _, at most 64')
    .optional(),
  name: z.string().trim().min(1).max(200),
  points: z
    .number()
    .int()
    .min(-MAX_POINTS)
    .max(MAX_POINTS)
    .refine((n) => n !== 0, 'must not be 0')
    .describe('Added to the score (negative: removed)'),
  enabled: z.boolean().default(true),
};

/** Attribute rules look at the contact only; `performed` is allowed (events are the contact's). */
function contactOnly(c: Condition, path: (string | number)[], ctx: z.RefinementCtx): void {
  if ('all' in c) c.all.forEach((x, i) => contactOnly(x, [...path, 'all', i], ctx));
  else if ('any' in c) c.any.forEach((x, i) => contactOnly(x, [...path, 'any', i], ctx));
  else if ('not' in c) contactOnly(c.not, [...path, 'not'], ctx);
  else if ('field' in c && !c.field.startsWith('contact.')) ctx.addIssue({ code: 'custom', path: [...path, 'field'], message: 'attribute rules look at contact.* fields only' });
}

export const eventRuleInput = z.strictObject({
  ...common,
  kind: z.literal('event'),
  event: z
    .string()
    .min(1)
    .max(200)
    .refine((e) => e !== SCORE_EVENT, `${SCORE_EVENT} is recorded by scoring itself`)
    .describe('Event name, e.g. webinar_registered or email.clicked'),
  where: PropertyFilters.max(20).optional().describe('Property filters, all must hold (as in journey event triggers)'),
  ...capsFields,
});

export const attributeRuleInput = z.strictObject({
  ...common,
  kind: z.literal('attribute'),
  condition: z
    .unknown()
    .superRefine((raw, ctx) => {
      const parsed = Condition.safeParse(raw);
      if (!parsed.success) {
        for (const i of parsed.error.issues) ctx.addIssue({ code: 'custom', path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message });
        return;
      }
      contactOnly(parsed.data, [], ctx);
    })
    .describe('A journey condition over contact.* (e.g. { field: "contact.job_title", op: "contains", value: "VP" }); points are added once per contact when it first holds'),
});

export const ruleInput = z.discriminatedUnion('kind', [eventRuleInput, attributeRuleInput]);
export type RuleInput = z.output<typeof ruleInput>;

/** PATCH: any field but kind; the result is checked as a whole again. */
export const rulePatch = z
  .object({
    name: common.name.optional(),
    points: common.points.optional(),
    enabled: z.boolean().optional(),
    event: z.string().optional(),
    where: z.unknown().optional(),
    condition: z.unknown().optional(),
    ...capsFields,
  })
  .strict();

export interface Rule {
  id: string;
  name: string;
  kind: 'event' | 'attribute';
  event?: string;
  where?: z.infer<typeof PropertyFilters>;
  condition?: Condition;
  points: number;
  maxPerContact: number | null;
  maxPerPeriod: { times: number; period: string } | null;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export const ruleSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['event', 'attribute']),
  event: z.string().optional(),
  where: z.array(z.object({ property: z.string(), op: z.string(), value: z.unknown().optional() })).optional(),
  condition: z.unknown().optional(),
  points: z.number().int(),
  maxPerContact: z.number().int().nullable(),
  maxPerPeriod: z.object({ times: z.number().int(), period: z.string() }).nullable(),
  enabled: z.boolean(),
  createdAt: z.number(),
  updatedAt: z.number(),
});

/** A rule as the sink evaluates it. */
export interface CompiledRule {
  id: string;
  kind: 'event' | 'attribute';
  event: string | null;
  where: z.infer<typeof PropertyFilters> | undefined;
  condition: Condition | undefined;
  points: number;
  /** Attribute rules apply once per contact. */
  maxPerContact: number | null;
  maxPerPeriod: { times: number; periodMs: number } | null;
}

export function definitionOf(input: RuleInput): JsonObject {
  return (input.kind === 'event' ? { event: input.event, ...(input.where ? { where: input.where } : {}) } : { condition: input.condition }) as JsonObject;
}

export function periodMs(period: string): number {
  return durationMs(period);
}

/** The largest unit that writes `ms` exactly (`86400000` → `1d`). */
export function periodText(ms: number): string {
  for (const [unit, size] of [
    ['w', 604_800_000],
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
