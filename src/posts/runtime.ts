/**
 * @module What the publishing and engagement passes run with: the posts deps, a logger, this
 * worker's id, the retry policy, the lease, the batch size, and (tests only) a hook called after a
 * destination answered and before the answer is recorded, to kill a "worker" at that very point.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { RetryOptions } from '../core/retry.js';
import type { PostsDeps } from './deps.js';

export interface PostsRuntime extends PostsDeps {
  log: Logger;
  workerId: string;
  retry: RetryOptions;
  /** How long an attempt holds its delivery; after it, another worker may take it. */
  leaseMs: number;
  batchSize: number;
  /** Called between the call and its record (fault injection in tests). */
  afterCall?: ((delivery: { postId: string; accountId: string }) => void | Promise<void>) | undefined;
}

/** Posts are few and each call is slow: a small batch, a lease longer than any call (15 s timeouts). */
export const POSTS_RETRY: RetryOptions = { maxAttempts: 8, baseBackoffMs: 60_000, maxBackoffMs: 6 * 3_600_000 };
export const POSTS_LEASE_MS = 5 * 60_000;
export const POSTS_BATCH = 10;

export function claimToken(rt: Pick<PostsRuntime, 'workerId'>): string {
  return `${rt.workerId}:${randomBytes(6).toString('hex')}`;
}
