/**
 * @module Row types of the contacts and anonymous ids tables (migrations/000001.sql) and of the
 * contact imports table (migrations/000014.sql), for Kysely.
 */
import type { ColumnType } from 'kysely';
import type { JsonColumn, NullableJsonColumn } from '../store/columns.js';

export interface ContactsTable {
  id: string;
  workspace_id: string;
  user_id: string | null;
  email: string | null;
  phone: string | null;
  timezone: string | null;
  locale: string | null;
  attributes: JsonColumn;
  created_at: number;
  updated_at: number;
  /** Set when the contact was erased (src/privacy): the row stays, anonymised, for statistics. */
  erased_at: ColumnType<number | null, number | null | undefined, number | null>;
  /** The postal address (migrations/000021.sql), a checked PostalAddress as JSON; null: none. */
  postal_address: NullableJsonColumn;
}

export interface ContactAnonymousIdsTable {
  workspace_id: string;
  anonymous_id: string;
  contact_id: string;
  created_at: number;
}

export type ContactImportStatus = 'waiting' | 'running' | 'completed' | 'failed';

type Counter = ColumnType<number, number | undefined, number>;

export interface ContactImportsTable {
  id: string;
  workspace_id: string;
  status: ContactImportStatus;
  file_name: string;
  size_bytes: number | null;
  bytes_read: Counter;
  /** The column mapping: `{ map, ignore, types }` (src/contacts/import-mapping.ts ColumnOptions). */
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
