/**
 * @module Compiles a condition tree into one SQL boolean over the contact row `c`, for SQLite and
 * PostgreSQL. Relative time uses `now` (the injected clock), passed in as a parameter.
 *
 * Two shapes for the event conditions that count or aggregate, chosen by `mode`:
 *  - `full` (every contact of a workspace): set-based, one GROUP BY over the workspace's events of
 *    that name (index events_workspace_name_time) joined to contacts; PostgreSQL turns the EXISTS
 *    into a hash semi/anti join (EXPLAIN ANALYZE at 50k contacts / 500k events: HashAggregate over a
 *    bitmap scan of events_workspace_name_time, hash join to contacts, 0.2 s for "sum > 100 in 90
 *    days"); SQLite gets `c.id IN (subquery)`, which it evaluates once into an ephemeral index.
 *    Refresh of that segment at 20k contacts went from 319 ms to 34 ms on SQLite with this shape and
 *    the temporary table of ./members.ts (bench/segments.ts; the first run was on a busier machine).
 *  - `few` (a handful of dirty contacts): correlated per-contact subqueries on
 *    events_contact_name_time, so the cost follows the contacts checked, not the workspace.
 * Both give the same answer; the test suite checks both on both backends.
 *
 * Every leaf is a non-NULL boolean (NULL-able comparisons are wrapped in COALESCE), so `not`
 * behaves: "not (plan equals pro)" includes contacts without a plan. EXISTS leaves are left bare so
 * PostgreSQL can still pull them up into joins.
 */
import { sql, type RawBuilder } from 'kysely';
import { assertNever } from '../core/errors.js';
import type { DialectName } from '../store/store.js';
import {
  DAY_MS,
  instantMs,
  type AttributeCondition,
  type Condition,
  type EventAggregateCondition,
  type EventCondition,
  type EventTimeCondition,
  type LeafCondition,
  type PropertyFilter,
} from './definition.js';
import { JsonReader, monthDaysAhead, type Expr } from './sql-values.js';
import { sessionsSql, visitsSql } from './visits.js';

export interface CompileContext {
  dialect: DialectName;
  workspaceId: string;
  now: number;
  mode: 'full' | 'few';
}

/** Contact columns a condition may name directly; anything else is a JSON attribute path. */
export const CONTACT_COLUMNS = { email: 'text', phone: 'text', timezone: 'text', locale: 'text', user_id: 'text', created_at: 'time', updated_at: 'time' } as const;

/** A typed NULL (an untyped one makes PostgreSQL's operator resolution ambiguous). */
const NO_NUMBER = sql`CAST(NULL AS double precision)`;
const orFalse = (e: Expr): Expr => sql`COALESCE(${e}, FALSE)`;
const list = (values: readonly unknown[]): Expr => sql`(${sql.join(values.map((v) => sql.val(v)))})`;

export function compileCondition(cond: Condition, ctx: CompileContext): Expr {
  return new Compiler(ctx).condition(cond);
}

class Compiler {
  private readonly json: JsonReader;
  constructor(private readonly ctx: CompileContext) {
    this.json = new JsonReader(ctx.dialect);
  }

  condition(c: Condition): Expr {
    if ('all' in c)
      return sql`(${sql.join(
        c.all.map((x) => this.condition(x)),
        sql` AND `,
      )})`;
    if ('any' in c)
      return sql`(${sql.join(
        c.any.map((x) => this.condition(x)),
        sql` OR `,
      )})`;
    if ('not' in c) return sql`(NOT ${this.condition(c.not)})`;
    return this.leaf(c);
  }

  private leaf(c: LeafCondition): Expr {
    switch (c.type) {
      case 'attribute':
        return this.attribute(c);
      case 'lead_score':
        return orFalse(compare(this.json.number(sql.ref('c.attributes'), ['lead_score']), c.op, c.value));
      case 'predicted':
        // EXISTS on the primary key (workspace_id, contact_id): PostgreSQL can make it a semi-join.
        return sql`EXISTS (SELECT 1 FROM contact_predictions p WHERE p.workspace_id = ${this.ctx.workspaceId} AND p.contact_id = c.id
          AND ${compare(sql.ref(`p.${c.prediction}`), c.op, c.value)})`;
      case 'event':
        return this.event(c);
      case 'event_aggregate':
        return this.aggregate(c);
      case 'event_time':
        return this.eventTime(c);
      case 'list':
        return sql`EXISTS (SELECT 1 FROM list_memberships lm JOIN lists l ON l.id = lm.list_id WHERE lm.contact_id = c.id
          AND l.workspace_id = ${this.ctx.workspaceId} AND (l.id = ${c.list} OR l.name = ${c.list}) AND lm.status = ${c.status})`;
      case 'consent':
        return sql`EXISTS (SELECT 1 FROM consents k WHERE k.contact_id = c.id AND k.channel = ${c.channel} AND k.topic = ${c.topic} AND k.status = ${c.status})`;
      case 'message': {
        const since = c.withinDays === undefined ? null : this.ctx.now - c.withinDays * DAY_MS;
        let found: Expr;
        if (c.action === 'received') {
          found = sql`EXISTS (SELECT 1 FROM messages m WHERE m.contact_id = c.id AND m.status = 'sent'
            ${since === null ? sql`` : sql`AND m.sent_at >= ${since}`}
            ${c.journey ? sql`AND m.journey_id = ${c.journey}` : sql``} ${c.template ? sql`AND m.template_id = ${c.template}` : sql``})`;
        } else {
          const where: PropertyFilter[] = [];
          if (c.journey) where.push({ property: 'journeyId', op: 'equals', value: c.journey });
          if (c.template) where.push({ property: 'templateId', op: 'equals', value: c.template });
          // Apple Mail Privacy Protection opens are machine opens: never evidence of engagement (docs/standards.md §13).
          // An open without the property is a human open (isTrue is NULL then, hence orFalse).
          const human = c.action === 'opened' ? sql`AND NOT ${orFalse(this.json.isTrue(sql.ref('e.properties'), ['machine']))}` : sql``;
          const filter = this.eventFilter({ event: c.action === 'opened' ? 'email.opened' : 'email.clicked', where, withinDays: c.withinDays });
          found = this.anyEvent(sql`${filter} ${human}`);
        }
        return c.performed ? found : sql`(NOT ${found})`;
      }
      case 'visits':
        return visitsSql(c, this.ctx);
      case 'sessions':
        return sessionsSql(c, this.ctx);
      default:
        return assertNever(c, 'condition');
    }
  }

