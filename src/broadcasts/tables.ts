/**
 * @module Row types of the broadcast tables (migrations/000008.sql), for Kysely.
 */
import type { JsonColumn, NullableJsonColumn } from '../store/columns.js';

export type BroadcastStatus = 'draft' | 'scheduled' | 'sending' | 'paused' | 'cancelled' | 'completed';
export type RecipientStatus = 'pending' | 'sent' | 'failed' | 'skipped';

export interface BroadcastsTable {
  id: string;
  workspace_id: string;
  name: string;
  channel: string;
  template: string | null;
  config: JsonColumn;
  kind: 'marketing' | 'transactional';
  audience_type: 'segment' | 'list';
  audience_id: string;
  status: BroadcastStatus;
  send_at: number | null;
  local_time: string | null;
  quiet_hours: NullableJsonColumn;
  frequency_cap: NullableJsonColumn;
  rate_per_s: number | null;
  throttle_at: number;
  total: number;
  sent: number;
  failed: number;
  skipped: number;
  created_at: number;
  updated_at: number;
  scheduled_at: number | null;
  started_at: number | null;
  completed_at: number | null;
  cancelled_at: number | null;
}

export interface BroadcastRecipientsTable {
  broadcast_id: string;
  contact_id: string;
  workspace_id: string;
  tz: string | null;
  due_at: number;
  status: RecipientStatus;
  attempts: number;
  claimed_by: string | null;
  lease_until: number | null;
  error: string | null;
  settled_at: number | null;
}
