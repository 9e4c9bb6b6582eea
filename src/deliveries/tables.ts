/**
 * @module The `deliveries` table: one row per message a journey step or a broadcast recipient hands
 * to a channel, keyed by a deterministic idempotency key and inserted (pending) before the channel is
 * called, so a retried attempt finds what an earlier one did.
 */

export type DeliveryStatus = 'pending' | 'sent' | 'failed' | 'skipped';

export interface DeliveriesTable {
  id: string;
  workspace_id: string;
  idempotency_key: string;
  run_id: string | null;
  journey_id: string | null;
  node_id: string | null;
  contact_id: string;
  channel: string;
  kind: string;
  status: DeliveryStatus;
  attempts: number;
  provider_message_id: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
}
