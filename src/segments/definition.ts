/**
 * @module A segment's condition tree: groups `{ all: [...] }`, `{ any: [...] }`, `{ not: {...} }`,
 * nested freely, over leaf conditions told apart by `type` (see docs/segments.md for every operator).
 *
 * Validation walks the tree itself instead of handing zod one recursive union: a union that fails
 * reports only "invalid input" at the union, while the walker picks the branch from the keys and
 * reports the exact path of the bad field (`conditions.all.2.any.0.value`).
 */
import { z } from 'zod';
import { ValidationError, type FieldIssue } from '../core/errors.js';
import { urlPatternIssue } from '../conditions/url-pattern.js';

const MAX_DEPTH = 10;
const MAX_LEAVES = 200;
const DAY_MS = 86_400_000;

/** An instant: epoch ms, an ISO date (`2026-01-05`, UTC midnight) or an ISO date-time with offset. */
const instant = z
  .union([z.number().int(), z.iso.date(), z.iso.datetime({ offset: true })])
  .transform((v) => (typeof v === 'number' ? v : Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v)))
  .describe('Epoch milliseconds, an ISO date (UTC midnight) or an ISO 8601 date-time');

/** A dotted attribute or property path; each part a plain name. */
const path = z
  .string()
  .regex(/^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)*$/, 'must be a name or a dotted path of names (letters, digits, _, -, $)')
  .max(200);

const days = z.number().int().min(0).max(36_500);
const scalar = z.union([z.string().max(1000), z.number(), z.boolean()]);

