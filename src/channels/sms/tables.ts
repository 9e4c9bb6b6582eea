/**
 * @module Row types of the SMS tables (migrations/000017.sql), for Kysely.
 */
import type { Generated } from 'kysely';
import type { JsonColumn } from '../../store/columns.js';

export interface SmsSettingsTable {
  workspace_id: string;
  settings: JsonColumn;
  updated_at: number;
}

export interface SmsInboundTable {
  id: Generated<number>;
  workspace_id: string;
  contact_id: string | null;
  provider: string;
  provider_message_id: string | null;
  from_number: string;
  to_number: string | null;
  body: string;
  /** What Qatra did: `stop`, `start`, `help`, `reply` (no keyword), `unknown_sender`. */
  action: string;
  created_at: number;
}
