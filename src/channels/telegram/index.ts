/**
 * @module The Telegram channel as the channel registry (src/channels/registry.ts) builds it: the
 * sender (./channel.ts) on the send pipeline, the workspace's bot from `channel_providers` (the
 * first `telegram_bot` by priority; its token opened with the SecretBox), one grammY client per
 * saved provider version (kept, so its keep-alive sockets are reused), the shared limits (./rate.ts).
 */
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';
import type { ServiceDeps } from '../../core/deps.js';
import type { SealingDeps } from '../../secrets/secret-box.js';
import type { Channel } from '../channel.js';
import { pipelineChannel } from '../pipeline.js';
import { listProviders, type ChannelProvider } from '../providers/providers.js';
import { createTelegramBot, type TelegramBot } from './bot.js';
import { telegramSender, type ActiveBot } from './channel.js';
import { handleLoader, TELEGRAM } from './handles.js';
import { TELEGRAM_DEFAULT_PER_CHAT_PER_SECOND, TELEGRAM_DEFAULT_PER_SECOND, TELEGRAM_PAID_BROADCAST_PER_SECOND } from './provider-kinds.js';
import { telegramRate } from './rate.js';

export type TelegramChannelDeps = ServiceDeps & SealingDeps & { config?: Config; log?: Logger };

export interface TelegramChannel extends Channel {
  close(): Promise<void>;
}

const int = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback);

/** The grammY client of a saved provider, built once per version of its row. */
export function botCache(): { of(p: ChannelProvider): TelegramBot; close(): void } {
  const bots = new Map<string, { version: number; bot: TelegramBot }>();
  return {
    of(p) {
      const held = bots.get(p.id);
      if (held && held.version === p.updatedAt) return held.bot;
      held?.bot.close();
      const bot = createTelegramBot({
        token: p.secrets.token ?? '',
        apiRoot: typeof p.settings.apiRoot === 'string' ? p.settings.apiRoot : undefined,
        paidBroadcast: p.settings.paidBroadcast === true,
      });
      bots.set(p.id, { version: p.updatedAt, bot });
      return bot;
    },
    close: () => {
      for (const b of bots.values()) b.bot.close();
      bots.clear();
    },
  };
}

export function createTelegramChannel(deps: TelegramChannelDeps): TelegramChannel {
  const bots = botCache();
  const channel = pipelineChannel(
    { store: deps.store, clock: deps.clock, log: deps.log, attemptLeaseMs: deps.config?.worker.sendLeaseMs },
    telegramSender({
      ...deps,
      publicUrl: (deps.config?.publicUrl ?? 'http://localhost:8080').replace(/\/+$/, ''),
      async bot(workspaceId): Promise<ActiveBot | null> {
        const p = (await listProviders(deps.store.db, deps.secretBox, workspaceId, TELEGRAM)).find((x) => x.kind === 'telegram_bot');
        if (!p) return null;
        return {
          id: p.id,
          kind: p.kind,
          perSecond: int(p.settings.messagesPerSecond, p.settings.paidBroadcast === true ? TELEGRAM_PAID_BROADCAST_PER_SECOND : TELEGRAM_DEFAULT_PER_SECOND),
          perChatPerSecond: int(p.settings.perChatPerSecond, TELEGRAM_DEFAULT_PER_CHAT_PER_SECOND),
          bot: bots.of(p),
        };
      },
      chatOf: handleLoader(deps.store.db),
      rate: telegramRate(deps.store.db, deps.clock),
    }),
  );
  return { ...channel, close: async () => bots.close() };
}
