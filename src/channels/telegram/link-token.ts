/**
 * @module Signed deep-link tokens that link a contact's Telegram chat (docs/telegram.md):
 * `https://t.me/<bot>?start=<token>`. Telegram passes the token to the bot as `/start <token>` and
 * allows at most 64 characters of `[A-Za-z0-9_-]`, so the token is
 *
 *   <contact id>-<expiry, epoch seconds in base 36>-<signature>
 *
 * where the signature is 16 base64url characters (96 bits) of HMAC-SHA256 under the workspace's
 * tracking secret (src/tracking/tokens.ts) over `telegram-link:<workspace>:<contact>:<expiry>`. The
 * workspace is not written in the token: it is in the webhook's URL, and the signature binds it, so
 * a token of one workspace fails in another. A token expires (default 30 days); it links the first
 * chat that uses it and is refused for any other (./link.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const LINK_TOKEN_MAX = 64;
export const DEFAULT_LINK_TTL_MS = 30 * 24 * 3600_000;
const CONTACT_ID = /^[A-Za-z0-9_]{1,40}$/;
const TOKEN = /^([A-Za-z0-9_]{1,40})-([0-9a-z]{1,8})-([A-Za-z0-9_-]{16})$/;

function sign(secret: string, workspaceId: string, contactId: string, expiry: string): string {
  return createHmac('sha256', secret).update(`telegram-link:${workspaceId}:${contactId}:${expiry}`).digest('base64url').slice(0, 16);
}

/** A token for `contactId`, valid until `now + ttlMs`; null when the contact id cannot be written in one. */
export function signLinkToken(secret: string, workspaceId: string, contactId: string, now: number, ttlMs = DEFAULT_LINK_TTL_MS): string | null {
  if (!CONTACT_ID.test(contactId)) return null;
  const expiry = Math.ceil((now + ttlMs) / 1000).toString(36);
  const token = `${contactId}-${expiry}-${sign(secret, workspaceId, contactId, expiry)}`;
  return token.length <= LINK_TOKEN_MAX ? token : null;
}

export type LinkTokenCheck = { ok: true; contactId: string; signature: string } | { ok: false; reason: 'malformed' | 'signature' | 'expired' };

/** Checks a token from `/start`: its form, its signature (constant time), then its expiry. */
export function verifyLinkToken(secret: string, workspaceId: string, token: string, now: number): LinkTokenCheck {
  const m = TOKEN.exec(token);
  if (!m || token.length > LINK_TOKEN_MAX) return { ok: false, reason: 'malformed' };
  const [, contactId, expiry, signature] = m as unknown as [string, string, string, string];
  const expected = Buffer.from(sign(secret, workspaceId, contactId, expiry));
  if (!timingSafeEqual(expected, Buffer.from(signature))) return { ok: false, reason: 'signature' };
  if (parseInt(expiry, 36) * 1000 <= now) return { ok: false, reason: 'expired' };
  return { ok: true, contactId, signature };
}

/** The deep link a contact opens: `https://t.me/<bot>?start=<token>`. */
export function deepLink(botUsername: string, token: string): string {
  return `https://t.me/${encodeURIComponent(botUsername)}?start=${token}`;
}
