/**
 * @module How long a post may be and how many images it may carry on each kind of account, read
 * from the account's stored settings (no secret needed): Mastodon's limit is the server's own
 * (`GET /api/v2/instance` when connected; URLs count 23 characters), Telegram's 4096 for a message
 * and 1024 for a photo caption (up to 10 photos, an album), a webhook's none.
 */
import type { JsonObject } from '../core/json.js';
import type { PostAccountKind } from './tables.js';
import { mastodonLength, telegramLength } from './render.js';
import { TELEGRAM_CAPTION_LIMIT, TELEGRAM_MAX_IMAGES, TELEGRAM_TEXT_LIMIT } from './telegram.js';

export interface Limits {
  maxImages: number;
  /** Null: no limit. */
  maxCharacters(hasImage: boolean): number | null;
  length(text: string): number;
}

export function limitsOf(kind: PostAccountKind, settings: JsonObject): Limits {
  switch (kind) {
    case 'mastodon': {
      const max = typeof settings.maxCharacters === 'number' ? settings.maxCharacters : 500;
      const images = typeof settings.maxMediaAttachments === 'number' ? settings.maxMediaAttachments : 4;
      return { maxImages: images, maxCharacters: () => max, length: (t) => mastodonLength(t) };
    }
    case 'telegram_channel':
      return { maxImages: TELEGRAM_MAX_IMAGES, maxCharacters: (hasImage) => (hasImage ? TELEGRAM_CAPTION_LIMIT : TELEGRAM_TEXT_LIMIT), length: telegramLength };
    case 'webhook':
      return { maxImages: 4, maxCharacters: () => null, length: telegramLength };
  }
}
