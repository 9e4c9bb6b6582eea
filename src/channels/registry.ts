/**
 * @module The channel registry: a typed map from a message node's `channel` name to its Channel, in
 * the shape of Kysely's dialects (one interface, one folder per provider). A new channel adds one
 * factory line to `channelFactories`.
 */
import type { Channel } from './channel.js';
import type { ServiceDeps } from '../core/deps.js';
import { webhookChannel } from './webhook/webhook.js';
import { countingChannel } from './counting/counting.js';

export type ChannelFactory = (deps: ServiceDeps) => Channel;

export const channelFactories = {
  webhook: webhookChannel,
  counting: countingChannel,
} satisfies Record<string, ChannelFactory>;

export type ChannelName = keyof typeof channelFactories;

export type ChannelRegistry = ReadonlyMap<string, Channel>;

/** Builds every registered channel; `overrides` replace or add channels (tests, embedding). */
export function createChannelRegistry(deps: ServiceDeps, overrides: readonly Channel[] = []): ChannelRegistry {
  const map = new Map<string, Channel>();
  for (const [name, make] of Object.entries(channelFactories)) map.set(name, (make as ChannelFactory)(deps));
  for (const c of overrides) map.set(c.name, c);
  return map;
}
