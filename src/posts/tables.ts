/**
 * @module Row types of the post series tables (migrations/000029.sql), for Kysely.
 */
import type { ColumnType } from 'kysely';
import type { JsonColumn, NullableJsonColumn } from '../store/columns.js';

export type PostAccountKind = 'mastodon' | 'telegram_channel' | 'webhook';
export type PostDeliveryStatus = 'pending' | 'published' | 'failed' | 'unknown';

export interface PostAccountsTable {
  workspace_id: string;
  id: string;
  kind: PostAccountKind;
  name: string;
  /** What the API may show (server URL, channel, limits found when verified). */
  settings: JsonColumn;
  /** Sealed with the secret key (src/secrets/): never returned by the API. */
  secrets: string;
  created_at: number;
  updated_at: number;
}

export interface PostSeriesTable {
  workspace_id: string;
  id: string;
  name: string;
  timezone: string;
  /** `{ weekdays, time, startsOn, count?, until? }`, or null for dated posts. */
  recurrence: NullableJsonColumn;
  account_ids: JsonColumn;
  utm: JsonColumn;
  created_at: number;
  updated_at: number;
}

export interface PostsTable {
  workspace_id: string;
  id: string;
  series_id: string;
  position: number;
  text: string;
  images: JsonColumn;
  due_at: number;
  created_at: number;
  updated_at: number;
}

export interface PostImagesTable {
  workspace_id: string;
  id: string;
  content_type: string;
  bytes: number;
  created_at: number;
}

type Nullable<T> = ColumnType<T | null, T | null | undefined, T | null>;

export interface PostDeliveriesTable {
  workspace_id: string;
  post_id: string;
  account_id: string;
  status: PostDeliveryStatus;
  idempotency_key: string;
  attempts: ColumnType<number, number | undefined, number>;
  due_at: number;
  lease_until: Nullable<number>;
  claimed_by: Nullable<string>;
  /** Set before the call, cleared with its record: still set at the next claim means interrupted. */
  call_started_at: Nullable<number>;
  reason: Nullable<string>;
  remote_id: Nullable<string>;
  remote_url: Nullable<string>;
  published_at: Nullable<number>;
  favourites: Nullable<number>;
  reblogs: Nullable<number>;
  replies: Nullable<number>;
  views: Nullable<number>;
  engagement_at: Nullable<number>;
  engagement_due_at: Nullable<number>;
  created_at: number;
  updated_at: number;
}

export interface PostLinksTable {
  token: string;
  workspace_id: string;
  post_id: string;
  link_index: number;
  url: string;
  clicks: ColumnType<number, number | undefined, number>;
  created_at: number;
}
