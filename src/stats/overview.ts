/**
 * @module The workspace overview (GET /api/stats/workspace): one answer for the analytics overview
 * screen. The range's figures (all journeys, broadcasts and transactional sends; total, per channel,
 * per template, per day), the same for the previous period of equal length (total and per channel)
 * for the deltas, and revenue per currency from the events.
 *
 * Revenue here is what the events say was paid: the numeric `revenue` property of events in the
 * range (Segment's "Order Completed" convention), grouped by their `currency` property (upper-cased;
 * none: `null`, shown as "no currency"). Amounts in different currencies are never added together.
 * This is not the attributed goal value of ./attribution.ts, which stays in `current.total.revenue`.
 */
import { sql } from 'kysely';
import type { ServiceDeps } from '../core/deps.js';
import { ValidationError } from '../core/errors.js';
import { overviewStats, type ScopeStats } from './stats.js';
import { DAY_MS } from './scope.js';

export interface CurrencyRevenue {
  currency: string | null;
  amount: number;
  events: number;
}

export interface WorkspaceOverview {
  range: { from: number; to: number };
  previousRange: { from: number; to: number };
  current: ScopeStats;
  previous: Pick<ScopeStats, 'total' | 'byChannel'>;
  revenue: { current: CurrencyRevenue[]; previous: CurrencyRevenue[] };
}

/** Longest range the overview answers (a year and a day). */
export const MAX_RANGE_MS = 366 * DAY_MS;

export async function revenueByCurrency(deps: ServiceDeps, workspaceId: string, from: number, to: number): Promise<CurrencyRevenue[]> {
  const pg = deps.store.dialect === 'postgres';
  // Hand-written per backend: only numeric JSON values are summed (a text "12" is not revenue), and
  // the JSON type test has no portable spelling.
  const numeric = pg ? sql`jsonb_typeof(properties -> 'revenue') = 'number'` : sql`json_type(properties, '$.revenue') IN ('integer', 'real')`;
  const amount = pg ? sql`(properties ->> 'revenue')::double precision` : sql`json_extract(properties, '$.revenue')`;
  const currency = pg ? sql`upper(properties ->> 'currency')` : sql`upper(json_extract(properties, '$.currency'))`;
  const rows = await sql<{ currency: string | null; amount: unknown; events: unknown }>`
    SELECT ${currency} AS currency, SUM(${amount}) AS amount, COUNT(*) AS events
    FROM events
    WHERE workspace_id = ${workspaceId} AND timestamp >= ${from} AND timestamp < ${to} AND ${numeric}
    GROUP BY 1 ORDER BY 1`.execute(deps.store.db);
  return rows.rows.map((r) => ({ currency: r.currency, amount: Math.round(Number(r.amount) * 100) / 100, events: Number(r.events) }));
}

export async function workspaceOverview(deps: ServiceDeps, workspaceId: string, range: { from: number; to: number }): Promise<WorkspaceOverview> {
  const { from, to } = range;
  if (!(to > from)) throw ValidationError.at('querystring.to', 'must be after from');
  if (to - from > MAX_RANGE_MS) throw ValidationError.at('querystring.from', 'the range may be at most 366 days');
  const previousRange = { from: from - (to - from), to: from };
  const current = await overviewStats(deps, workspaceId, { from, to, bucket: 'day' });
  const before = await overviewStats(deps, workspaceId, previousRange);
  return {
    range,
    previousRange,
    current,
    previous: { total: before.total, byChannel: before.byChannel },
    revenue: { current: await revenueByCurrency(deps, workspaceId, from, to), previous: await revenueByCurrency(deps, workspaceId, previousRange.from, previousRange.to) },
  };
}
