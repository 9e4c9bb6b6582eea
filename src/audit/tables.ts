/**
 * @module Row type of the audit log (migrations/000010.sql), for Kysely.
 */
import type { Generated } from 'kysely';
import type { JsonColumn } from '../store/columns.js';

export interface AuditLogTable {
  id: Generated<number>;
  workspace_id: string;
  /** API key id, or null when the person acted themselves (a double opt-in confirmation). */
  actor: string | null;
  action: string;
  /** An id (a contact id): never an address. */
  subject: string;
  /** Counts and flags only: no personal data. */
  details: JsonColumn;
  at: number;
}
