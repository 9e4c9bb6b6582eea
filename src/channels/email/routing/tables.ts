/**
 * @module Row types of the provider list, routing rules and circuits (migrations/000030.sql), for Kysely.
 */
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
  created_at: number;
  updated_at: number;
}

export interface EmailRoutingTable {
  workspace_id: string;
  rules: JsonColumn;
  policy: JsonColumn;
  updated_at: number;
}

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface EmailCircuitsTable {
  workspace_id: string;
  provider_id: string;
  state: CircuitState;
  failures: number;
  first_failure_at: number | null;
  opened_at: number | null;
  probe_at: number | null;
  last_error: string | null;
  updated_at: number;
}
