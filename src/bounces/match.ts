/**
 * @module Which message a bounce, complaint or provider event is about. The VERP address names our
 * message record directly and is tried first; otherwise the original Message-ID (deterministic per
 * delivery, see channels/email/headers.ts) or the provider's own id is looked up (both indexed in
 * migrations/000007.sql). Ids are only trusted within a workspace when the caller is one (webhooks).
 */
import { findMessage, type Message } from '../messages/records.js';
import type { Db } from '../store/store.js';
import type { MessageRefs } from './report.js';

function bracketed(id: string): string[] {
  const bare = id.trim().replace(/^<(.*)>$/, '$1');
  return [`<${bare}>`, bare];
}

/** The message a report names (VERP first, then the returned Message-ID), across workspaces. */
export async function findReportedMessage(db: Db, refs: MessageRefs): Promise<Message | undefined> {
  for (const id of refs.verpIds) {
    const m = await findMessage(db, id);
    if (m) return m;
  }
  for (const mid of refs.messageIds) {
    const row = await db.selectFrom('messages').select('id').where('header_message_id', 'in', bracketed(mid)).orderBy('id', 'desc').executeTakeFirst();
    if (row) return findMessage(db, row.id);
  }
  return undefined;
}

/** A workspace's message by our id, or by the provider's id / Message-ID header. */
export async function findWorkspaceMessage(db: Db, workspaceId: string, ref: { messageId?: string | undefined; providerMessageId?: string | undefined }): Promise<Message | undefined> {
  if (ref.messageId) {
    const m = await findMessage(db, ref.messageId);
    return m && m.workspaceId === workspaceId ? m : undefined;
  }
  if (!ref.providerMessageId) return undefined;
  // Each id column is probed through its own index, and the workspace is checked on the few rows
  // found: with `workspace_id = ? AND (a IN … OR b IN …) ORDER BY id` SQLite walked the workspace's
  // index (messages_workspace), every message of the workspace, for each provider event.
  const ids = bracketed(ref.providerMessageId);
  const rows = await workspaceMessageQuery(db, ids).execute();
  const mine = rows.filter((r) => r.workspace_id === workspaceId).map((r) => r.id).sort();
  return mine.length > 0 ? findMessage(db, mine[mine.length - 1]!) : undefined;
}

/** Messages whose provider id or Message-ID header is one of `ids` (its plan is tested). */
export function workspaceMessageQuery(db: Db, ids: readonly string[]) {
  return db
    .selectFrom('messages')
    .select(['id', 'workspace_id'])
    .where('provider_message_id', 'in', ids)
    .unionAll(db.selectFrom('messages').select(['id', 'workspace_id']).where('header_message_id', 'in', ids));
}
