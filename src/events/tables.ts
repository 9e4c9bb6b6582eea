/**
 * @module Row type of the events table (migrations/000001.sql), for Kysely.
 */
import type { Generated } from 'kysely';
import type { JsonColumn, NullableJsonColumn } from '../store/columns.js';

export interface EventsTable {
  id: Generated<number>;
  workspace_id: string;
  contact_id: string;
  type: string;
  name: string;
  properties: JsonColumn;
  context: NullableJsonColumn;
  message_id: string;
  timestamp: number;
  received_at: number;
  /** 1: a known crawler's call (src/events/bots.ts, migrations/000020.sql); stored, but no signal. */
  bot: Generated<number>;
  /** A page view's host, path and query string (src/events/page-url.ts); null for other events. */
  page_host: string | null;
  page_path: string | null;
  page_query: string | null;
}