export const VALUE_OPS = ['equals', 'not_equals', 'contains', 'starts_with', 'exists', 'not_exists', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte'] as const;
export const DATE_OPS = ['before', 'after', 'more_than_days_ago', 'less_than_days_ago', 'anniversary_within_days'] as const;
const NUMBER_OPS = ['equals', 'gt', 'gte', 'lt', 'lte'] as const;

/** Checks `value` against what `op` needs; issues land on `value`. */
function checkValue(op: string, value: unknown, ctx: z.RefinementCtx): void {
  const fail = (message: string) => ctx.addIssue({ code: 'custom', path: ['value'], message });
  switch (op) {
    case 'exists':
    case 'not_exists':
      if (value !== undefined) fail(`${op} takes no value`);
      return;
    case 'equals':
    case 'not_equals':
      if (!scalar.safeParse(value).success) fail('must be a string, number or boolean');
      return;
    case 'contains':
    case 'starts_with':
      if (typeof value !== 'string' || value === '') fail('must be a non-empty string');
      return;
    case 'in':
    case 'not_in':
      if (
        !z
          .array(z.union([z.string(), z.number()]))
          .min(1)
          .max(1000)
          .safeParse(value).success
      )
        fail('must be a list of 1 to 1000 strings or numbers');
      return;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (typeof value !== 'number' || !Number.isFinite(value)) fail('must be a number');
      return;
    case 'before':
    case 'after':
      if (!instant.safeParse(value).success) fail('must be epoch milliseconds, an ISO date or an ISO 8601 date-time');
      return;
    case 'more_than_days_ago':
    case 'less_than_days_ago':
      if (!days.safeParse(value).success) fail('must be a whole number of days');
      return;
    case 'anniversary_within_days':
      if (!z.number().int().min(0).max(365).safeParse(value).success) fail('must be a whole number of days from 0 to 365');
      return;
  }
}

const valueCheck = (c: { op: string; value?: unknown }, ctx: z.RefinementCtx) => checkValue(c.op, c.value, ctx);

export const propertyFilter = z.strictObject({ property: path, op: z.enum(VALUE_OPS), value: z.unknown().optional() }).superRefine(valueCheck);

/** The event window: the last `withinDays` days, or `[from, to)`; neither means ever. */
const windowFields = {
  withinDays: z.number().int().min(1).max(36_500).optional().describe('Only events of the last N days (sliding)'),
  from: instant.optional().describe('Only events at or after this instant'),
  to: instant.optional().describe('Only events before this instant'),
};
const eventFields = { event: z.string().min(1).max(200), where: z.array(propertyFilter).max(20).optional(), ...windowFields };

function windowCheck(c: { withinDays?: number | undefined; from?: number | undefined; to?: number | undefined }, ctx: z.RefinementCtx): void {
  if (c.withinDays !== undefined && (c.from !== undefined || c.to !== undefined)) ctx.addIssue({ code: 'custom', path: ['withinDays'], message: 'use either withinDays or from/to, not both' });
  if (c.from !== undefined && c.to !== undefined && c.from >= c.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
}

export const attributeCondition = z
  .strictObject({
    type: z.literal('attribute'),
    attribute: path.describe('A contact column (email, phone, timezone, locale, user_id, created_at, updated_at) or a JSON attribute path'),
    op: z.enum([...VALUE_OPS, ...DATE_OPS]),
    value: z.unknown().optional(),
  })
  .superRefine(valueCheck);

export const eventCondition = z
  .strictObject({
    type: z.literal('event'),
    ...eventFields,
    performed: z.boolean().default(true).describe('false: the contact did NOT perform it (in the window)'),
    count: z.strictObject({ op: z.enum(['at_least', 'at_most', 'exactly']), value: z.number().int().min(0).max(1_000_000) }).optional(),
  })
  .superRefine((c, ctx) => {
    windowCheck(c, ctx);
    if (!c.performed && c.count) ctx.addIssue({ code: 'custom', path: ['count'], message: 'count cannot be combined with performed: false' });
  });

export const eventAggregateCondition = z
  .strictObject({
    type: z.literal('event_aggregate'),
    ...eventFields,
    fn: z.enum(['sum', 'avg', 'min', 'max']),
    property: path.describe('A numeric event property, e.g. revenue'),
    op: z.enum(NUMBER_OPS),
    value: z.number(),
  })
  .superRefine(windowCheck);

export const eventTimeCondition = z
  .strictObject({
    type: z.literal('event_time'),
    ...eventFields,
    which: z.enum(['first', 'last']),
    op: z.enum(['before', 'after', 'more_than_days_ago', 'less_than_days_ago']),
    value: z.unknown(),
  })
  .superRefine((c, ctx) => {
    windowCheck(c, ctx);
    checkValue(c.op, c.value, ctx);
  });

export const listCondition = z.strictObject({
  type: z.literal('list'),
  list: z.string().min(1).max(200).describe('List id or name'),
  status: z.enum(['subscribed', 'pending', 'unsubscribed']).default('subscribed'),
});

export const consentCondition = z.strictObject({
  type: z.literal('consent'),
  channel: z.string().min(1).max(50),
  topic: z.string().max(200).default('').describe("'' is the whole channel"),
  status: z.enum(['subscribed', 'unsubscribed', 'pending']),
});

export const messageCondition = z.strictObject({
  type: z.literal('message'),
  action: z.enum(['received', 'opened', 'clicked']),
  journey: z.string().min(1).max(200).optional(),
  template: z.string().min(1).max(200).optional(),
  withinDays: z.number().int().min(1).max(36_500).optional(),
  performed: z.boolean().default(true).describe('false: did NOT receive/open/click (e.g. not opened anything in 90 days)'),
});

/** A URL pattern (src/conditions/url-pattern.ts); the issue names what is wrong with it. */
const urlPattern = z.string().superRefine((v, ctx) => {
  const issue = urlPatternIssue(v);
  if (issue) ctx.addIssue({ code: 'custom', message: issue });
});

/** "Visited /pricing at least twice in the last 7 days": human page views (bots never count) matching `url`. */
export const visitsCondition = z.strictObject({
  type: z.literal('visits'),
  url: urlPattern.optional().describe('URL pattern: /pricing, /products/*, */pricing, shop.example.com/*; absent: any page'),
  atLeast: z.number().int().min(1).max(1_000_000).default(1).describe('Page views, at least'),
  withinDays: z.number().int().min(1).max(36_500).describe('In the last N days (sliding)'),
});

/** "At least 3 sessions in the last 30 days": a session is page views less than 30 minutes apart (bots never count). */
export const sessionsCondition = z.strictObject({
  type: z.literal('sessions'),
  atLeast: z.number().int().min(1).max(1_000_000).describe('Sessions, at least'),
  withinDays: z.number().int().min(1).max(36_500).describe('In the last N days (sliding)'),
});

export const leadScoreCondition = z.strictObject({ type: z.literal('lead_score'), op: z.enum(NUMBER_OPS), value: z.number() });

/** The predictions of src/insights/predict.ts (docs/insights.md). */
export const PREDICTIONS = ['conversion_30d', 'churn_30d'] as const;

/** `predicted.conversion_30d > 0.6`: a contact's stored score; a contact without one never matches. */
export const predictedCondition = z.strictObject({
  type: z.literal('predicted'),
  prediction: z.enum(PREDICTIONS).describe('conversion_30d: P(order in the next 30 days); churn_30d: P(no activity in the next 30 days)'),
  op: z.enum(['gt', 'gte', 'lt', 'lte']),
  value: z.number().min(0).max(1).describe('A probability, 0 to 1'),
});

export const leafCondition = z.discriminatedUnion('type', [
  attributeCondition,
  eventCondition,
  eventAggregateCondition,
  eventTimeCondition,
  listCondition,
  consentCondition,
  messageCondition,
  leadScoreCondition,
  visitsCondition,
  sessionsCondition,
  predictedCondition,
]);

export type AttributeCondition = z.output<typeof attributeCondition>;
export type EventCondition = z.output<typeof eventCondition>;
export type EventAggregateCondition = z.output<typeof eventAggregateCondition>;
export type EventTimeCondition = z.output<typeof eventTimeCondition>;
export type PropertyFilter = z.output<typeof propertyFilter>;
export type VisitsCondition = z.output<typeof visitsCondition>;
export type SessionsCondition = z.output<typeof sessionsCondition>;
export type LeafCondition = z.output<typeof leafCondition>;
export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | LeafCondition;

/** Parses a condition tree; throws a ValidationError naming every bad field by its path. */
export function parseConditions(raw: unknown, at = 'conditions'): Condition {
  const issues: FieldIssue[] = [];
  let leaves = 0;
  const walk = (node: unknown, p: string, depth: number): Condition | null => {
    if (depth > MAX_DEPTH) {
      issues.push({ path: p, message: `conditions nest at most ${MAX_DEPTH} deep` });
      return null;
    }
    if (node === null || typeof node !== 'object' || Array.isArray(node)) {
      issues.push({ path: p, message: 'must be an object: { all: [...] }, { any: [...] }, { not: {...} } or a condition with a type' });
      return null;
    }
    const keys = Object.keys(node);
    const group = keys.find((k) => k === 'all' || k === 'any' || k === 'not');
    if (group) {
      if (keys.length !== 1) {
        issues.push({ path: p, message: `a group has only the key "${group}"; found ${keys.join(', ')}` });
        return null;
      }
      const inner = (node as Record<string, unknown>)[group];
      if (group === 'not') {
        const c = walk(inner, `${p}.not`, depth + 1);
        return c && { not: c };
      }
      if (!Array.isArray(inner) || inner.length === 0) {
        issues.push({ path: `${p}.${group}`, message: 'must be a non-empty list of conditions' });
        return null;
      }
      const items = inner.map((c, i) => walk(c, `${p}.${group}.${i}`, depth + 1));
      if (items.some((c) => c === null)) return null;
      return group === 'all' ? { all: items as Condition[] } : { any: items as Condition[] };
    }
    if (++leaves > MAX_LEAVES) {
      if (leaves === MAX_LEAVES + 1) issues.push({ path: p, message: `a segment has at most ${MAX_LEAVES} conditions` });
      return null;
    }
    const result = leafCondition.safeParse(node);
    if (result.success) return result.data;
    for (const i of result.error.issues) issues.push({ path: [p, ...i.path.map(String)].join('.'), message: i.message });
    return null;
  };
  const tree = walk(raw, at, 1);
  if (!tree || issues.length) throw new ValidationError(issues);
  return tree;
}

/** An instant value (already checked by the schema) as epoch ms. */
export function instantMs(value: unknown): number {
  return instant.parse(value);
}

export { DAY_MS };
