/**
 * @module The direct mail channel as the channel registry (../registry.ts) builds it: the sender
 * (./channel.ts) on the send pipeline, with one PDF renderer (Chromium, started on the first piece)
 * owned by the channel and closed with it, printing pieces that arrive together as one batch.
 */
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';
import type { ServiceDeps } from '../../core/deps.js';
import type { SealingDeps } from '../../secrets/secret-box.js';
import type { Channel } from '../channel.js';
import { pipelineChannel } from '../pipeline.js';
import { mailSender } from './channel.js';
import { createMailRenderer, type MailRenderer } from './render/renderer.js';
import { printQueue } from './render-queue.js';

/** The registry's ChannelDeps, restated so this file need not import the registry that imports it. */
export type MailChannelDeps = ServiceDeps & SealingDeps & { config?: Config; log?: Logger; renderer?: MailRenderer };

export interface MailChannel extends Channel {
  close(): Promise<void>;
}

export function createMailChannel(deps: MailChannelDeps): MailChannel {
  let renderer = deps.renderer ?? null;
  const own = !deps.renderer;
  const lazy: Pick<MailRenderer, 'render'> = {
    render(pieces) {
      renderer ??= createMailRenderer({ allowPrivateImages: deps.config?.allowPrivateOutbound ?? false });
      return renderer.render(pieces);
    },
  };
  const channel = pipelineChannel(
    { store: deps.store, clock: deps.clock, log: deps.log },
    mailSender({
      store: deps.store,
      clock: deps.clock,
      secretBox: deps.secretBox,
      dataDir: deps.config?.dataDir ?? 'qatra-data',
      publicUrl: deps.config?.publicUrl ?? 'http://localhost:8080',
      print: printQueue(lazy),
      allowPrivateOutbound: deps.config?.allowPrivateOutbound,
    }),
  );
  return {
    ...channel,
    async close() {
      if (own && renderer) await renderer.close();
      renderer = null;
    },
  };
}
