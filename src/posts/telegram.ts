/**
 * @module Telegram channels through grammY's `Api` (the bot must be an administrator of the channel):
 * `getMe` and `getChat` when an account is connected (the channel's chat id and title are kept),
 * `sendMessage` (4096 characters), `sendPhoto` (one image, a caption of 1024) or `sendMediaGroup`
 * (2 to 10 images, one album; the caption on the first, which is the post's remote id) to publish.
 *
 * The Bot API takes no idempotency key and cannot read a channel's history, so an attempt
 * interrupted between the call and its record cannot be checked or safely repeated: the publisher
 * leaves it `unknown` (./publish.ts). The Bot API also gives no view counts for channel posts, so
 * no engagement is fetched (docs/posts.md).
 *
 * Answers: 429 is retried after `parameters.retry_after`; 5xx and connection errors with backoff;
 * 400 (chat not found, caption too long), 401 (bad token) and 403 (bot removed) are permanent.
 */
import { Api, GrammyError, HttpError, InputFile, InputMediaBuilder } from 'grammy';
import type { Destination, PublishResult } from './destination.js';

export const TELEGRAM_API_ROOT = 'https://api.telegram.org';
export const TELEGRAM_TEXT_LIMIT = 4096;
export const TELEGRAM_CAPTION_LIMIT = 1024;
/** Images one post (a media group, an album) may carry. */
export const TELEGRAM_MAX_IMAGES = 10;

export interface TelegramSettings {
  /** As the user gave it: `@name` or a numeric chat id. */
  channel: string;
  chatId: number;
  title: string;
  botUsername: string;
}

function api(token: string, apiRoot: string): Api {
  return new Api(token, { apiRoot, timeoutSeconds: 15 });
}

function reasonOf(err: unknown): string {
  const r = classify(err);
  return r.status === 'published' ? 'unexpected answer' : r.reason;
}

function classify(err: unknown): PublishResult {
  if (err instanceof GrammyError) {
    const reason = `Telegram ${err.error_code}: ${err.description}`.slice(0, 500);
    if (err.error_code === 429) {
      const after = err.parameters?.retry_after;
      return after === undefined ? { status: 'retryable', reason } : { status: 'retryable', reason, retryAfterMs: after * 1000 };
    }
    if (err.error_code >= 500) return { status: 'retryable', reason };
    return { status: 'permanent', reason };
  }
  if (err instanceof HttpError) return { status: 'retryable', reason: `connection failed: ${err.message}`.slice(0, 500) };
  return { status: 'retryable', reason: `connection failed: ${(err as Error).message}`.slice(0, 500) };
}

export class TelegramVerifyError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Checks the bot token and that the channel exists for it; throws TelegramVerifyError when not. */
export async function verifyTelegram(botToken: string, channel: string, apiRoot: string): Promise<TelegramSettings> {
  const bot = api(botToken, apiRoot);
  let me;
  try {
    me = await bot.getMe();
  } catch (err) {
    throw new TelegramVerifyError('secrets.botToken', `Telegram refused the bot token (${reasonOf(err)})`);
  }
  try {
    const chat = await bot.getChat(/^-?\d+$/.test(channel) ? Number(channel) : channel);
    if (chat.type !== 'channel') throw new TelegramVerifyError('settings.channel', `${channel} is a ${chat.type}, not a channel`);
    return { channel, chatId: chat.id, title: chat.title ?? channel, botUsername: me.username };
  } catch (err) {
    if (err instanceof TelegramVerifyError) throw err;
    throw new TelegramVerifyError('settings.channel', `the bot cannot see ${channel} (${reasonOf(err)}); add the bot to the channel as an administrator`);
  }
}

export function telegramDestination(settings: TelegramSettings, botToken: string, apiRoot: string): Destination {
  return {
    kind: 'telegram_channel',
    idempotent: false,
    maxImages: TELEGRAM_MAX_IMAGES,
    maxCharacters: (hasImage) => (hasImage ? TELEGRAM_CAPTION_LIMIT : TELEGRAM_TEXT_LIMIT),
    async publish(input) {
      const bot = api(botToken, apiRoot);
      try {
        const [image, ...more] = input.images;
        const caption = input.text ? { caption: input.text } : {};
        let sent: { message_id: number };
        if (!image) sent = await bot.sendMessage(settings.chatId, input.text);
        else if (more.length === 0) sent = await bot.sendPhoto(settings.chatId, new InputFile(image.data, image.id), caption);
        else {
          // An album: one call, the caption on its first photo (Telegram shows it under the album).
          const media = input.images.map((im, i) => InputMediaBuilder.photo(new InputFile(im.data, im.id), i === 0 ? caption : {}));
          const album = await bot.sendMediaGroup(settings.chatId, media);
          sent = album[0]!;
        }
        const name = settings.channel.startsWith('@') ? settings.channel.slice(1) : null;
        return { status: 'published', remoteId: String(sent.message_id), remoteUrl: name ? `https://t.me/${name}/${sent.message_id}` : null };
      } catch (err) {
        return classify(err);
      }
    },
    engagement: null,
  };
}
