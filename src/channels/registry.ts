/**
 * @module The channel registry: a typed map from a message node's `channel` name to its Channel, in
 * the shape of Kysely's dialects (one interface, one folder per provider). A new channel adds one
 * factory line to `channelFactories`.
 */
import type { Channel } from './channel.js';
import type { Logger } from 'pino';
import type { ServiceDeps } from '../core/deps.js';
import type { SealingDeps } from '../secrets/secret-box.js';
import type { Config } from '../config/config.js';
import { webhookChannel } from './webhook/webhook.js';
import { countingChannel } from './counting/counting.js';
import { emailChannel } from './email/index.js';
import { createSmsChannel } from './sms/index.js';
import { createWhatsappChannel } from './whatsapp/index.js';
import { createTelegramChannel } from './telegram/index.js';
import { createMailChannel } from './mail/index.js';

/** What a channel is built from: the process's dependencies (config and log when it has them). */
export type ChannelDeps = ServiceDeps & SealingDeps & { config?: Config; log?: Logger };

export type ChannelFactory = (deps: ChannelDeps) => Channel;

export const channelFactories = {
  email: emailChannel,
  sms: createSmsChannel,
  whatsapp: createWhatsappChannel,
  telegram: createTelegramChannel,
  mail: createMailChannel,
  webhook: webhookChannel,
  counting: countingChannel,
} satisfies Record<string, ChannelFactory>;

export type ChannelName = keyof typeof channelFactories;

export type ChannelRegistry = ReadonlyMap<string, Channel>;

/** Builds every registered channel; `overrides` replace or add channels (tests, embedding). */
export function createChannelRegistry(deps: ChannelDeps, overrides: readonly Channel[] = []): ChannelRegistry {
  const map = new Map<string, Channel>();
  for (const [name, make] of Object.entries(channelFactories)) map.set(name, (make as ChannelFactory)(deps));
  for (const c of overrides) map.set(c.name, c);
  return map;
}

/** Closes what the registry's channels hold open (SMTP pools, SMPP sessions, keep-alive sockets). */
export async function closeChannels(channels: ChannelRegistry): Promise<void> {
  await Promise.all([...channels.values()].map((c) => (c as Channel & { close?: () => Promise<void> }).close?.().catch(() => {})));
}
