/**
 * @module Row types of the channel platform's tables (migrations/000017.sql), for Kysely: providers
 * of the channels other than email, the shared provider throughput limit and SMS short links.
 */
import type { JsonColumn } from '../store/columns.js';

export interface ChannelProvidersTable {
  id: string;
  workspace_id: string;
  channel: string;
  /** The provider implementation: `outbox`, `twilio`, `smpp`, `http`, … */
  kind: string;
  name: string;
  priority: number;
  /** What the API may show. */
  settings: JsonColumn;
  /** Credentials sealed with the secret key (src/secrets/): never returned by the API. */
  secrets: string;
  created_at: number;
  updated_at: number;
}

export interface ProviderRateTable {
  provider_key: string;
  second: number;
  used: number;
}

export interface ShortLinksTable {
  token: string;
  workspace_id: string;
  message_id: string;
  link_index: number;
  created_at: number;
}
