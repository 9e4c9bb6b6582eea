/**
 * @module The WhatsApp channel as the channel registry (../registry.ts) builds it: the sender
 * (./channel.ts) on the send pipeline. What comes back (status webhooks, inbound messages) arrives
 * over HTTP (./hooks.routes.ts).
 */
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';
import type { ServiceDeps } from '../../core/deps.js';
import type { SealingDeps } from '../../secrets/secret-box.js';
import type { Channel } from '../channel.js';
import { pipelineChannel } from '../pipeline.js';
import { whatsappSender } from './channel.js';

export type WhatsappChannelDeps = ServiceDeps & SealingDeps & { config?: Config; log?: Logger };

export interface WhatsappChannel extends Channel {
  close(): Promise<void>;
}

export function createWhatsappChannel(deps: WhatsappChannelDeps): WhatsappChannel {
  const config = deps.config;
  const sender = whatsappSender({
    store: deps.store,
    clock: deps.clock,
    secretBox: deps.secretBox,
    publicUrl: (config?.publicUrl ?? 'http://localhost:8080').replace(/\/+$/, ''),
    allowPrivateOutbound: config?.allowPrivateOutbound,
  });
  const channel = pipelineChannel({ store: deps.store, clock: deps.clock, log: deps.log, attemptLeaseMs: config?.worker.sendLeaseMs }, sender);
  return { ...channel, close: () => Promise.resolve(sender.close()) };
}
