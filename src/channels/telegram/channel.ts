/**
 * @module The Telegram channel (`telegram`) on the send pipeline (../pipeline.ts), which records,
 * claims, checks `telegram` consent (marketing needs it: linking records it) and settles; this file
 * brings what is Telegram's own (docs/telegram.md):
 *
 *   - a message names its template (`config.template`, a Telegram template), or for a
 *     transactional send without one, `config.text` (escaped);
 *   - the address is the contact's linked chat (./handles.ts), looked up when delivering: a contact
 *     who never linked is skipped;
 *   - per batch and workspace: the bot (the first `telegram_bot` provider), the tracking secret;
 *   - per message: render the locale variant (./render.ts: HTML Telegram accepts, ≤ 4096 characters);
 *     every URL of the text and every button's URL becomes a short tracked link (../sms/short-links.ts,
 *     the same `/s/TOKEN` clicks, recorded as `telegram.clicked`); take the bot's and the chat's
 *     budget (./rate.ts); send; a blocked bot withdraws the contact's consent at once.
 */
import type { Clock } from '../../core/clock.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import type { ServiceDeps } from '../../core/deps.js';
import { setConsent } from '../../consent/consent.js';
import type { SentContent } from '../../messages/records.js';
import type { Store } from '../../store/store.js';
import { TemplateCache } from '../../templates/cache.js';
import { getWorkspaceSettings, type WorkspaceSettings } from '../../templates/workspace-settings.js';
import { workspaceSecret } from '../../tracking/tokens.js';
import { telegramDescriptor } from '../descriptors.js';
import type { ChannelSender, ClaimedDelivery, DeliveryOutcome } from '../pipeline-sender.js';
import { nonEmptyString, templateOf } from '../request-config.js';
import { renderContextOf } from '../render-context.js';
import { shortenLinks } from '../sms/short-links.js';
import type { TelegramBot } from './bot.js';
import type { ChatHandle } from './handles.js';
import type { TelegramRate } from './rate.js';
import { renderTelegram } from './render.js';

/** A workspace's bot as the sender uses it. */
export interface ActiveBot {
  id: string;
  kind: string;
  perSecond: number;
  perChatPerSecond: number;
  bot: TelegramBot;
}

export interface TelegramSenderDeps extends ServiceDeps {
  store: Store;
  clock: Clock;
  /** Base of short links (config.publicUrl). */
  publicUrl: string;
  /** The workspace's bot, or null when it has none. */
  bot(workspaceId: string): Promise<ActiveBot | null>;
  chatOf(workspaceId: string, contactId: string): Promise<ChatHandle | null>;
  rate: TelegramRate;
  templateCache?: TemplateCache | undefined;
  /** Longest a send waits for its bot's or chat's budget before answering retryable (default 2 s). */
  maxRateWaitMs?: number | undefined;
}

interface TelegramContext {
  bot: ActiveBot | null;
  secret: string;
  ws: WorkspaceSettings;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function telegramSender(deps: TelegramSenderDeps): ChannelSender<TelegramContext> {
  const { store, clock } = deps;
  const secrets = new Map<string, string>();
  const templateCache = deps.templateCache ?? new TemplateCache();
  const maxRateWaitMs = deps.maxRateWaitMs ?? 2_000;

  async function deliver({ request, message }: ClaimedDelivery, context: TelegramContext): Promise<DeliveryOutcome> {
    const { bot, secret, ws } = context;
    const fail = (reason: string): DeliveryOutcome => ({ result: { status: 'permanent', reason }, content: null });
    if (!bot) return fail('the workspace has no Telegram bot (a telegram_bot provider)');
    const chat = await deps.chatOf(request.workspaceId, request.contact.id);
    if (!chat) return { result: { status: 'skipped', reason: 'contact has not linked Telegram' }, content: null };

    let rendered: { text: string; buttons: { text: string; url: string }[]; version: number | null };
    try {
      rendered =
        message.templateId === null
          ? { text: escapeHtml(String(request.config.text)), buttons: [], version: null }
          : await renderTelegram(
              { store, templateCache },
              {
                ...renderContextOf(request, ws),
                templateId: message.templateId!,
              },
            );
    } catch (err) {
      if (!(err instanceof NotFoundError || err instanceof ValidationError)) throw err;
      return fail(`template: ${err.message}`);
    }

    // The text's URLs and the buttons' URLs (one per line after it: a button URL has no whitespace)
    // become short tracked links in one call, so they share the message's `links` indexes.
    const n = rendered.buttons.length;
    const combined = [rendered.text, ...rendered.buttons.map((b) => b.url)].join('\n');
    const short = await shortenLinks(store.db, { workspaceId: request.workspaceId, messageId: message.id, text: combined, publicUrl: deps.publicUrl, secret, now: clock.now() });
    const lines = short.text.split('\n');
    const text = n === 0 ? short.text : lines.slice(0, -n).join('\n');
    const buttons = rendered.buttons.map((b, i) => ({ text: b.text, url: lines[lines.length - n + i]! }));

    const content: SentContent = { provider: bot.kind, to: chat.chatId, subject: '', links: short.links, headerMessageId: null, templateVersion: rendered.version, segments: 1 };
    const waited = await deps.rate.take(bot, chat.chatId, maxRateWaitMs);
    if (!waited.ok) return { result: { status: 'retryable', reason: `bot ${bot.id} is at Telegram's limit`, retryAfterMs: waited.retryAfterMs }, content };

    const answer = await bot.bot.send({ chatId: chat.chatId, text, buttons });
    switch (answer.status) {
      case 'sent':
        return { result: { status: 'sent', providerMessageId: `${chat.chatId}:${answer.messageId}` }, content };
      case 'retryable':
        return { result: { status: 'retryable', reason: answer.reason, ...(answer.retryAfterMs !== undefined ? { retryAfterMs: answer.retryAfterMs } : {}) }, content };
      case 'permanent':
        return { result: { status: 'permanent', reason: answer.reason }, content };
      case 'blocked':
        // The person blocked the bot: no message of any kind reaches them; marketing stops at once.
        await setConsent(deps, request.workspaceId, request.contact.id, { channel: 'telegram', topic: '', status: 'unsubscribed', source: 'telegram_blocked' }).catch((err: unknown) => {
          if (!(err instanceof NotFoundError)) throw err;
        });
        return { result: { status: 'permanent', reason: answer.reason }, content };
    }
  }

  return {
    descriptor: telegramDescriptor,
    plan(request) {
      const templateId = templateOf(request);
      if (templateId) return { templateId };
      if (request.kind === 'transactional' && nonEmptyString(request.config.text)) return { templateId: null };
      return { error: 'a Telegram message needs a template (config.template)' };
    },
    // The descriptor's address is the contact id; the chat is looked up when delivering.
    address: (raw) => ({ ok: true, value: raw }),
    async workspace(workspaceId) {
      const [bot, secret, ws] = await Promise.all([deps.bot(workspaceId), workspaceSecret(store, workspaceId, secrets), getWorkspaceSettings(store.db, workspaceId)]);
      return { bot, secret, ws };
    },
    deliver,
  };
}
