/**
 * @module Row types of the segment tables (migrations/000006.sql), for Kysely.
 */
import type { Generated } from 'kysely';
import type { JsonColumn } from '../store/columns.js';

export interface SegmentsTable {
  id: string;
  workspace_id: string;
  name: string;
  description: string | null;
  /** The validated condition tree; decode with `fromJson`. */
  conditions: JsonColumn;
  refresh_interval_ms: number | null;
  next_refresh_at: number | null;
  computed_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface SegmentMembersTable {
  segment_id: string;
  contact_id: string;
  workspace_id: string;
  entered_at: number;
}

export interface SegmentDirtyTable {
  segment_id: string;
  contact_id: string;
  workspace_id: string;
  created_at: number;
}

export interface SegmentTransitionsTable {
  id: Generated<number>;
  run_id: string;
  workspace_id: string;
  segment_id: string;
  contact_id: string;
  kind: 'entered' | 'exited';
  at: number;
}
