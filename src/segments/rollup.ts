/**
 * @module Segment conditions read from the daily rollups of migrations/000014.sql (`event_days`,
 * `event_day_values`, kept by triggers on events) instead of the raw events, in the `full` shape.
 *
 * A window `[since, to)` is split into the whole UTC days inside it, read from the rollup, and the
 * partial days at its edges, read from events, so the answer stays exact for any window (the
 * sliding "last 90 days" starts at now − 90 days, mid-day): 90 rollup days and one partial day of
 * raw events instead of 90 days of raw events. A window without a whole day inside is all raw.
 *
 * Only conditions without property filters (`where`) can use the rollup, since its rows keep no
 * properties; an aggregate needs a top-level property (the rollup has one row per top-level key).
 */
import { sql } from 'kysely';
import { DAY_MS } from './definition.js';
import type { Expr } from './sql-values.js';

/** An instant range, `from` inclusive, `to` exclusive; undefined is unbounded. */
export interface Range {
  from?: number | undefined;
  to?: number | undefined;
}

/** The whole days of a window (day numbers, `from` inclusive, `to` exclusive) and its raw edges. */
export interface DaySplit {
  days: Range;
  raw: Range[];
}

const floorDay = (ms: number) => Math.floor(ms / DAY_MS);

/** Splits `[since, to)` into whole days and partial edges; null when no whole day is inside. */
export function splitWindow(window: Range): DaySplit | null {
  const first = window.from === undefined ? undefined : Math.ceil(window.from / DAY_MS) || 0; // not -0
  const end = window.to === undefined ? undefined : floorDay(window.to);
  if (first !== undefined && end !== undefined && first >= end) return null;
  const raw: Range[] = [];
  if (window.from !== undefined && window.from < first! * DAY_MS) raw.push({ from: window.from, to: first! * DAY_MS });
  if (window.to !== undefined && end! * DAY_MS < window.to) raw.push({ from: end! * DAY_MS, to: window.to });
  return { days: { from: first, to: end }, raw };
}

function dayRange(alias: string, days: Range): Expr {
  const parts: Expr[] = [];
  if (days.from !== undefined) parts.push(sql`AND ${sql.ref(`${alias}.day`)} >= ${days.from}`);
  if (days.to !== undefined) parts.push(sql`AND ${sql.ref(`${alias}.day`)} < ${days.to}`);
  return sql.join(parts, sql` `);
}

/**
 * The WHERE of the `event_days d` rows holding at least one event in the window, exact without raw
 * events: a row of the window's first day holds one iff its last_at >= from (then last_at itself is
 * in the window), a row of its last day iff its first_at < to. Valid when both edges are not on the
 * same day, which holds whenever splitWindow found a whole day inside. On those rows max(last_at)
 * is also exact when the window has no end, and min(first_at) when it has no start.
 */
export function daysInWindow(workspaceId: string, event: string, window: Range, humanOnly: boolean): Expr {
  const parts: Expr[] = [sql`d.workspace_id = ${workspaceId} AND d.name = ${event}`];
  if (window.from !== undefined) parts.push(sql`d.day >= ${floorDay(window.from)} AND d.last_at >= ${window.from}`);
  if (window.to !== undefined) parts.push(sql`d.day <= ${floorDay(window.to - 1)} AND d.first_at < ${window.to}`);
  if (humanOnly) parts.push(sql`d.machine = 0`);
  return sql.join(parts, sql` AND `);
}

/**
 * Rows `(contact_id, n, first_at, last_at)`: one per rollup day, plus one per raw event of the edges
 * (`rawFilter(range)` is the compiler's WHERE for events of the condition in that range).
 */
export function countSource(workspaceId: string, event: string, split: DaySplit, humanOnly: boolean, rawFilter: (r: Range) => Expr): Expr {
  const parts: Expr[] = [
    sql`SELECT d.contact_id, d.n, d.first_at, d.last_at FROM event_days d
      WHERE d.workspace_id = ${workspaceId} AND d.name = ${event} ${dayRange('d', split.days)} ${humanOnly ? sql`AND d.machine = 0` : sql``}`,
  ];
  for (const r of split.raw) parts.push(sql`SELECT e.contact_id, 1, e.timestamp, e.timestamp FROM events e WHERE e.workspace_id = ${workspaceId} AND ${rawFilter(r)}`);
  return sql.join(parts, sql` UNION ALL `);
}

/** Rows `(contact_id, n, s, mn, mx)` of a numeric top-level property: rollup days plus raw edge events. */
export function valueSource(workspaceId: string, event: string, property: string, split: DaySplit, rawFilter: (r: Range) => Expr, rawValue: Expr): Expr {
  const parts: Expr[] = [
    sql`SELECT v.contact_id, v.n, v.value_sum AS s, v.value_min AS mn, v.value_max AS mx FROM event_day_values v
      WHERE v.workspace_id = ${workspaceId} AND v.name = ${event} AND v.property = ${property} ${dayRange('v', split.days)}`,
  ];
  for (const r of split.raw) {
    parts.push(sql`SELECT x.contact_id, 1, x.v, x.v, x.v FROM (SELECT e.contact_id, ${rawValue} AS v FROM events e
      WHERE e.workspace_id = ${workspaceId} AND ${rawFilter(r)}) x WHERE x.v IS NOT NULL`);
  }
  return sql.join(parts, sql` UNION ALL `);
}
