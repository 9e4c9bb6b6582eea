/**
 * @module The click id (`qatra_cid`): a short-lived signed handle a tracked click appends to its
 * destination URL, so the first-party snippet on that page can tell Qatra which contact is browsing.
 *
 * `<messageId>.<contactId>.<expiry>.<signature>`: the expiry in epoch seconds, base 36; the signature
 * is HMAC-SHA256 over `cid:<workspaceId>:<messageId>:<contactId>:<expiry>` with the workspace's
 * tracking secret (src/tracking/tokens.ts `workspaceSecret`), cut to 128 bits, base64url. It is bound
 * to the workspace twice (the secret and the signed text), so a token of another workspace never
 * verifies under a write key of this one. It names ids only, never anything a page could change.
 * Valid for 30 minutes: long enough to land and browse, short enough that a forwarded email or a
 * shared URL stops identifying its first reader soon.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const CLICK_ID_PARAM = 'qatra_cid';
export const CLICK_ID_TTL_MS = 30 * 60_000;

export interface ClickIdClaims {
  workspaceId: string;
  messageId: string;
  contactId: string;
  /** Epoch ms; rounded up to the second when signed. */
  expiresAt: number;
}

export type ClickIdCheck = { ok: true; contactId: string; messageId: string } | { ok: false; reason: 'malformed' | 'expired' | 'forged' };

const SHAPE = /^(msg_[0-9A-Za-z]{1,40})\.(ct_[0-9A-Za-z]{1,40})\.([0-9a-z]{1,9})\.([A-Za-z0-9_-]{22})$/;

function mac(secret: string, workspaceId: string, messageId: string, contactId: string, expiry: string): string {
  return createHmac('sha256', secret).update(`cid:${workspaceId}:${messageId}:${contactId}:${expiry}`).digest().subarray(0, 16).toString('base64url');
}

export function signClickId(secret: string, claims: ClickIdClaims): string {
  const expiry = Math.ceil(claims.expiresAt / 1000).toString(36);
  return `${claims.messageId}.${claims.contactId}.${expiry}.${mac(secret, claims.workspaceId, claims.messageId, claims.contactId, expiry)}`;
}

/** Checks a presented click id against the workspace that received it, at `now` (constant-time signature comparison). */
export function verifyClickId(secret: string, workspaceId: string, token: unknown, now: number): ClickIdCheck {
  const m = typeof token === 'string' && token.length <= 160 ? SHAPE.exec(token) : null;
  if (!m) return { ok: false, reason: 'malformed' };
  const [, messageId, contactId, expiry, sig] = m as unknown as [string, string, string, string, string];
  const expected = Buffer.from(mac(secret, workspaceId, messageId, contactId, expiry));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'forged' };
  if (parseInt(expiry, 36) * 1000 <= now) return { ok: false, reason: 'expired' };
  return { ok: true, contactId, messageId };
}

/** `url` with `qatra_cid=TOKEN` added to its query (before any fragment), the rest of it byte for byte. */
export function withClickId(url: string, token: string): string {
  const hash = url.indexOf('#');
  const base = hash < 0 ? url : url.slice(0, hash);
  const fragment = hash < 0 ? '' : url.slice(hash);
  const sep = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${sep}${CLICK_ID_PARAM}=${token}${fragment}`;
}
