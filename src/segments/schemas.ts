/**
 * @module The /api/segments request and response schemas. The condition tree is validated by
 * ./definition.ts's walker (exact paths such as `conditions.all.2.any.0.value`), so the route
 * accepts it as any JSON and documents it in OpenAPI with the JSON Schema of the leaves and groups.
 * Groups nest to any depth; OpenAPI shows two levels (deeper items are described, not expanded)
 * because the app registers no reusable components for recursive schemas.
 */
import { z } from 'zod';
import { leafCondition } from './definition.js';

const leafJson = z.toJSONSchema(leafCondition, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
delete leafJson.$schema;
const nested = { type: 'object', description: 'A nested condition: a group ({ all }, { any }, { not }) or a leaf condition' };
const groupOf = (item: object) => [
  { type: 'object', required: ['all'], properties: { all: { type: 'array', minItems: 1, items: item } }, additionalProperties: false },
  { type: 'object', required: ['any'], properties: { any: { type: 'array', minItems: 1, items: item } }, additionalProperties: false },
  { type: 'object', required: ['not'], properties: { not: item }, additionalProperties: false },
];
const level2 = { anyOf: [...groupOf(nested), leafJson] };

export const conditionsField = z.unknown().meta({
  title: 'SegmentConditions',
  description: 'A condition tree: { all: [...] }, { any: [...] }, { not: {...} } nested freely, over leaf conditions told apart by `type`. See docs/segments.md.',
  anyOf: [...groupOf(level2), leafJson],
});

const common = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).nullable().optional(),
  refreshIntervalMinutes: z.number().int().min(1).max(10_080).optional().describe('Minutes between full recomputes (time-relative segments default to 15)'),
};

export const segmentCreateBody = z.object({
  id: z.string().optional().describe('Optional slug (lowercase letters, digits, - and _); generated when absent'),
  ...common,
  conditions: conditionsField,
});

export const segmentPatchBody = z.object({
  name: common.name.optional(),
  description: common.description,
  refreshIntervalMinutes: common.refreshIntervalMinutes,
  conditions: conditionsField.optional(),
});

export const previewBody = z.object({ conditions: conditionsField });

export const segmentSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  conditions: z.unknown(),
  refreshIntervalMinutes: z.number().nullable(),
  computedAt: z.number().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
  memberCount: z.number().int().optional(),
});

const contactRef = { contactId: z.string(), userId: z.string().nullable(), email: z.string().nullable() };

export const previewSchema = z.object({ count: z.number().int(), sample: z.array(z.object(contactRef)) });
export const memberSchema = z.object({ ...contactRef, enteredAt: z.number() });
