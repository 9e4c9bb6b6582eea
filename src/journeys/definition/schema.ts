/**
 * @module The journey document: the shape a journey has in JSON (API) and YAML (files). This zod
 * schema is the single source of its types, its request validation and its published JSON Schema.
 * Graph semantics (dangling edges, unreachable nodes, loops without a delay, …) are checked in
 * ./validate.ts, which names the offending node.
 *
 * Glossary: a journey is a graph of nodes joined by edges; a run is one contact's walk through one
 * journey version; a step is the execution of one node for one run.
 */
import { z } from 'zod';
import { urlPatternIssue } from '../../conditions/url-pattern.js';

/** `30s`, `15m`, `4h`, `3d`, `2w`: fixed lengths (a day is 24 h; see `calendarDays` for local days). */
/**
 * Bounds of one journey document. Real drip campaigns have tens of nodes (Braze caps a canvas at
 * 200 steps); a document past these is refused before any per-node check, so a huge body costs one
 * length test instead of a second of validation and a megabyte of issues.
 */
export const MAX_JOURNEY_NODES = 500;
export const MAX_JOURNEY_EDGES = 2000;

export const Duration = z
  .string()
  .regex(/^\d+(ms|s|m|h|d|w)$/, 'a duration like 30m, 4h, 3d or 2w')
  .describe('fixed duration: <n>ms|s|m|h|d|w (1d = 24h)');

/** `09:00` local time of day. */
export const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day HH:MM');

export const Weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

