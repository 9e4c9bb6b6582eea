/**
 * @module What each kind of post account (Mastodon, Telegram channel, webhook) does, behind one
 * interface in the manner of a channel provider: verify the credentials when connected, say how
 * long a post may be, publish one post, read its engagement back. `publish` never throws for a
 * delivery problem: it answers `published | retryable | permanent`.
 */
import type { PostAccountKind } from './tables.js';

export type PublishResult =
  { status: 'published'; remoteId: string; remoteUrl: string | null } | { status: 'retryable'; reason: string; retryAfterMs?: number } | { status: 'permanent'; reason: string };

export interface PostImage {
  id: string;
  contentType: string;
  data: Buffer;
}

export interface PublishInput {
  text: string;
  images: PostImage[];
  /** Deterministic per post and account: the same key on every attempt. */
  idempotencyKey: string;
  /** What a webhook receives besides the text. */
  meta: { postId: string; seriesId: string; position: number; accountId: string };
}

/** Figures read back from the account; null where the API does not give one. */
export interface Engagement {
  favourites: number | null;
  reblogs: number | null;
  replies: number | null;
  views: number | null;
}

export interface Destination {
  readonly kind: PostAccountKind;
  /**
   * True when the API takes an idempotency key, so an attempt interrupted between the call and its
   * record may be made again with the same key. Otherwise such an attempt is left `unknown`.
   */
  readonly idempotent: boolean;
  /** Characters a post may have (with `hasImage`: a caption), or null for no limit. */
  maxCharacters(hasImage: boolean): number | null;
  /** Images one post may carry. */
  readonly maxImages: number;
  publish(input: PublishInput): Promise<PublishResult>;
  /** Null when this kind gives no figures back (then none are fetched). */
  engagement: ((remoteId: string) => Promise<Engagement | { error: string }>) | null;
}

/** Milliseconds until an HTTP date or epoch-seconds reset time, at least 1 s. */
export function untilReset(header: string | null | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const asNumber = Number(header);
  const at = Number.isFinite(asNumber) ? (asNumber > 1e11 ? asNumber : asNumber * 1000) : Date.parse(header);
  if (!Number.isFinite(at)) return undefined;
  return Math.max(1000, at - now);
}