  private attribute(c: AttributeCondition): Expr {
    const column = CONTACT_COLUMNS[c.attribute as keyof typeof CONTACT_COLUMNS];
    if (column) {
      const ref = sql.ref(`c.${c.attribute}`);
      const time = column === 'time';
      return this.valueTest(
        { text: time ? sql`CAST(${ref} AS TEXT)` : ref, number: time ? ref : NO_NUMBER, instant: time ? ref : NO_NUMBER, present: sql`(${ref} IS NOT NULL)`, monthDay: null },
        c.op,
        c.value,
      );
    }
    return this.jsonTest(sql.ref('c.attributes'), c.attribute.split('.'), c.op, c.value);
  }

  private jsonTest(column: Expr, parts: string[], op: string, value: unknown): Expr {
    const j = this.json;
    const type = j.type(column, parts);
    return this.valueTest(
      {
        text: j.text(column, parts),
        number: j.number(column, parts),
        instant: j.instant(column, parts),
        present: sql`(${type} IS NOT NULL AND ${type} <> 'null')`,
        monthDay: j.monthDay(column, parts),
        type,
      },
      op,
      value,
    );
  }

  private valueTest(v: { text: Expr; number: Expr; instant: Expr; present: Expr; monthDay: Expr | null; type?: Expr }, op: string, value: unknown): Expr {
    const now = this.ctx.now;
    switch (op) {
      case 'exists':
        return orFalse(v.present);
      case 'not_exists':
        return sql`(NOT ${orFalse(v.present)})`;
      case 'equals':
        return orFalse(this.equals(v, value));
      case 'not_equals':
        return sql`(NOT ${orFalse(this.equals(v, value))})`;
      case 'contains':
        // Case-insensitive substring; strpos/instr avoid LIKE's wildcards in the user's text.
        return orFalse(sql`(${sql.raw(this.ctx.dialect === 'postgres' ? 'strpos' : 'instr')}(lower(${v.text}), ${String(value).toLowerCase()}) > 0)`);
      case 'starts_with':
        return orFalse(sql`(substr(${v.text}, 1, ${(value as string).length}) = ${value as string})`);
      case 'in':
      case 'not_in': {
        const inList = orFalse(sql`(${v.text} IN ${list((value as unknown[]).map(String))})`);
        return op === 'in' ? inList : sql`(NOT ${inList})`;
      }
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        return orFalse(compare(v.number, op, value as number));
      case 'before':
        return orFalse(sql`(${v.instant} < ${instantMs(value)})`);
      case 'after':
        return orFalse(sql`(${v.instant} > ${instantMs(value)})`);
      case 'more_than_days_ago':
        return orFalse(sql`(${v.instant} < ${now - (value as number) * DAY_MS})`);
      case 'less_than_days_ago':
        return orFalse(sql`(${v.instant} >= ${now - (value as number) * DAY_MS} AND ${v.instant} <= ${now})`);
      case 'anniversary_within_days':
        if (!v.monthDay) return sql`FALSE`;
        return orFalse(sql`(${v.monthDay} IN ${list(monthDaysAhead(now, value as number))})`);
      default:
        throw new Error(`unknown operator ${op}`);
    }
  }

  private equals(v: { text: Expr; number: Expr; type?: Expr }, value: unknown): Expr {
    if (typeof value === 'number') return sql`(${v.number} = ${value})`;
    if (typeof value === 'boolean') return v.type ? sql`(${v.type} = 'boolean' AND ${v.text} = ${String(value)})` : sql`FALSE`;
    return sql`(${v.text} = ${String(value)})`;
  }