export const Operator = z.enum(['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'starts_with', 'exists', 'not_exists', 'in', 'not_in']);

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** A filter on an event's properties (dot paths: `items.0.sku`). */
export const PropertyFilter = z.object({
  property: z.string().min(1),
  op: Operator,
  value: z.union([Scalar, z.array(Scalar)]).optional(),
});
export const PropertyFilters = z.array(PropertyFilter);

/**
 * A condition over the contact (`contact.plan`, `contact.email`), the trigger event (`trigger.total`),
 * the last matched event (`event.x`) or journey data (`journey.x`); or whether the contact performed an
 * event since the run started (or within a window).
 */
export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { field: string; op: z.infer<typeof Operator>; value?: unknown }
  | { performed: { event: string; where?: z.infer<typeof PropertyFilters>; within?: string; minCount?: number } };

export const Condition: z.ZodType<Condition> = z
  .lazy(
    () =>
      z.union([
        z.object({ all: z.array(Condition).min(1) }),
        z.object({ any: z.array(Condition).min(1) }),
        z.object({ not: Condition }),
        z.object({
          field: z
            .string()
            .regex(
              /^((contact|trigger|event|journey)\.[\w.$-]+|predicted\.(conversion_30d|churn_30d))$/,
              'contact.*, trigger.*, event.* or journey.*, or predicted.conversion_30d / predicted.churn_30d',
            ),
          op: Operator,
          value: z.union([Scalar, z.array(Scalar)]).optional(),
        }),
        z.object({
          performed: z.object({
            event: z.string().min(1),
            where: PropertyFilters.optional(),
            within: Duration.optional().describe('window before now; default: since the run started'),
            minCount: z.number().int().min(1).optional(),
          }),
        }),
      ]),
    // Named, because it is recursive: the OpenAPI document and docs/journey.schema.json refer to it by this id.
  )
  .meta({ id: 'Condition' });

/** A URL pattern of a page-view trigger (syntax: src/conditions/url-pattern.ts, docs/journeys.md "Page views"). */
export const UrlPattern = z
  .string()
  .superRefine((s, ctx) => {
    const issue = urlPatternIssue(s);
    if (issue) ctx.addIssue({ code: 'custom', message: issue });
  })
  .describe('`/products/*`, `*/pricing`, `shop.example.com/*`: * is any text; query string ignored unless the pattern has a ?');

export const Trigger = z.discriminatedUnion('type', [
  z.object({ type: z.literal('event'), event: z.string().min(1), where: PropertyFilters.optional() }),
  z
    .object({
      type: z.literal('page_view'),
      url: UrlPattern,
      where: PropertyFilters.optional().describe("filters on the page call's properties (title, category, product fields…)"),
    })
    .describe('a page view (Segment `page` call) whose URL matches; bot traffic never triggers (docs/journeys.md)'),
  z.object({ type: z.literal('contact_created') }),
  z.object({ type: z.literal('list_joined'), list: z.string().min(1).describe('list id or name') }),
  z.object({ type: z.literal('segment_entered'), segment: z.string().min(1) }),
  z.object({
    type: z.literal('date_attribute'),
    attribute: z.string().min(1).describe('contact attribute holding a date (YYYY-MM-DD or ISO 8601)'),
    mode: z.enum(['yearly', 'once']).describe('yearly: every year on the day (birthdays); once: the date itself'),
    offsetDays: z.number().int().default(0).describe('days relative to the date: -7 = a week before'),
    time: TimeOfDay.default('09:00').describe("time of day in the contact's time zone"),
  }),
  z.object({ type: z.literal('manual') }),
]);

export const Reentry = z.object({
  mode: z.enum(['never', 'after_exit', 'always', 'after_interval']).default('never'),
  interval: Duration.optional().describe('for after_interval'),
  from: z.enum(['entry', 'exit']).default('exit').describe('after_interval counts from the previous entry or exit'),
});

export const Outcome = z.enum(['defer', 'skip', 'exit']);

export const QuietHours = z.object({
  start: TimeOfDay.describe('quiet from (local)'),
  end: TimeOfDay.describe('quiet until (local)'),
  outcome: Outcome.default('defer'),
});

export const FrequencyCap = z.object({
  max: z.number().int().min(1),
  per: Duration,
  channel: z.string().optional().describe('count only this channel; default all marketing messages'),
  outcome: Outcome.default('defer'),
});

const NodeBase = { id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'node ids are 1-64 letters, digits, _ or -'), name: z.string().optional() };

export const MessageNode = z.object({
  ...NodeBase,
  type: z.literal('message'),
  channel: z.string().min(1).describe('email, webhook, sms, …'),
  template: z.string().optional().describe('template id (email, sms)'),
  kind: z.enum(['marketing', 'transactional']).default('marketing'),
  config: z.record(z.string(), z.unknown()).optional().describe('channel-specific settings (webhook: url, headers)'),
  sendTime: z
    .object({ mode: z.literal('best'), within: Duration.default('24h') })
    .optional()
    .describe("send at each contact's best hour within `within`, from their human opens and clicks (docs/stats.md)"),
});

export const DelayNode = z.object({
  ...NodeBase,
  type: z.literal('delay'),
  duration: Duration.optional(),
  calendarDays: z.number().int().min(1).optional().describe('until local midnight N days on, then `at`'),
  weekdays: z.array(Weekday).min(1).optional().describe('until the next of these weekdays'),
  at: TimeOfDay.optional().describe("local time of day to resume at (contact's time zone)"),
  untilDate: z
    .object({
      attribute: z.string().min(1),
      offset: z
        .string()
        .regex(/^-?\d+(ms|s|m|h|d|w)$/)
        .default('0d'),
    })
    .optional()
    .describe('until a date attribute ± offset'),
});

export const WaitForEventNode = z.object({
  ...NodeBase,
  type: z.literal('wait_for_event'),
  event: z.string().min(1),
  where: PropertyFilters.optional(),
  timeout: Duration,
});

export const BranchNode = z.object({
  ...NodeBase,
  type: z.literal('branch'),
  branches: z
    .array(z.object({ output: z.string().min(1), condition: Condition }))
    .min(1)
    .describe('first match wins; otherwise output `else`'),
});

export const SplitNode = z.object({
  ...NodeBase,
  type: z.literal('split'),
  variants: z
    .array(z.object({ output: z.string().min(1), weight: z.number().positive() }))
    .min(2)
    .describe('A/B split; sticky per contact'),
  autoPromote: z
    .object({ minSample: z.number().int().positive().default(1000), probability: z.number().gt(0.5).lt(1).default(0.95) })
    .optional()
    .describe('once every variant has minSample runs and one non-holdout variant has P(best conversion) ≥ probability, send new entrants there (holdouts stay); default off (docs/stats.md)'),
});

export const UpdateContactNode = z.object({
  ...NodeBase,
  type: z.literal('update_contact'),
  set: z.record(z.string(), z.unknown()).describe('attributes to set'),
});

export const ExitNode = z.object({ ...NodeBase, type: z.literal('exit') });

export const JourneyNode = z.discriminatedUnion('type', [MessageNode, DelayNode, WaitForEventNode, BranchNode, SplitNode, UpdateContactNode, ExitNode]);

/**
 * Outputs per node type: message, delay, update_contact: `next`; wait_for_event: `event` | `timeout`;
 * branch: each branch's output and `else`; split: each variant's output; exit: none.
 */
export const Edge = z.object({ from: z.string(), to: z.string(), output: z.string().default('next') });

export const EventMatch = z.object({ event: z.string().min(1), where: PropertyFilters.optional() });

export const JourneyDocument = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'journey ids are lowercase letters, digits, _ or -'),
  name: z.string().min(1),
  description: z.string().optional(),
  status: z.enum(['draft', 'live', 'paused', 'archived']).default('draft'),
  trigger: Trigger,
  entry: z
    .object({
      filter: Condition.optional().describe('contacts must match this to enter'),
      reentry: Reentry.default({ mode: 'never', from: 'exit' }),
    })
    .default({ reentry: { mode: 'never', from: 'exit' } }),
  start: z.string().describe('id of the first node'),
  nodes: z.array(JourneyNode).min(1).max(MAX_JOURNEY_NODES),
  edges: z.array(Edge).max(MAX_JOURNEY_EDGES),
  goal: EventMatch.extend({ valueProperty: z.string().optional().describe('event property holding the conversion value') }).optional(),
  exitWhen: z.array(EventMatch).optional().describe('events that end the run without credit'),
  settings: z
    .object({
      quietHours: QuietHours.optional(),
      frequencyCap: FrequencyCap.optional(),
      maxDuration: Duration.default('365d').describe('runs still open after this end as timed out'),
    })
    .default({ maxDuration: '365d' }),
});

export type JourneyDocument = z.infer<typeof JourneyDocument>;
export type JourneyNode = z.infer<typeof JourneyNode>;
export type Trigger = z.infer<typeof Trigger>;
export type Edge = z.infer<typeof Edge>;
export type PropertyFilter = z.infer<typeof PropertyFilter>;
