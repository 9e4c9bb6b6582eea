/**
 * @module Row type of the unsubscribe feedback table (migrations/000005.sql), for Kysely.
 */
import type { Generated } from 'kysely';

export interface UnsubscribeFeedbackTable {
  id: Generated<number>;
  workspace_id: string;
  contact_id: string | null;
  message_id: string | null;
  /** `topic` or `all`. */
  scope: string;
  topic: string;
  answer: string | null;
  created_at: number;
}
