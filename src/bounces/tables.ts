/**
 * @module Row types of the bounce tables (migrations/000007.sql), for Kysely.
 */

export interface EmailSoftBouncesTable {
  workspace_id: string;
  /** Lower-cased address. */
  address: string;
  consecutive: number;
  last_message_id: string | null;
  last_status: string | null;
  updated_at: number;
}

export interface EmailEventWebhooksTable {
  workspace_id: string;
  /** SHA-256 hex of the secret. */
  secret_hash: string;
  created_at: number;
}
