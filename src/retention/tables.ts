/**
 * @module Row type of event_rollups (migrations/000036.sql), for Kysely: the hourly counts that
 * stand in for the raw events retention deleted (./delete-events.ts).
 */
export interface EventRollupsTable {
  workspace_id: string;
  /** Start of the UTC hour of the events' `timestamp`, epoch ms. */
  hour: number;
  name: string;
  events: number;
  /** Sum of the events' finite `revenue` properties; null when none had one. */
  revenue: number | null;
}
