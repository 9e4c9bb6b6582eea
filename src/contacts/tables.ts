/**
 * @module Row type of the contact imports table (migrations/000014.sql), for Kysely.
 */
import type { ColumnType } from 'kysely';
import type { JsonColumn } from '../store/schema.js';

export type ContactImportStatus = 'waiting' | 'running' | 'completed' | 'failed';

type Counter = ColumnType<number, number | undefined, number>;

export interface ContactImportsTable {
  id: string;
  workspace_id: string;
  status: ContactImportStatus;
  file_name: string;
  size_bytes: number | null;
  bytes_read: Counter;
  /** The column mapping: `{ map, ignore, types }` (src/contacts/import.ts ColumnOptions). */
  options: JsonColumn;
  list_id: string | null;
  rows_read: Counter;
  created: Counter;
  updated: Counter;
  unchanged: Counter;
  failed: Counter;
  /** The first bad rows, `[{ line, reason }]`. */
  failures: JsonColumn;
  error: string | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}
