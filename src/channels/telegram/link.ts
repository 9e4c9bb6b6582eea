/**
 * @module What a bot's webhook does with an update (docs/telegram.md), all of it in ONE transaction
 * with the update's id, so a redelivered update (same `update_id`) changes nothing twice and a
 * refused one changes nothing but being marked seen:
 *
 *  - `/start <token>` in a private chat: the signed deep-link token (./link-token.ts) names the
 *    contact; its chat id is stored (`channel_handles`) and `telegram` consent recorded
 *    (`subscribed`, source `telegram_start`). Refused: a malformed, tampered or expired token, a
 *    token already used by another chat, a chat already linked to another contact, an erased or
 *    unknown contact.
 *  - `/stop`: the linked contact's `telegram` consent is withdrawn at once (source `telegram_stop`).
 *  - anything else: ignored.
 */
import type { ServiceDeps } from '../../core/deps.js';
import { setConsent } from '../../consent/consent.js';
import type { Db } from '../../store/store.js';
import { TELEGRAM } from './handles.js';
import { verifyLinkToken } from './link-token.js';

/** The parts of a Telegram `Update` used here (https://core.telegram.org/bots/api#update). */
export interface TelegramUpdate {
  update_id: number;
  message?: { chat?: { id?: number | string; type?: string }; text?: string; from?: { language_code?: string } } | undefined;
}

export type UpdateOutcome =
  | { kind: 'duplicate' }
  | { kind: 'ignored' }
  | { kind: 'linked'; contactId: string; chatId: string }
  | { kind: 'refused'; reason: string }
  | { kind: 'stopped'; contactId: string }
  | { kind: 'unknown_chat' };

const COMMAND = /^\/(start|stop)(?:@[A-Za-z0-9_]+)?(?:\s+(\S+))?\s*$/;

export async function handleUpdate(deps: ServiceDeps, input: { workspaceId: string; providerId: string; secret: string; update: TelegramUpdate }): Promise<UpdateOutcome> {
  const { workspaceId, providerId, secret, update } = input;
  const now = deps.clock.now();
  return deps.store.transaction(async (trx) => {
    const seen = await trx
      .insertInto('telegram_updates')
      .values({ workspace_id: workspaceId, provider_id: providerId, update_id: update.update_id, received_at: now })
      .onConflict((oc) => oc.columns(['workspace_id', 'provider_id', 'update_id']).doNothing())
      .returning('update_id')
      .executeTakeFirst();
    if (!seen) return { kind: 'duplicate' };
    const chat = update.message?.chat;
    const command = COMMAND.exec(update.message?.text?.trim() ?? '');
    if (!command || chat?.id === undefined || chat.type !== 'private') return { kind: 'ignored' };
    const chatId = String(chat.id);
    if (command[1] === 'stop') return stop(deps, trx, workspaceId, chatId);
    if (command[2] === undefined) return { kind: 'ignored' };
    return link(deps, trx, { workspaceId, providerId, secret, chatId, token: command[2], now });
  });
}

async function stop(deps: ServiceDeps, trx: Db, workspaceId: string, chatId: string): Promise<UpdateOutcome> {
  const row = await trx.selectFrom('channel_handles').select('contact_id').where('workspace_id', '=', workspaceId).where('channel', '=', TELEGRAM).where('handle', '=', chatId).executeTakeFirst();
  if (!row) return { kind: 'unknown_chat' };
  await setConsent(deps, workspaceId, row.contact_id, { channel: TELEGRAM, topic: '', status: 'unsubscribed', source: 'telegram_stop' }, trx);
  return { kind: 'stopped', contactId: row.contact_id };
}

async function link(deps: ServiceDeps, trx: Db, input: { workspaceId: string; providerId: string; secret: string; chatId: string; token: string; now: number }): Promise<UpdateOutcome> {
  const { workspaceId, chatId, now } = input;
  const checked = verifyLinkToken(input.secret, workspaceId, input.token, now);
  if (!checked.ok) return { kind: 'refused', reason: `token ${checked.reason}` };
  const { contactId, signature } = checked;
  const contact = await trx.selectFrom('contacts').select('id').where('workspace_id', '=', workspaceId).where('id', '=', contactId).where('erased_at', 'is', null).executeTakeFirst();
  if (!contact) return { kind: 'refused', reason: 'no such contact' };
  // The first chat to use a token owns it (insert first: two chats racing on one token both reach
  // this row, and the loser reads the winner's chat).
  await trx
    .insertInto('telegram_link_uses')
    .values({ workspace_id: workspaceId, signature, contact_id: contactId, chat_id: chatId, used_at: now })
    .onConflict((oc) => oc.columns(['workspace_id', 'signature']).doNothing())
    .execute();
  const use = await trx.selectFrom('telegram_link_uses').select('chat_id').where('workspace_id', '=', workspaceId).where('signature', '=', signature).executeTakeFirstOrThrow();
  if (use.chat_id !== chatId) return { kind: 'refused', reason: 'token already used by another chat' };
  const owner = await trx.selectFrom('channel_handles').select('contact_id').where('workspace_id', '=', workspaceId).where('channel', '=', TELEGRAM).where('handle', '=', chatId).executeTakeFirst();
  if (owner && owner.contact_id !== contactId) return { kind: 'refused', reason: 'chat already linked to another contact' };
  await trx
    .insertInto('channel_handles')
    .values({ workspace_id: workspaceId, channel: TELEGRAM, contact_id: contactId, handle: chatId, provider_id: input.providerId, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(['workspace_id', 'channel', 'contact_id']).doUpdateSet({ handle: chatId, provider_id: input.providerId, updated_at: now }))
    .execute();
  await setConsent(deps, workspaceId, contactId, { channel: TELEGRAM, topic: '', status: 'subscribed', source: 'telegram_start' }, trx);
  return { kind: 'linked', contactId, chatId };
}
