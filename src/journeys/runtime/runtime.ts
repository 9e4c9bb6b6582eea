/**
 * @module What the journey runtime is built from: the app's dependencies plus the channel registry,
 * the definition catalog and retry settings. One per worker.
 */
import { randomBytes } from 'node:crypto';
import type { AppDeps } from '../../core/app-deps.js';
import { createChannelRegistry, type ChannelRegistry } from '../../channels/registry.js';
import { JourneyCatalog } from './catalog.js';
import { DEFAULT_RETRY, type RetryOptions } from '../../core/retry.js';

export interface JourneyRuntime extends AppDeps {
  channels: ChannelRegistry;
  catalog: JourneyCatalog;
  retry: RetryOptions;
  /** Identifies this worker in lease tokens (`claimed_by`). */
  workerId: string;
}

export function createRuntime(deps: AppDeps, options: Partial<Pick<JourneyRuntime, 'channels' | 'retry' | 'workerId'>> = {}): JourneyRuntime {
  return {
    ...deps,
    channels: options.channels ?? createChannelRegistry(deps),
    catalog: new JourneyCatalog(),
    retry: options.retry ?? DEFAULT_RETRY,
    workerId: options.workerId ?? `w${process.pid}-${randomBytes(3).toString('hex')}`,
  };
}

export function claimToken(rt: JourneyRuntime): string {
  return `${rt.workerId}:${randomBytes(6).toString('hex')}`;
}
