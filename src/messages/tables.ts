/**
 * @module Row type of the message records table (migrations/000005.sql, 000013.sql), for Kysely.
 */
import type { ColumnType } from 'kysely';
import type { JsonColumn, NullableJsonColumn } from '../store/columns.js';

export type MessageStatus = 'queued' | 'sent' | 'failed' | 'skipped' | 'bounced';
/** What a provider's receipt said about a sent message. */
export type DeliveryReceiptStatus = 'delivered' | 'undelivered' | 'failed';
export type MessageKind = 'marketing' | 'transactional';

export interface MessagesTable {
  id: string;
  workspace_id: string;
  contact_id: string;
  channel: string;
  kind: MessageKind;
  idempotency_key: string;
  journey_id: string | null;
  journey_version: number | null;
  run_id: string | null;
  node_id: string | null;
  template_id: string | null;
  template_version: number | null;
  topic: string | null;
  provider: string | null;
  status: MessageStatus;
  reason: string | null;
  provider_message_id: string | null;
  header_message_id: string | null;
  to_address: string | null;
  subject: string | null;
  links: JsonColumn;
  attempts: ColumnType<number, number | undefined, number>;
  lease_until: ColumnType<number | null, number | null | undefined, number | null>;
  open_count: ColumnType<number, number | undefined, number>;
  click_count: ColumnType<number, number | undefined, number>;
  first_opened_at: number | null;
  first_clicked_at: number | null;
  /** When the recipient reported the message as spam (migrations/000013.sql). */
  complained_at: ColumnType<number | null, number | null | undefined, number | null>;
  /** When a worker retries this transactional send (src/messages/retry.ts); NULL when nothing is due. */
  retry_at: ColumnType<number | null, number | null | undefined, number | null>;
  /** What a retry needs again: `{ templateId, data }`. */
  send_request: NullableJsonColumn;
  /** Parts the message was sent as (SMS segments; 1 for other channels), and what it cost (millionths). */
  segments: ColumnType<number | null, number | null | undefined, number | null>;
  cost_micros: ColumnType<number | null, number | null | undefined, number | null>;
  /** From the provider's receipts after `sent` (migrations/000017.sql). */
  delivery_status: ColumnType<DeliveryReceiptStatus | null, DeliveryReceiptStatus | null | undefined, DeliveryReceiptStatus | null>;
  delivered_at: ColumnType<number | null, number | null | undefined, number | null>;
  error_code: ColumnType<string | null, string | null | undefined, string | null>;
  /** When the recipient first read it, by the provider's read receipt (WhatsApp; migrations/000028.sql). */
  read_at: ColumnType<number | null, number | null | undefined, number | null>;
  created_at: number;
  sent_at: number | null;
  updated_at: number;
}
