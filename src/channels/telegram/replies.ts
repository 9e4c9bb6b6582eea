/**
 * @module The bot's answer to `/start` and `/stop` (docs/telegram.md), sent after the update's
 * transaction (./link.ts) committed, so an update Telegram redelivers (same `update_id`, outcome
 * `duplicate`) is never answered twice:
 *
 *  - `linked` (a good `/start <token>`), `refused` (a malformed, tampered, expired or reused token),
 *    `stopped` (`/stop`: marketing is withdrawn already; this only confirms it);
 *  - the text is the bot's `settings.replies.<kind>.<language>` when the workspace wrote one, else
 *    the default below, in the contact's locale (else the language Telegram reports for the
 *    sender), `en`, `ar` or `fa`, English for any other;
 *  - when the chat belongs to a contact, the reply is a transactional message on the `telegram`
 *    channel (recorded like any message, idempotency key `telegram-reply:<provider>:<update_id>`);
 *    a chat that is nobody's (a refused token, `/stop` from an unknown chat) gets it straight from
 *    the bot, with nothing recorded (there is no contact to record it on).
 * A reply is a courtesy: a failure is logged, and the webhook still answers 200.
 */
import type { Logger } from 'pino';
import type { ServiceDeps } from '../../core/deps.js';
import { getContact } from '../../contacts/contacts.js';
import type { SecretBox } from '../../secrets/secret-box.js';
import type { Channel, SendResult } from '../channel.js';
import { getProvider } from '../providers/providers.js';
import { createTelegramBot } from './bot.js';
import { contactOfChat, TELEGRAM } from './handles.js';
import type { TelegramUpdate, UpdateOutcome } from './link.js';

export type ReplyKind = 'linked' | 'refused' | 'stopped';
export const REPLY_LANGUAGES = ['en', 'ar', 'fa'] as const;
export type ReplyLanguage = (typeof REPLY_LANGUAGES)[number];

export const DEFAULT_REPLIES: Readonly<Record<ReplyKind, Readonly<Record<ReplyLanguage, string>>>> = {
  linked: {
    en: 'You are subscribed: we will send you our news here. Send /stop at any time to stop.',
    ar: 'تم اشتراكك: سنرسل إليك أخبارنا هنا. أرسل ‎/stop‎ في أي وقت لإيقافها.',
    fa: 'عضویت شما ثبت شد: اخبار ما را اینجا برایتان می‌فرستیم. هر وقت خواستید ‎/stop‎ را بفرستید.',
  },
  refused: {
    en: 'This link is not valid any more. Please ask for a new one.',
    ar: 'هذا الرابط لم يعد صالحًا. يرجى طلب رابط جديد.',
    fa: 'این پیوند دیگر معتبر نیست. لطفاً پیوند تازه‌ای درخواست کنید.',
  },
  stopped: {
    en: 'You will not receive our marketing messages here any more.',
    ar: 'لن تصلك رسائلنا التسويقية هنا بعد الآن.',
    fa: 'از این پس پیام‌های تبلیغاتی ما را اینجا دریافت نمی‌کنید.',
  },
};

/** `en`, `ar` or `fa` from a locale such as `fa-IR` (English for any other, or none). */
export function replyLanguage(locale: string | null | undefined): ReplyLanguage {
  const base = (locale ?? '').toLowerCase().split(/[-_]/)[0];
  return (REPLY_LANGUAGES as readonly string[]).includes(base ?? '') ? (base as ReplyLanguage) : 'en';
}

/** The workspace's text for `kind` in `language` (the bot's `settings.replies`), else the default. */
export function replyText(settings: Record<string, unknown>, kind: ReplyKind, language: ReplyLanguage): string {
  const written = (settings.replies as Partial<Record<ReplyKind, Partial<Record<ReplyLanguage, unknown>>>> | undefined)?.[kind]?.[language];
  return typeof written === 'string' && written.trim() !== '' ? written : DEFAULT_REPLIES[kind][language];
}

const kindOf = (outcome: UpdateOutcome): ReplyKind | null => {
  switch (outcome.kind) {
    case 'linked':
      return 'linked';
    case 'refused':
      return 'refused';
    case 'stopped':
    case 'unknown_chat':
      return 'stopped';
    case 'duplicate':
    case 'ignored':
      return null;
  }
};

export interface ReplyDeps extends ServiceDeps {
  secretBox: SecretBox;
  log: Logger;
  /** The `telegram` channel (./index.ts), for replies to a contact. */
  channel: Channel;
}

export type ReplyOutcome = { kind: 'none' } | { kind: 'message'; result: SendResult } | { kind: 'direct'; status: string };

/** Answers the update's sender; see the module comment. */
export async function replyToUpdate(deps: ReplyDeps, input: { workspaceId: string; providerId: string; update: TelegramUpdate; outcome: UpdateOutcome }): Promise<ReplyOutcome> {
  const { workspaceId, providerId, update, outcome } = input;
  const kind = kindOf(outcome);
  const chatId = update.message?.chat?.id;
  if (kind === null || chatId === undefined) return { kind: 'none' };
  const provider = await getProvider(deps.store.db, deps.secretBox, workspaceId, TELEGRAM, providerId);
  const contactId = outcome.kind === 'linked' || outcome.kind === 'stopped' ? outcome.contactId : await contactOfChat(deps.store.db, workspaceId, String(chatId));
  const contact = contactId === null ? null : await getContact(deps, workspaceId, contactId).catch(() => null);
  const text = replyText(provider.settings, kind, replyLanguage(contact?.locale ?? update.message?.from?.language_code));
  if (contact) {
    const result = await deps.channel.send({
      workspaceId,
      contact,
      idempotencyKey: `telegram-reply:${providerId}:${update.update_id}`,
      config: { text },
      context: {},
      kind: 'transactional',
    });
    if (result.status !== 'sent') deps.log.warn({ workspaceId, providerId, updateId: update.update_id, result }, 'telegram reply not sent');
    return { kind: 'message', result };
  }
  const bot = createTelegramBot({ token: provider.secrets.token ?? '', apiRoot: typeof provider.settings.apiRoot === 'string' ? provider.settings.apiRoot : undefined, timeoutSeconds: 10 });
  try {
    const answer = await bot.send({ chatId: String(chatId), text: text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'), buttons: [] });
    if (answer.status !== 'sent') deps.log.warn({ workspaceId, providerId, updateId: update.update_id, answer }, 'telegram reply not sent');
    return { kind: 'direct', status: answer.status };
  } finally {
    bot.close();
  }
}
