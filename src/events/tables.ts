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
}
