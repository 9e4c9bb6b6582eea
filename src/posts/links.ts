/**
 * @module Tracked links of posts: `<publicUrl>/sp/TOKEN`, redirecting to the link with its UTM
 * parameters and counting the click. The tokens are the signed short tokens of SMS links
 * (src/channels/sms/short-links.ts, under the workspace's tracking secret of src/tracking/tokens.ts),
 * so a guessed or altered token is refused before any row is read; the row keeps the target URL,
 * which only an admin wrote (post texts see no contact data).
 */
import { sql } from 'kysely';
import type { Db, Store } from '../store/store.js';
import { newShortToken, shortTokenValid } from '../channels/sms/short-links.js';
import { workspaceSecret } from '../tracking/tokens.js';

export function trackedUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/sp/${token}`;
}

/**
 * The tokens of a post's links (targets with their UTM parameters, by index): kept when a target is
 * unchanged (a link already shared keeps counting), new ones for the rest, stale ones dropped.
 */
export async function saveLinks(trx: Db, input: { workspaceId: string; postId: string; targets: readonly string[]; secret: string; now: number }): Promise<string[]> {
  const before = await trx.selectFrom('post_links').select(['token', 'link_index', 'url']).where('workspace_id', '=', input.workspaceId).where('post_id', '=', input.postId).execute();
  const keep = new Map<number, string>();
  for (const b of before) if (input.targets[Number(b.link_index)] === b.url) keep.set(Number(b.link_index), b.token);
  const stale = before.filter((b) => keep.get(Number(b.link_index)) !== b.token).map((b) => b.token);
  if (stale.length > 0) await trx.deleteFrom('post_links').where('token', 'in', stale).execute();
  const fresh = input.targets.flatMap((url, index) =>
    keep.has(index) ? [] : [{ token: newShortToken(input.secret), workspace_id: input.workspaceId, post_id: input.postId, link_index: index, url, created_at: input.now }],
  );
  if (fresh.length > 0) await trx.insertInto('post_links').values(fresh).execute();
  for (const f of fresh) keep.set(f.link_index, f.token);
  return input.targets.map((_, i) => keep.get(i)!);
}

/** The tokens of a post's links by index. */
export async function linkTokens(db: Db, workspaceId: string, postId: string): Promise<string[]> {
  const rows = await db.selectFrom('post_links').select(['token', 'link_index']).where('workspace_id', '=', workspaceId).where('post_id', '=', postId).orderBy('link_index').execute();
  return rows.map((r) => r.token);
}

/** Counts a click and answers the target, or null for a malformed, unknown or tampered token. */
export async function clickPostLink(store: Store, token: string, secrets?: Map<string, string>): Promise<string | null> {
  if (!/^[0-9A-Za-z]{11}$/.test(token)) return null;
  const row = await store.db.selectFrom('post_links').select(['workspace_id', 'url']).where('token', '=', token).executeTakeFirst();
  if (!row) return null;
  if (!shortTokenValid(await workspaceSecret(store, row.workspace_id, secrets), token)) return null;
  await store.db
    .updateTable('post_links')
    .set({ clicks: sql`clicks + 1` })
    .where('token', '=', token)
    .execute();
  return row.url;
}
