/**
 * @module Row type of the workspaces table (migrations/000001.sql), for Kysely.
 */
import type { ColumnType } from 'kysely';
import type { JsonColumn } from '../store/columns.js';

export interface WorkspacesTable {
  id: string;
  name: string;
  timezone: ColumnType<string, string | undefined, string>;
  settings: JsonColumn;
  created_at: number;
}
