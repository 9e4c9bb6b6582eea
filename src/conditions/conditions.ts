/**
 * @module Property filters (trigger/wait/goal `where`) and branch conditions over `contact.*`,
 * `trigger.*`, `event.*`, `journey.*`, and `performed` (the contact's events since the run started or
 * within a window, read from the events table), and `predicted.conversion_30d` / `predicted.churn_30d`
 * (the contact's stored scores, src/insights/predict.ts).
 */
import type { Condition, PropertyFilter } from '../journeys/definition/schema.js';
import type { Contact } from '../contacts/contact.js';
import type { JsonObject } from '../core/json.js';
import { fromJson } from '../core/json.js';
import type { Db } from '../store/store.js';
import { durationMs } from '../core/duration.js';

/** Reads a dot path (`items.0.sku`) from a value. */
export function getPath(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const key of path.split('.')) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function num(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return null;
}

function compare(a: unknown, b: unknown): number | null {
  const x = num(a);
  const y = num(b);
  if (x !== null && y !== null) return x - y;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return null;
}

export function applyOperator(actual: unknown, op: PropertyFilter['op'], expected: unknown): boolean {
  switch (op) {
    case 'exists':
      return actual !== undefined && actual !== null;
    case 'not_exists':
      return actual === undefined || actual === null;
    case 'eq':
      return actual === expected || (compare(actual, expected) === 0 && num(actual) !== null);
    case 'neq':
      return !applyOperator(actual, 'eq', expected);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const c = compare(actual, expected);
      if (c === null) return false;
      return op === 'gt' ? c > 0 : op === 'gte' ? c >= 0 : op === 'lt' ? c < 0 : c <= 0;
    }
    case 'contains':
      if (Array.isArray(actual)) return actual.includes(expected);
      return typeof actual === 'string' && typeof expected === 'string' && actual.includes(expected);
    case 'starts_with':
      return typeof actual === 'string' && typeof expected === 'string' && actual.startsWith(expected);
    case 'in':
      return Array.isArray(expected) && expected.some((e) => applyOperator(actual, 'eq', e));
    case 'not_in':
      return !applyOperator(actual, 'in', expected);
    default: {
      const never: never = op;
      throw new Error(`unknown operator ${String(never)}`);
    }
  }
}

export function matchesFilters(properties: unknown, filters: readonly PropertyFilter[] | undefined | null): boolean {
  if (!filters) return true;
  return filters.every((f) => applyOperator(getPath(properties, f.property), f.op, f.value));
}

/** What a condition can look at. */
export interface ConditionScope {
  contact: Contact;
  trigger: JsonObject;
  event: JsonObject;
  data: JsonObject;
  /** `performed` counts events at or after this time unless the condition gives `within`. */
  since: number;
  now: number;
  db: Db;
}

function contactField(contact: Contact, path: string): unknown {
  const top: Record<string, unknown> = {
    id: contact.id,
    userId: contact.userId,
    email: contact.email,
    phone: contact.phone,
    timezone: contact.timezone,
    locale: contact.locale,
    createdAt: contact.createdAt,
    attributes: contact.attributes,
  };
  const [head] = path.split('.');
  if (head! in top && !(head! in contact.attributes)) return getPath(top, path);
  return getPath(contact.attributes, path);
}

export function resolveField(scope: ConditionScope, field: string): unknown {
  const dot = field.indexOf('.');
  const root = field.slice(0, dot);
  const rest = field.slice(dot + 1);
  switch (root) {
    case 'contact':
      return contactField(scope.contact, rest);
    case 'trigger':
      return getPath(scope.trigger, rest);
    case 'event':
      return getPath(scope.event, rest);
    case 'journey':
      return getPath(scope.data, rest);
    default:
      return undefined;
  }
}

export async function evaluate(condition: Condition, scope: ConditionScope): Promise<boolean> {
  if ('all' in condition) {
    for (const c of condition.all) if (!(await evaluate(c, scope))) return false;
    return true;
  }
  if ('any' in condition) {
    for (const c of condition.any) if (await evaluate(c, scope)) return true;
    return false;
  }
  if ('not' in condition) return !(await evaluate(condition.not, scope));
  if ('performed' in condition) return performed(condition.performed, scope);
  if (condition.field.startsWith('predicted.')) return applyOperator(await predicted(condition.field.slice('predicted.'.length), scope), condition.op, condition.value);
  return applyOperator(resolveField(scope, condition.field), condition.op, condition.value);
}

/** The contact's stored score (src/insights/predict.ts); undefined when it has none, so no comparison matches. */
async function predicted(name: string, scope: ConditionScope): Promise<number | undefined> {
  if (name !== 'conversion_30d' && name !== 'churn_30d') return undefined;
  const row = await scope.db.selectFrom('contact_predictions').select([name]).where('workspace_id', '=', scope.contact.workspaceId).where('contact_id', '=', scope.contact.id).executeTakeFirst();
  const v = row?.[name];
  return v === null || v === undefined ? undefined : Number(v);
}

async function performed(p: { event: string; where?: PropertyFilter[] | undefined; within?: string | undefined; minCount?: number | undefined }, scope: ConditionScope): Promise<boolean> {
  const since = p.within ? scope.now - durationMs(p.within) : scope.since;
  const need = p.minCount ?? 1;
  // Uses events_contact_name_time; filters on properties are applied here (the same on both backends).
  const rows = await scope.db
    .selectFrom('events')
    .select('properties')
    .where('contact_id', '=', scope.contact.id)
    .where('name', '=', p.event)
    .where('timestamp', '>=', since)
    .where('timestamp', '<=', scope.now)
    .limit(p.where ? 10_000 : need)
    .execute();
  let count = 0;
  for (const r of rows) if (matchesFilters(fromJson(r.properties), p.where)) count++;
  return count >= need;
}
