/**
 * @module Row types of the email provider and outbox tables (migrations/000005.sql), for Kysely.
 */
import type { ColumnType, Generated } from 'kysely';
import type { JsonColumn } from '../../store/columns.js';
import type { EspKind } from './providers/esp/kinds.js';

export type EmailProviderKind = 'smtp' | 'outbox' | EspKind;

export interface EmailProvidersTable {
  workspace_id: string;
  kind: EmailProviderKind;
  /** What the API may show (host, port, from, DKIM domain and selector, tracking switches). */
  settings: JsonColumn;
  /** SMTP password and DKIM private key: never returned by the API. */
  secrets: JsonColumn;
  updated_at: number;
}

export interface OutboxTable {
  id: Generated<number>;
  workspace_id: string;
  /** The channel of the message (migrations/000017.sql): the outbox holds every channel's. */
  channel: ColumnType<string, string | undefined, string>;
  message_id: string | null;
  from_address: string;
  to_address: string;
  subject: string;
  html_body: string | null;
  text_body: string | null;
  headers: JsonColumn;
  raw: string;
  created_at: number;
}
