/**
 * @module Row type of the writing assistant's settings (migrations/000025.sql), for Kysely.
 */
import type { JsonColumn } from '../store/columns.js';

export interface AssistantSettingsTable {
  workspace_id: string;
  settings: JsonColumn;
  /** Sealed by the SecretBox; null when no key is set (a local model server often needs none). */
  api_key: string | null;
  updated_at: number;
}
