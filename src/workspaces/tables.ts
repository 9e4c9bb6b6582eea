/**
 * @module Row type of the workspaces table (migrations/000001.sql, 000035.sql), for Kysely.
 */
import type { ColumnType } from 'kysely';
import type { JsonColumn } from '../store/columns.js';

export interface WorkspacesTable {
  id: string;
  name: string;
  timezone: ColumnType<string, string | undefined, string>;
  settings: JsonColumn;
  created_at: number;
  /** Null: active (docs/workspaces.md). */
  archived_at: ColumnType<number | null, number | null | undefined, number | null>;
  /** Ingestion calls per second; null: the config default; 0: unlimited. */
  ingest_rate_per_second: ColumnType<number | null, number | null | undefined, number | null>;
}
