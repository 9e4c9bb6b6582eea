/**
 * @module What the journey runtime is built from: the app's dependencies plus the channel registry,
 * the definition catalog and retry settings. One per worker.
 */
import { randomBytes } from 'node:crypto';
import type { AppDeps } from '../../api/deps.js';
import { createChannelRegistry, type ChannelRegistry } from '../../channels/registry.js';
import { JourneyCatalog } from './catalog.js';

export interface RetryOptions {
  /** Sends attempted before the run is errored. */
  maxAttempts: number;
  /** First backoff; doubled per attempt, with ±20% jitter, capped at maxBackoffMs. */
  baseBackoffMs: number;
  maxBackoffMs: number;
}

export interface JourneyRuntime extends AppDeps {
  channels: ChannelRegistry;
  catalog: JourneyCatalog;
  retry: RetryOptions;
  /** Identifies this worker in lease tokens (`claimed_by`). */
  workerId: string;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 5, baseBackoffMs: 30_000, maxBackoffMs: 3_600_000 };

export function createRuntime(deps: AppDeps, options: Partial<Pick<JourneyRuntime, 'channels' | 'retry' | 'workerId'>> = {}): JourneyRuntime {
  return {
    ...deps,
    channels: options.channels ?? createChannelRegistry(deps),
    catalog: new JourneyCatalog(),
    retry: options.retry ?? DEFAULT_RETRY,
    workerId: options.workerId ?? `w${process.pid}-${randomBytes(3).toString('hex')}`,
  };
}

/** Exponential backoff with jitter for attempt n (1-based). */
export function backoffMs(retry: RetryOptions, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(retry.maxBackoffMs, retry.baseBackoffMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export function claimToken(rt: JourneyRuntime): string {
  return `${rt.workerId}:${randomBytes(6).toString('hex')}`;
}
