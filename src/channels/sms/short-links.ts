/**
 * @module Short tracked links of SMS (`<publicUrl>/s/TOKEN`): every URL a rendered SMS carries is
 * replaced by a short one that records the click and redirects (src/tracking/tracking.routes.ts).
 * A long tracked URL costs segments; these cost 11 characters after the host.
 *
 * TOKEN = 8 random base62 characters + 3 of an HMAC-SHA256 of them under the workspace's tracking
 * secret: a guessed or altered token fails the signature before any lookup counts it, and the row
 * (`short_links`) names the message and the link's index, never the URL itself (the URL is the
 * message's own `links[index]`, as for email clicks).
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Db } from '../../store/store.js';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY = 8;
const SIG = 3;
const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]}»،؛؟]/giu;

/** The first `length` base62 characters of `bytes` (bytes ≥ 248 skipped, so each character is uniform). */
function base62(bytes: Uint8Array, length: number): string {
  let out = '';
  for (const b of bytes) {
    if (out.length === length) break;
    if (b < 248) out += ALPHABET[b % 62];
  }
  return out;
}

function signature(secret: string, body: string): string {
  return base62(createHmac('sha256', secret).update(`short:${body}`).digest(), SIG);
}

export function newShortToken(secret: string): string {
  let body = '';
  while (body.length < BODY) body += base62(randomBytes(BODY * 2), BODY - body.length);
  return body + signature(secret, body);
}

/** True when the token's signature matches (checked before the token is trusted). */
export function shortTokenValid(secret: string, token: string): boolean {
  if (!/^[0-9A-Za-z]{11}$/.test(token)) return false;
  return signature(secret, token.slice(0, BODY)) === token.slice(BODY);
}

/** The URLs a text carries, in order of appearance (each distinct URL once). */
export function urlsIn(text: string): string[] {
  return [...new Set(text.match(URL_IN_TEXT) ?? [])];
}

/**
 * Replaces every URL of `text` with a short link of message `messageId` and records the tokens.
 * Returns the new text and the original URLs by index (the message's `links`).
 */
export async function shortenLinks(
  db: Db,
  input: { workspaceId: string; messageId: string; text: string; publicUrl: string; secret: string; now: number },
): Promise<{ text: string; links: string[] }> {
  const links = urlsIn(input.text);
  if (links.length === 0) return { text: input.text, links };
  // A retry of the same message reuses its tokens: the SMS it resends is the same text.
  const before = await db.selectFrom('short_links').select(['token', 'link_index']).where('message_id', '=', input.messageId).execute();
  const tokens = new Map(before.map((r) => [Number(r.link_index), r.token]));
  const fresh = links.flatMap((_, index) => (tokens.has(index) ? [] : [{ index, token: newShortToken(input.secret) }]));
  if (fresh.length > 0) {
    await db
      .insertInto('short_links')
      .values(fresh.map((f) => ({ token: f.token, workspace_id: input.workspaceId, message_id: input.messageId, link_index: f.index, created_at: input.now })))
      .execute();
    for (const f of fresh) tokens.set(f.index, f.token);
  }
  const base = input.publicUrl.replace(/\/+$/, '');
  const text = input.text.replace(URL_IN_TEXT, (url) => `${base}/s/${tokens.get(links.indexOf(url))}`);
  return { text, links };
}

/** The message and link index a short token names, or null (unknown token). */
export async function resolveShortToken(db: Db, token: string): Promise<{ workspaceId: string; messageId: string; linkIndex: number } | null> {
  const row = await db.selectFrom('short_links').select(['workspace_id', 'message_id', 'link_index']).where('token', '=', token).executeTakeFirst();
  return row ? { workspaceId: row.workspace_id, messageId: row.message_id, linkIndex: Number(row.link_index) } : null;
}
