/**
 * @module Row types of the provider list and routing rules (migrations/000030.sql), for Kysely; the
 * circuits' rows are ../../circuits.ts's.
 */
import type { ColumnType } from 'kysely';
import type { JsonColumn } from '../../../store/columns.js';

export interface EmailProviderListTable {
  workspace_id: string;
  id: string;
  name: string;
  /** Failover order, lowest first. */
  position: number;
  kind: string;
  /** The kind's own settings (smtp: `{ smtp: {...} }`), what the API may show. */
  settings: JsonColumn;
  /** `{ sealed }` (src/secrets/): the kind's credentials (smtp: password). Never returned. */
  secrets: JsonColumn;
  /** `{ throttle?, warmup? }` (../limits/limits.ts; migrations/000038.sql). */
  limits: ColumnType<unknown, string | undefined, string>;
  created_at: number;
  updated_at: number;
}

export interface EmailRoutingTable {
  workspace_id: string;
  rules: JsonColumn;
  policy: JsonColumn;
  /** Per-recipient-domain throttles (../limits/limits.ts; migrations/000038.sql). */
  throttles: ColumnType<unknown, string | undefined, string>;
  updated_at: number;
}

export interface EmailSendCountersTable {
  workspace_id: string;
  /** `provider:<id>`, `domain:<pattern>` or `warmup:<id>`. */
  scope: string;
  window_start: number;
  used: number;
}

export interface EmailSendSlotsTable {
  workspace_id: string;
  /** `provider:<id>` or `domain:<pattern>`. */
  scope: string;
  slot: number;
  /** The send holding it (its message id), or null when free. */
  holder: string | null;
  /** Free once this has passed (a worker killed mid-send loses its slot here). */
  lease_until: number;
}

export interface EmailDomainBackoffTable {
  workspace_id: string;
  domain: string;
  failures: number;
  until_at: number;
  last_error: string | null;
  updated_at: number;
}
