/**
 * @module Revenue attribution, last touch: each converted run's goal value (the goal event's
 * `valueProperty`) is credited to the message of that run whose engagement came last before the
 * conversion, among those engaged within the window: a human open at most `openWindowMs` before it
 * (default 1 day) or a click at most `clickWindowMs` before it (default 5 days; a click beats an open
 * of the same message). Conversions with no such message are not attributed (they still count as
 * conversions of the journey). Engagement times are the message's first human open and first click
 * (src/tracking/record.ts keeps them on the row), so a later repeat open does not move the touch.
 */
import { sql } from 'kysely';
import type { Db } from '../store/store.js';
import { DAY_MS, type Range, type Scope } from './scope.js';
import type { GroupKey } from './messages.js';

export interface AttributionWindows {
  clickWindowMs: number;
  openWindowMs: number;
}

export const DEFAULT_WINDOWS: AttributionWindows = { clickWindowMs: 5 * DAY_MS, openWindowMs: DAY_MS };

export interface AttributedGroup extends Omit<GroupKey, 'bucket'> {
  conversions: number;
  revenue: number;
}

export async function attributedRevenue(db: Db, scope: Scope, range: Range, windows: AttributionWindows = DEFAULT_WINDOWS): Promise<AttributedGroup[]> {
  if (scope.kind === 'broadcast') {
    // Broadcast messages belong to no run, so no journey goal can be credited to them.
    return [];
  }
  const journey = scope.kind === 'journey' ? sql`AND r.journey_id = ${scope.journeyId}` : sql``;
  const onlyTemplate = scope.kind === 'template' ? sql`AND t.template = ${scope.templateId}` : sql``;
  const inRange = sql`${range.from !== undefined ? sql`AND m.created_at >= ${range.from}` : sql``} ${range.to !== undefined ? sql`AND m.created_at < ${range.to}` : sql``}`;
  const rows = await sql<{ version: unknown; node: string | null; template: string | null; channel: string; conversions: unknown; revenue: unknown }>`
    WITH touches AS (
      SELECT r.id AS run_id, r.goal_value AS value, m.id AS message_id, m.journey_version AS version, m.node_id AS node,
        m.template_id AS template, m.channel AS channel,
        CASE
          WHEN m.first_clicked_at IS NOT NULL AND m.first_clicked_at <= r.ended_at AND m.first_clicked_at > r.ended_at - ${windows.clickWindowMs} THEN m.first_clicked_at
          WHEN m.first_opened_at IS NOT NULL AND m.first_opened_at <= r.ended_at AND m.first_opened_at > r.ended_at - ${windows.openWindowMs} THEN m.first_opened_at
        END AS touch_at
      FROM journey_runs r JOIN messages m ON m.run_id = r.id
      WHERE r.workspace_id = ${scope.workspaceId} AND r.status = 'converted' ${journey} ${inRange}
    ), ranked AS (
      SELECT t.*, ROW_NUMBER() OVER (PARTITION BY t.run_id ORDER BY t.touch_at DESC, t.message_id DESC) AS rn
      FROM touches t WHERE t.touch_at IS NOT NULL
    )
    SELECT t.version AS version, t.node AS node, t.template AS template, t.channel AS channel,
      COUNT(*) AS conversions, SUM(t.value) AS revenue
    FROM ranked t WHERE t.rn = 1 ${onlyTemplate}
    GROUP BY 1, 2, 3, 4`.execute(db);
  return rows.rows.map((r) => ({
    version: r.version === null ? null : Number(r.version),
    node: r.node,
    template: r.template,
    channel: r.channel,
    conversions: Number(r.conversions),
    revenue: r.revenue === null ? 0 : Number(r.revenue),
  }));
}
