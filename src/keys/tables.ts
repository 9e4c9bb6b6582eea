/**
 * @module Row type of the API keys table (migrations/000001.sql), for Kysely.
 */

export interface ApiKeysTable {
  id: string;
  workspace_id: string;
  kind: 'write' | 'admin';
  name: string;
  prefix: string;
  hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  /** JSON array of origins (migrations/000018.sql); null: any origin. Written as JSON text. */
  allowed_origins: unknown;
}
