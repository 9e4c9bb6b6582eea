/**
 * @module Visit and session conditions in SQL (docs/segments.md, "Visits and sessions"), both
 * backends, both modes of ./compile.ts (`full`: every contact of the workspace; `few`: correlated
 * per contact). They read only human page views: `e.type = 'page' AND e.bot = 0`, written as
 * literals so both planners can prove the predicate of the partial index events_page_views
 * (workspace_id, contact_id, timestamp) (migrations/000020.sql; a bound parameter would hide it).
 *
 * URL patterns become one LIKE over the place stored at ingestion (src/events/page-url.ts) with the
 * pattern src/conditions/url-pattern.ts builds, on ASCII-lower-cased text, so SQL and the journey
 * trigger agree.
 *
 * Sessions are counted at query time, not kept by a counter at ingestion: a page view opens a
 * session when the previous human page view of the contact inside the window is 30 minutes or more
 * before it (or there is none): `lag(timestamp) OVER (PARTITION BY contact_id ORDER BY timestamp)`,
 * which reads the partial index in its own order (no sort). Why not a counter: the window slides (a
 * total per contact cannot answer "in the last D days"; it would need one row per session), client
 * timestamps arrive out of order (a late batch would have to split or join stored sessions), and
 * it would add a write to every ingested page view. Measured in ./visits.measure.ts.
 */
import { sql } from 'kysely';
import { compileUrlPattern } from '../conditions/url-pattern.js';
import type { DialectName } from '../store/store.js';
import { DAY_MS, type SessionsCondition, type VisitsCondition } from './definition.js';
import type { Expr } from './sql-values.js';

/** What ./compile.ts's CompileContext carries that these need (declared here: compile.ts imports this file). */
interface CompileContext {
  dialect: DialectName;
  workspaceId: string;
  now: number;
  mode: 'full' | 'few';
}

/** A gap of this much or more between two page views starts a new session (the common web-analytics timeout). */
export const SESSION_GAP_MS = 30 * 60_000;

const HUMAN_PAGE_VIEW = sql`e.type = 'page' AND e.bot = 0`;

function urlTest(pattern: string): Expr {
  const p = compileUrlPattern(pattern);
  let target: Expr = sql`e.page_path`;
  if (p.withHost) target = sql`e.page_host || ${target}`;
  if (p.withQuery) target = sql`${target} || COALESCE(e.page_query, '')`;
  // page_host/page_path NULL (no place known) make the LIKE NULL: not a match.
  return sql`COALESCE(lower(${target}) LIKE ${p.like} ESCAPE '\\', FALSE)`;
}

function pageViews(ctx: CompileContext, withinDays: number, url: string | undefined): Expr {
  const since = ctx.now - withinDays * DAY_MS;
  return sql`e.workspace_id = ${ctx.workspaceId} AND ${HUMAN_PAGE_VIEW} AND e.timestamp >= ${since}${url === undefined ? sql`` : sql` AND ${urlTest(url)}`}`;
}

export function visitsSql(c: VisitsCondition, ctx: CompileContext): Expr {
  const where = pageViews(ctx, c.withinDays, c.url);
  if (ctx.mode === 'few') {
    if (c.atLeast === 1) return sql`EXISTS (SELECT 1 FROM events e WHERE e.contact_id = c.id AND ${where})`;
    return sql`COALESCE((SELECT count(*) >= ${c.atLeast} FROM events e WHERE e.contact_id = c.id AND ${where}), FALSE)`;
  }
  const groups = sql`SELECT e.contact_id FROM events e WHERE ${where} GROUP BY e.contact_id HAVING count(*) >= ${c.atLeast}`;
  return inGroups(groups, ctx);
}

export function sessionsSql(c: SessionsCondition, ctx: CompileContext): Expr {
  const where = pageViews(ctx, c.withinDays, undefined);
  if (ctx.mode === 'few') {
    const gaps = sql`SELECT e.timestamp - lag(e.timestamp) OVER (ORDER BY e.timestamp) AS gap FROM events e WHERE e.contact_id = c.id AND ${where}`;
    return sql`COALESCE((SELECT count(*) >= ${c.atLeast} FROM (${gaps}) s WHERE s.gap IS NULL OR s.gap >= ${SESSION_GAP_MS}), FALSE)`;
  }
  const gaps = sql`SELECT e.contact_id, e.timestamp - lag(e.timestamp) OVER (PARTITION BY e.contact_id ORDER BY e.timestamp) AS gap FROM events e WHERE ${where}`;
  const groups = sql`SELECT s.contact_id FROM (${gaps}) s WHERE s.gap IS NULL OR s.gap >= ${SESSION_GAP_MS} GROUP BY s.contact_id HAVING count(*) >= ${c.atLeast}`;
  return inGroups(groups, ctx);
}

/** The contact is one of `groups` (same shapes as ./compile.ts `having`, for the same reasons). */
function inGroups(groups: Expr, ctx: CompileContext): Expr {
  if (ctx.dialect === 'sqlite') return sql`c.id IN (${groups})`;
  return sql`EXISTS (SELECT 1 FROM (${groups}) g WHERE g.contact_id = c.id)`;
}
