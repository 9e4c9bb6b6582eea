/**
 * @module Row types of the journey-definition tables (migrations/000002.sql), for Kysely.
 */
import type { JsonColumn } from '../store/columns.js';

export type JourneyStatus = 'draft' | 'live' | 'paused' | 'archived';

export interface JourneysTable {
  workspace_id: string;
  id: string;
  name: string;
  status: JourneyStatus;
  current_version: number;
  created_at: number;
  updated_at: number;
}

export interface JourneyVersionsTable {
  workspace_id: string;
  journey_id: string;
  version: number;
  /** The validated document without `status`; decode with `fromJson`. */
  document: JsonColumn;
  created_at: number;
}
