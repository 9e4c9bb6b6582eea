/**
 * @module A contact's Telegram deep link (`https://t.me/<bot>?start=<token>`, ./link-token.ts): for
 * the API (`GET /api/contacts/:id/telegram-link`, a QR code or a thank-you page) and for templates
 * (`{{ telegram_link }}`). The bot is the workspace's first `telegram_bot` provider.
 */
import type { ServiceDeps } from '../../core/deps.js';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import type { SealingDeps } from '../../secrets/secret-box.js';
import { workspaceSecret } from '../../tracking/tokens.js';
import { listProviders } from '../providers/providers.js';
import { TELEGRAM } from './handles.js';
import { deepLink, DEFAULT_LINK_TTL_MS, signLinkToken } from './link-token.js';

export interface ContactDeepLink {
  url: string;
  token: string;
  botUsername: string;
  expiresAt: number;
}

/** The workspace bot's username, or null when it has no Telegram bot. */
export async function botUsernameOf(deps: ServiceDeps & SealingDeps, workspaceId: string): Promise<string | null> {
  const p = (await listProviders(deps.store.db, deps.secretBox, workspaceId, TELEGRAM)).find((x) => x.kind === 'telegram_bot');
  return p && typeof p.settings.botUsername === 'string' ? p.settings.botUsername : null;
}

export async function contactDeepLink(deps: ServiceDeps & SealingDeps, workspaceId: string, contactId: string, ttlMs = DEFAULT_LINK_TTL_MS): Promise<ContactDeepLink> {
  const contact = await deps.store.db.selectFrom('contacts').select('id').where('workspace_id', '=', workspaceId).where('id', '=', contactId).where('erased_at', 'is', null).executeTakeFirst();
  if (!contact) throw new NotFoundError('contact', contactId);
  const botUsername = await botUsernameOf(deps, workspaceId);
  if (!botUsername) throw new ConflictError('the workspace has no Telegram bot: add a telegram_bot provider (POST /api/channels/telegram/providers)');
  const now = deps.clock.now();
  const token = signLinkToken(await workspaceSecret(deps.store, workspaceId), workspaceId, contactId, now, ttlMs);
  if (!token) throw new ConflictError(`contact id "${contactId}" cannot be written in a Telegram deep link (64 characters of A-Z, a-z, 0-9, _ and -)`);
  return { url: deepLink(botUsername, token), token, botUsername, expiresAt: now + ttlMs };
}
