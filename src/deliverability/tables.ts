/**
 * @module Row types of the deliverability tables (migrations/000032.sql), for Kysely.
 */
import type { JsonColumn } from '../store/columns.js';

export interface DeliverabilitySettingsTable {
  workspace_id: string;
  /** ./settings.ts `DeliverabilitySettings`, as stored (defaults filled in when read). */
  settings: JsonColumn;
  updated_at: number;
}

export interface ReputationTripsTable {
  workspace_id: string;
  id: string;
  /** `journey` or `broadcast`. */
  target_kind: string;
  target_id: string;
  /** `complaints` or `hard_bounces`: the rate that passed its threshold. */
  reason: string;
  /** That rate (a fraction: 0.004 is 0.4%) and its threshold. */
  rate: number;
  threshold: number;
  sent: number;
  complaints: number;
  hard_bounces: number;
  window_start: number;
  window_ms: number;
  tripped_at: number;
  notified_at: number | null;
  resumed_at: number | null;
}

export interface SunsetNoticesTable {
  workspace_id: string;
  contact_id: string;
  notified_at: number;
  sunset_at: number;
}
