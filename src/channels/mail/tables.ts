/**
 * @module Row types of direct mail delivery (migrations/000022.sql), for Kysely: print batches and
 * their pieces.
 */
import type { ColumnType } from 'kysely';
import type { JsonColumn } from '../../store/columns.js';

export type MailBatchStatus = 'building' | 'ready' | 'delivered' | 'failed';
export type MailPieceStatus = 'created' | 'submitted' | 'mailed' | 'in_transit' | 'delivered' | 'returned' | 'failed';
export type MailPieceKind = 'letter' | 'postcard';
export type SheetFormat = 'a4' | 'us_letter' | 'a6' | '6x4';

type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;

export interface MailBatchesTable {
  workspace_id: string;
  id: string;
  send_key: string;
  provider_id: Nullable<string>;
  status: MailBatchStatus;
  piece_count: number;
  page_count: number;
  cost_micros: number;
  delivered_to: Nullable<string>;
  error: Nullable<string>;
  created_at: number;
  delivered_at: Nullable<number>;
  /** The day's batch (migrations/000034.sql): its day in the workspace's zone and when it closes. */
  day: Nullable<string>;
  cutoff_at: Nullable<number>;
  lease_until: Nullable<number>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Nullable<number>;
}

export interface MailPiecesTable {
  workspace_id: string;
  id: string;
  batch_id: string;
  contact_id: string;
  message_id: Nullable<string>;
  kind: MailPieceKind;
  sheet_format: SheetFormat;
  pages: number;
  /** The PostalAddress as printed. */
  address: JsonColumn;
  country: string;
  postcode: Nullable<string>;
  status: MailPieceStatus;
  provider_piece_id: Nullable<string>;
  tracking_number: Nullable<string>;
  cost_micros: number;
  expected_delivery_date: Nullable<string>;
  token: string;
  target_url: Nullable<string>;
  promo_code: Nullable<string>;
  responded_at: Nullable<number>;
  error: Nullable<string>;
  created_at: number;
  updated_at: number;
}
