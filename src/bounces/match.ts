/**
 * @module Which message a bounce, complaint or provider event is about. The VERP address names our
 * message record directly and is tried first; otherwise the original Message-ID (deterministic per
 * delivery, see ./signed-ids.ts) or the provider's own id is looked up (both indexed in
 * migrations/000007.sql). Ids are only trusted within a workspace when the caller is one (webhooks).
 *
 * A report on the bounce mailbox comes from anyone who can reach the port, so a VERP id or a
 * Message-ID counts only with a valid signature under the message's workspace secret
 * (./signed-ids.ts). Unsigned names (messages sent before signing, or made up) are refused like
 * forged ones: the report then changes nothing.
 */
import { findMessage, type Message } from '../messages/records.js';
import type { Db, Store } from '../store/store.js';
import { workspaceSecret } from '../tracking/tokens.js';
import type { MessageRefs } from './report.js';
import { messageIdSignatureValid, verpSignatureValid } from './signed-ids.js';

function bracketed(id: string): string[] {
  const bare = id.trim().replace(/^<(.*)>$/, '$1');
  return [`<${bare}>`, bare];
}

/** Why a report found no message: nothing named, or names without a valid signature. */
export type ReportMatch = { message: Message } | { message: null; refused: 'unknown' | 'unsigned' | 'bad signature' };

/**
 * The message a report names (VERP first, then the returned Message-ID), across workspaces, when
 * the name carries its workspace's signature. `secrets` caches workspace secrets for the process.
 */
export async function findReportedMessage(store: Store, refs: MessageRefs, secrets?: Map<string, string>): Promise<ReportMatch> {
  let refused: 'unknown' | 'unsigned' | 'bad signature' = 'unknown';
  const worse = (r: 'unsigned' | 'bad signature') => (refused = refused === 'bad signature' ? refused : r);
  // At most a few names per report (report.ts dedupes them); each costs one indexed lookup.
  for (const ref of refs.verp.slice(0, 8)) {
    const m = await findMessage(store.db, ref.messageId);
    if (!m) continue;
    if (ref.signature === null) {
      worse('unsigned');
      continue;
    }
    if (verpSignatureValid(await workspaceSecret(store, m.workspaceId, secrets), m.id, ref.signature)) return { message: m };
    worse('bad signature');
  }
  for (const mid of refs.messageIds.slice(0, 8)) {
    const row = await store.db.selectFrom('messages').select('id').where('header_message_id', 'in', bracketed(mid)).orderBy('id', 'desc').executeTakeFirst();
    const m = row ? await findMessage(store.db, row.id) : undefined;
    if (!m || !m.headerMessageId) continue;
    if (messageIdSignatureValid(await workspaceSecret(store, m.workspaceId, secrets), m.headerMessageId)) return { message: m };
    worse(/\.[0-9a-f]{20}@/i.test(m.headerMessageId) ? 'bad signature' : 'unsigned');
  }
  return { message: null, refused };
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
  const mine = rows
    .filter((r) => r.workspace_id === workspaceId)
    .map((r) => r.id)
    .sort();
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
