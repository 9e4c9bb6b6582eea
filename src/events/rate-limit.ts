/**
 * @module The per-workspace ingestion rate limit (docs/ingestion.md, "Rate limit"): a token bucket
 * per workspace, on the injectable clock, checked before anything of a /v1 request is stored.
 *
 * A workspace's rate is its own (`workspaces.ingest_rate_per_second`, read with its key) or, when it
 * sets none, the server's default (`config.ingest.ratePerWorkspace`); 0 means unlimited. The bucket
 * holds one second of calls. A request of n calls needs min(n, capacity) tokens and then takes all
 * n, so a batch larger than one second's worth still passes when the bucket is full and the
 * workspace pays it back before its next request; over time no workspace sends faster than its rate.
 * A refused request stores nothing and gets 429 with Retry-After: the seconds until enough tokens
 * are back (TooManyRequestsError, mapped in src/api/error-handler.ts). Other workspaces have their
 * own buckets and are not slowed.
 *
 * The buckets live in this process (one limiter per app): with several server processes behind a
 * load balancer a workspace may send up to N times its rate. A bucket in the database would be
 * exact, but would add a write to one hot row per workspace on every request, serialising the
 * workspace's ingestion on that row lock: the very thing the group committer avoids. Set the rate
 * per process (divide by the number of processes) when that matters.
 */
import type { Clock } from '../core/clock.js';
import { TooManyRequestsError } from '../core/errors.js';

interface Bucket {
  tokens: number;
  at: number;
}

export class IngestRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly clock: Clock,
    /** Calls per second for workspaces without their own rate; 0: unlimited. */
    private readonly defaultRate: number,
  ) {}

  /** The rate that applies: the workspace's own (0: unlimited), else the default. */
  rateOf(own: number | null | undefined): number {
    return own === null || own === undefined ? this.defaultRate : own;
  }

  /** Takes `calls` tokens from the workspace's bucket, or throws TooManyRequestsError taking none. */
  take(workspaceId: string, ownRate: number | null | undefined, calls: number): void {
    const rate = this.rateOf(ownRate);
    if (rate <= 0 || calls <= 0) return;
    const now = this.clock.now();
    const capacity = rate; // one second of calls
    const bucket = this.buckets.get(workspaceId) ?? { tokens: capacity, at: now };
    const elapsedS = Math.max(0, now - bucket.at) / 1000;
    const tokens = Math.min(capacity, bucket.tokens + elapsedS * rate);
    const need = Math.min(calls, capacity);
    if (tokens < need) {
      this.buckets.set(workspaceId, { tokens, at: now });
      const retryAfterSeconds = Math.max(1, Math.ceil((need - tokens) / rate));
      throw new TooManyRequestsError(`this workspace may send ${rate} calls per second; nothing of this request was stored, retry after the Retry-After seconds`, retryAfterSeconds);
    }
    this.buckets.set(workspaceId, { tokens: tokens - calls, at: now });
  }
}