  /** The WHERE of "events of this contact/workspace that count" (without the contact join). */
  private eventFilter(c: { event: string; where?: PropertyFilter[] | undefined; withinDays?: number | undefined; from?: number | undefined; to?: number | undefined }): Expr {
    const parts: Expr[] = [sql`e.name = ${c.event}`];
    if (c.withinDays !== undefined) parts.push(sql`e.timestamp >= ${this.ctx.now - c.withinDays * DAY_MS}`);
    if (c.from !== undefined) parts.push(sql`e.timestamp >= ${c.from}`);
    if (c.to !== undefined) parts.push(sql`e.timestamp < ${c.to}`);
    for (const f of c.where ?? []) parts.push(this.jsonTest(sql.ref('e.properties'), f.property.split('.'), f.op, f.value));
    return sql.join(parts, sql` AND `);
  }

  /** The contact has at least one event matching `filter`. */
  private anyEvent(filter: Expr): Expr {
    if (this.ctx.mode === 'few') return sql`EXISTS (SELECT 1 FROM events e WHERE e.contact_id = c.id AND ${filter})`;
    const ws = this.ctx.workspaceId;
    // SQLite, full: one range scan of the workspace's events into an ephemeral index (IN subquery),
    // 3x faster than 200k per-contact probes at 200k contacts.
    if (this.ctx.dialect === 'sqlite') return sql`c.id IN (SELECT e.contact_id FROM events e WHERE e.workspace_id = ${ws} AND ${filter})`;
    // PostgreSQL plans EXISTS as a semi/anti join. The workspace filter (redundant: a contact's events
    // are in its workspace) lets events_workspace_name_time serve the window; without it the only
    // index with the name was events_contact_name_time, read whole (67k pages), or the whole table.
    // "Not opened in 90 days" at 1M contacts / 10M events in arrival order: 1.7-1.9 s -> 1.1-1.2 s
    // (bitmap heap scan of the window's 47k pages instead of a seq scan of 213k; work_mem 64MB, serial).
    return sql`EXISTS (SELECT 1 FROM events e WHERE e.workspace_id = ${ws} AND e.contact_id = c.id AND ${filter})`;
  }

  /** Contacts having events (filtered) whose group satisfies `having`; per mode (see the module comment). */
  private having(c: Parameters<Compiler['eventFilter']>[0], having: Expr, perContact: Expr): Expr {
    if (this.ctx.mode === 'few') return orFalse(sql`(SELECT ${perContact} FROM events e WHERE e.contact_id = c.id AND ${this.eventFilter(c)})`);
    const groups = sql`SELECT e.contact_id FROM events e WHERE e.workspace_id = ${this.ctx.workspaceId} AND ${this.eventFilter(c)} GROUP BY e.contact_id HAVING ${having}`;
    // SQLite evaluates an uncorrelated IN subquery once; PostgreSQL turns EXISTS into a hash join
    // (its NOT IN over a large subquery would not fit a hashed subplan and rescan per contact).
    if (this.ctx.dialect === 'sqlite') return sql`c.id IN (${groups})`;
    return sql`EXISTS (SELECT 1 FROM (${groups}) g WHERE g.contact_id = c.id)`;
  }

  private event(c: EventCondition): Expr {
    const count = c.performed ? (c.count ?? { op: 'at_least' as const, value: 1 }) : { op: 'at_most' as const, value: 0 };
    const exists = (n: number) => {
      if (n <= 0) return sql`TRUE`;
      if (n === 1) return this.anyEvent(this.eventFilter(c));
      return this.having(c, sql`count(*) >= ${n}`, sql`count(*) >= ${n}`);
    };
    switch (count.op) {
      case 'at_least':
        return exists(count.value);
      case 'at_most':
        return sql`(NOT ${exists(count.value + 1)})`;
      case 'exactly':
        return sql`(${exists(count.value)} AND NOT ${exists(count.value + 1)})`;
      default:
        return assertNever(count.op, 'count operator');
    }
  }

  private aggregate(c: EventAggregateCondition): Expr {
    const v = this.json.number(sql.ref('e.properties'), c.property.split('.'));
    const fn = sql.raw(c.fn);
    const test = compare(sql`${fn}(${v})`, c.op, c.value);
    return this.having(c, test, test);
  }

  private eventTime(c: EventTimeCondition): Expr {
    const at = sql`${sql.raw(c.which === 'first' ? 'min' : 'max')}(e.timestamp)`;
    const now = this.ctx.now;
    let test: Expr;
    if (c.op === 'before') test = sql`${at} < ${instantMs(c.value)}`;
    else if (c.op === 'after') test = sql`${at} > ${instantMs(c.value)}`;
    else if (c.op === 'more_than_days_ago') test = sql`${at} < ${now - (c.value as number) * DAY_MS}`;
    else test = sql`${at} >= ${now - (c.value as number) * DAY_MS}`;
    return this.having(c, test, test);
  }
}

function compare(left: Expr, op: 'equals' | 'gt' | 'gte' | 'lt' | 'lte', value: number): Expr {
  const o = { equals: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' }[op];
  return sql`(${left} ${sql.raw(o)} ${value})`;
}

export type { RawBuilder };
