/**
 * @module Row types of the insights tables (migrations/000023.sql), for Kysely.
 */
import type { JsonColumn } from '../store/columns.js';

export interface InsightAnomaliesTable {
  workspace_id: string;
  id: string;
  /** `metric|scope_kind:scope_id`: the same incident across buckets. */
  fingerprint: string;
  metric: string;
  scope_kind: string;
  scope_id: string;
  /** `up` (a spike) or `down` (a drop). */
  direction: string;
  /** The bucket size it was found in (a day). */
  bucket_ms: number;
  started_at: number;
  last_seen_at: number;
  observed: number;
  expected: number;
  score: number;
  volume: number;
  /** The explanation (./drill-down.ts `DrillDown[]`). */
  drill_down: JsonColumn;
  /** `open` while it continues, `resolved` once a scanned bucket no longer breaks the baseline. */
  status: string;
  alerted_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface InsightSettingsTable {
  workspace_id: string;
  conversion_event: string | null;
  alert_template_id: string | null;
  webhook_url: string | null;
  scanned_through: number | null;
  scanning_until: number | null;
  updated_at: number;
}
