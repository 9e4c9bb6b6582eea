/**
 * @module Row type of the stats snapshots table (migrations/000011.sql), for Kysely.
 */
import type { JsonColumn } from '../store/columns.js';

export interface StatsSnapshotsTable {
  workspace_id: string;
  /** `journey` (the only scope cached so far). */
  scope: string;
  scope_id: string;
  body: JsonColumn;
  computed_at: number;
  compute_ms: number;
  refreshing_until: number | null;
}

export interface StatsPromotionsTable {
  workspace_id: string;
  journey_id: string;
  node_id: string;
  variant: string;
  probability: number;
  runs: number;
  decided_at: number;
}
