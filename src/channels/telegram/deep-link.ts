/**
 * @module A contact's Telegram deep link (`https://t.me/<bot>?start=<token>`, ./link-token.ts): for
 * the API (`GET /api/contacts/:id/telegram-link`, a QR code or a thank-you page) and for templates
 * (`{{ telegram_link }}`). The bot is the workspace's first `telegram_bot` provider.
 */
import type { Clock } from '../../core/clock.js';
import type { ServiceDeps } from '../../core/deps.js';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import { fromJson } from '../../core/json.js';
import type { Db } from '../../store/store.js';
import { workspaceSecret } from '../../tracking/tokens.js';
import { TELEGRAM } from './handles.js';
import { deepLink, DEFAULT_LINK_TTL_MS, signLinkToken } from './link-token.js';

export interface ContactDeepLink {
  url: string;
  token: string;
  botUsername: string;
  expiresAt: number;
}

/** The workspace bot's username (its first `telegram_bot` provider's setting; nothing unsealed), or null when it has no bot. */
export async function botUsernameOf(db: Db, workspaceId: string): Promise<string | null> {
  const row = await db
    .selectFrom('channel_providers')
    .select('settings')
    .where('workspace_id', '=', workspaceId)
    .where('channel', '=', TELEGRAM)
    .where('kind', '=', 'telegram_bot')
    .orderBy('priority')
    .orderBy('id')
    .executeTakeFirst();
  const name = row ? fromJson<Record<string, unknown>>(row.settings).botUsername : undefined;
  return typeof name === 'string' ? name : null;
}

/**
 * `{{ telegram_link }}` for other channels' templates (an email or SMS inviting the contact to the
 * bot): the contact's deep link, or '' when the workspace has no bot. The bot's username is re-read
 * at most every `ttlMs` per workspace, so a send costs no query.
 */
export function telegramLinks(db: Db, clock: Clock, ttlMs = 10_000): (workspaceId: string, secret: string, contactId: string) => Promise<string> {
  const bots = new Map<string, { at: number; name: Promise<string | null> }>();
  return async (workspaceId, secret, contactId) => {
    const now = clock.now();
    let held = bots.get(workspaceId);
    if (!held || Math.abs(now - held.at) > ttlMs) {
      held = { at: now, name: botUsernameOf(db, workspaceId) };
      bots.set(workspaceId, held);
    }
    const bot = await held.name;
    const token = bot ? signLinkToken(secret, workspaceId, contactId, now) : null;
    return bot && token ? deepLink(bot, token) : '';
  };
}

export async function contactDeepLink(deps: ServiceDeps, workspaceId: string, contactId: string, ttlMs = DEFAULT_LINK_TTL_MS): Promise<ContactDeepLink> {
  const contact = await deps.store.db.selectFrom('contacts').select('id').where('workspace_id', '=', workspaceId).where('id', '=', contactId).where('erased_at', 'is', null).executeTakeFirst();
  if (!contact) throw new NotFoundError('contact', contactId);
  const botUsername = await botUsernameOf(deps.store.db, workspaceId);
  if (!botUsername) throw new ConflictError('the workspace has no Telegram bot: add a telegram_bot provider (POST /api/channels/telegram/providers)');
  const now = deps.clock.now();
  const token = signLinkToken(await workspaceSecret(deps.store, workspaceId), workspaceId, contactId, now, ttlMs);
  if (!token) throw new ConflictError(`contact id "${contactId}" cannot be written in a Telegram deep link (64 characters of A-Z, a-z, 0-9, _ and -)`);
  return { url: deepLink(botUsername, token), token, botUsername, expiresAt: now + ttlMs };
}
