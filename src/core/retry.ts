/**
 * @module How a failed send is retried: the attempts allowed and the backoff between them. Journey
 * steps, broadcast batches and transactional retries share it.
 */

export interface RetryOptions {
  /** Sends attempted before the run is errored. */
  maxAttempts: number;
  /** First backoff; doubled per attempt, with ±20% jitter, capped at maxBackoffMs. */
  baseBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 5, baseBackoffMs: 30_000, maxBackoffMs: 3_600_000 };

/** Exponential backoff with jitter for attempt n (1-based). */
export function backoffMs(retry: RetryOptions, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(retry.maxBackoffMs, retry.baseBackoffMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}
