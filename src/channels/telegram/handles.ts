/**
 * @module Contacts' Telegram chat ids (`channel_handles`, channel `telegram`): written when a
 * contact links through a deep link (./link.ts), read when a message is delivered. Reads of a batch
 * are coalesced: the pipeline delivers a batch's messages at once, and every lookup asked in the
 * same turn of the event loop goes in one query.
 */
import type { Db } from '../../store/store.js';

export const TELEGRAM = 'telegram';

export interface ChatHandle {
  chatId: string;
  providerId: string;
}

/** The chat of each contact asked (null when it has not linked), one query per turn of the event loop. */
export function handleLoader(db: Db): (workspaceId: string, contactId: string) => Promise<ChatHandle | null> {
  let queue: { workspaceId: string; contactId: string; resolve: (h: ChatHandle | null) => void; reject: (e: unknown) => void }[] = [];
  function flush(): void {
    const asks = queue;
    queue = [];
    for (const workspaceId of new Set(asks.map((a) => a.workspaceId))) {
      const group = asks.filter((a) => a.workspaceId === workspaceId);
      db.selectFrom('channel_handles')
        .select(['contact_id', 'handle', 'provider_id'])
        .where('workspace_id', '=', workspaceId)
        .where('channel', '=', TELEGRAM)
        .where('contact_id', 'in', [...new Set(group.map((a) => a.contactId))])
        .execute()
        .then(
          (rows) => {
            const byContact = new Map(rows.map((r) => [r.contact_id, { chatId: r.handle, providerId: r.provider_id }]));
            for (const a of group) a.resolve(byContact.get(a.contactId) ?? null);
          },
          (err: unknown) => group.forEach((a) => a.reject(err)),
        );
    }
  }
  return (workspaceId, contactId) =>
    new Promise((resolve, reject) => {
      if (queue.length === 0) setImmediate(flush);
      queue.push({ workspaceId, contactId, resolve, reject });
    });
}

/** The contact linked to `chatId` in the workspace, if any. */
export async function contactOfChat(db: Db, workspaceId: string, chatId: string): Promise<string | null> {
  const row = await db.selectFrom('channel_handles').select('contact_id').where('workspace_id', '=', workspaceId).where('channel', '=', TELEGRAM).where('handle', '=', chatId).executeTakeFirst();
  return row?.contact_id ?? null;
}
