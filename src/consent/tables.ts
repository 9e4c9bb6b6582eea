/**
 * @module Row types of the consents table and its append-only history (migrations/000001.sql), for Kysely.
 */
import type { ColumnType, Generated } from 'kysely';

export type ConsentStatus = 'subscribed' | 'unsubscribed' | 'pending';

export interface ConsentsTable {
  workspace_id: string;
  contact_id: string;
  channel: string;
  topic: string;
  status: ConsentStatus;
  source: string | null;
  updated_at: number;
}

export interface ConsentHistoryTable {
  id: Generated<number>;
  workspace_id: string;
  contact_id: string;
  channel: string;
  topic: string;
  status: ConsentStatus;
  source: string | null;
  ip: string | null;
  user_agent: string | null;
  text_version: string | null;
  /** What the contact wrote when a reply changed consent (migrations/000017.sql). */
  detail: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: number;
}
