/**
 * @module Row type of the suppression list (migrations/000005.sql), for Kysely.
 */

export type SuppressionReason = 'hard_bounce' | 'complaint' | 'manual' | 'unsubscribe_all';

export interface SuppressionsTable {
  workspace_id: string;
  /** Normalised address (src/core/email-address.ts key), or `sha256:<hex>` of it (kept after erasure). */
  address: string;
  reason: SuppressionReason;
  source: string | null;
  detail: string | null;
  created_at: number;
}
