/**
 * @module The Telegram provider kind a workspace can configure (`/api/channels/telegram/providers`,
 * docs/telegram.md): `telegram_bot`, a bot made with @BotFather.
 *
 *  - secrets: `token` (the bot token, sealed, never returned), optional `webhookSecret` (the
 *    `X-Telegram-Bot-Api-Secret-Token` the webhook expects; derived from the token when absent);
 *  - settings: `botUsername` (for deep links `https://t.me/<bot>?start=…`), `apiRoot` (a Bot API
 *    server other than https://api.telegram.org: a local one, tests), `paidBroadcast` (send with
 *    Telegram's `allow_paid_broadcast`: up to 1000 messages a second for 0.1 Stars each from the
 *    bot's balance), `messagesPerSecond` (overall, default 30, or 1000 with `paidBroadcast`) and
 *    `perChatPerSecond` (default 1): Telegram's limits, shared by every worker;
 *    `replies` (the bot's answers to /start and /stop per language, ./replies.ts).
 */
import { z, type ZodType } from 'zod';

export const TELEGRAM_DEFAULT_PER_SECOND = 30;
/** The overall limit of a bot sending with `allow_paid_broadcast` (Bot API 7.11, "paid broadcasts"). */
export const TELEGRAM_PAID_BROADCAST_PER_SECOND = 1000;
export const TELEGRAM_DEFAULT_PER_CHAT_PER_SECOND = 1;

export const telegramProviderKinds: Readonly<Record<string, { settings: ZodType; secrets: ZodType }>> = {
  telegram_bot: {
    settings: z
      .object({
        botUsername: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, 'a bot username: 4-32 letters, digits and _ (without @)'),
        apiRoot: z
          .url({ protocol: /^https?$/ })
          .max(500)
          .optional()
          .describe('A Bot API server other than https://api.telegram.org'),
        paidBroadcast: z.boolean().optional().describe("Send with Telegram's allow_paid_broadcast: up to 1000 messages a second, each charged 0.1 Telegram Stars from the bot's balance"),
        messagesPerSecond: z.number().int().min(1).max(100_000).optional().describe('At most this many messages a second overall, shared by every worker (default 30, or 1000 with paidBroadcast)'),
        perChatPerSecond: z.number().int().min(1).max(100).optional().describe('At most this many messages a second to one chat (default 1)'),
        replies: z
          .partialRecord(z.enum(['linked', 'refused', 'stopped']), z.partialRecord(z.enum(['en', 'ar', 'fa']), z.string().trim().min(1).max(1000)))
          .optional()
          .describe("The bot's answers to /start (linked, refused) and /stop (stopped) per language; the defaults where absent"),
      })
      .strict(),
    secrets: z
      .object({
        token: z.string().regex(/^\d{1,20}:[A-Za-z0-9_-]{20,100}$/, 'a bot token as @BotFather gives it: <digits>:<key>'),
        webhookSecret: z
          .string()
          .regex(/^[A-Za-z0-9_-]{16,256}$/, '16-256 characters of A-Z, a-z, 0-9, _ and -')
          .optional(),
      })
      .strict(),
  },
};
