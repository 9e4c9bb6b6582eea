/**
 * @module One Telegram bot as the channel uses it: grammY's `Api` (the Bot API client; the only
 * place it is imported) over a keep-alive agent, with `sendMessage`'s answer classified for the
 * pipeline (src/channels/channel.ts error model):
 *
 *  - ok: sent, with the message id;
 *  - 403 "bot was blocked by the user" (or "user is deactivated"): blocked, the contact's consent
 *    is withdrawn by the caller;
 *  - 429: retryable after `parameters.retry_after` seconds;
 *  - 5xx, a network error or a timeout: retryable;
 *  - other 4xx (400 chat not found, can't parse entities, 401 a revoked token): permanent.
 */
import http from 'node:http';
import https from 'node:https';
import { createHmac } from 'node:crypto';
import { Api, GrammyError, HttpError } from 'grammy';
import { keepAliveFetch } from './transport.js';

export const TELEGRAM_API_ROOT = 'https://api.telegram.org';

export type BotSendResult =
  { status: 'sent'; messageId: number } | { status: 'blocked'; reason: string } | { status: 'retryable'; reason: string; retryAfterMs?: number } | { status: 'permanent'; reason: string };

export interface TelegramMessage {
  chatId: string;
  /** HTML in Telegram's subset. */
  text: string;
  buttons: { text: string; url: string }[];
}

export interface TelegramBot {
  send(message: TelegramMessage): Promise<BotSendResult>;
  setWebhook(url: string, secretToken: string): Promise<void>;
  close(): void;
}

export function createTelegramBot(options: {
  token: string;
  apiRoot?: string | undefined;
  timeoutSeconds?: number;
  /** Every message with `allow_paid_broadcast` (the provider's `paidBroadcast`). */
  paidBroadcast?: boolean;
}): TelegramBot {
  const apiRoot = (options.apiRoot ?? TELEGRAM_API_ROOT).replace(/\/+$/, '');
  const agent = apiRoot.startsWith('https:') ? new https.Agent({ keepAlive: true, maxSockets: 64 }) : new http.Agent({ keepAlive: true, maxSockets: 64 });
  // grammY over a keep-alive node:http transport (./transport.ts says why not its node-fetch).
  const api = new Api(options.token, { apiRoot, timeoutSeconds: options.timeoutSeconds ?? 30, fetch: keepAliveFetch(agent) as never });
  return {
    async send({ chatId, text, buttons }) {
      try {
        const sent = await api.sendMessage(chatId, text, {
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: buttons.length > 0 },
          ...(options.paidBroadcast ? { allow_paid_broadcast: true } : {}),
          ...(buttons.length > 0 ? { reply_markup: { inline_keyboard: buttons.map((b) => [{ text: b.text, url: b.url }]) } } : {}),
        });
        return { status: 'sent', messageId: sent.message_id };
      } catch (err) {
        if (err instanceof GrammyError) {
          const reason = `telegram ${err.error_code}: ${err.description}`;
          if (err.error_code === 403) return { status: 'blocked', reason };
          if (err.error_code === 429) return { status: 'retryable', reason, retryAfterMs: (err.parameters.retry_after ?? 1) * 1000 };
          if (err.error_code >= 500) return { status: 'retryable', reason };
          return { status: 'permanent', reason };
        }
        if (err instanceof HttpError) return { status: 'retryable', reason: `telegram unreachable: ${err.message}` };
        throw err;
      }
    },
    async setWebhook(url, secretToken) {
      await api.setWebhook(url, { secret_token: secretToken, allowed_updates: ['message'] });
    },
    close: () => agent.destroy(),
  };
}

/**
 * The `X-Telegram-Bot-Api-Secret-Token` a provider's webhook expects: its own `webhookSecret` when
 * one was saved, else derived from the bot token (so it is as secret as the token and needs no setup).
 */
export function webhookSecretOf(providerId: string, secrets: Record<string, string>): string {
  if (secrets.webhookSecret) return secrets.webhookSecret;
  return createHmac('sha256', secrets.token ?? '')
    .update(`qatra-telegram-webhook:${providerId}`)
    .digest('base64url');
}
