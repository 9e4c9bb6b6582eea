/**
 * @module Signed tokens for tracking and unsubscribe links. A token names a message record and, for a
 * click, a link index; it never carries a URL, so a click can only lead to a link the message really
 * contained (no open redirect). The signature is HMAC-SHA256 over `purpose:body` with the workspace's
 * secret (`workspaces.settings.trackingSecret`, generated on first use and never returned), cut to
 * 80 bits and written in lower-case base32.
 *
 * Why not base64url(JSON): the unsubscribe token also goes into `mailto:unsubscribe+TOKEN@domain`,
 * whose local part may be at most 64 octets (RFC 5321 4.5.3.1.1) and may be lower-cased by MTAs. So
 * a token is `<message id body>[-<link index>].<signature>`, e.g. `01kb…7q-3.h2k…9x` (≤ 52 chars).
 * Tokens do not expire: unsubscribe links must keep working at least 30 days (docs/standards.md §14).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { newSecret } from '../core/ids.js';
import { fromJson, toJson, type JsonObject } from '../core/json.js';
import type { Store } from '../store/store.js';

export type TokenPurpose = 'click' | 'open' | 'unsubscribe' | 'preferences';

export interface TokenTarget {
  messageId: string;
  /** Click tokens only: index into the message's stored link list. */
  linkIndex?: number;
}

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31]!;
      bits -= 5;
    }
  }
  return out;
}

function signature(secret: string, purpose: TokenPurpose, body: string): string {
  return base32(createHmac('sha256', secret).update(`${purpose}:${body}`).digest().subarray(0, 10));
}

function bodyOf(target: TokenTarget): string {
  if (!target.messageId.startsWith('msg_')) throw new Error(`not a message id: ${target.messageId}`);
  const id = target.messageId.slice(4);
  return target.linkIndex === undefined ? id : `${id}-${target.linkIndex}`;
}

export function signToken(secret: string, purpose: TokenPurpose, target: TokenTarget): string {
  const body = bodyOf(target);
  return `${body}.${signature(secret, purpose, body)}`;
}

/** Splits a token without checking it: which message it claims to name (to find the workspace). */
export function parseToken(token: string): (TokenTarget & { body: string; sig: string }) | null {
  const m = /^([0-9a-z]{26})(?:-(\d{1,4}))?\.([0-9a-z]{16})$/.exec(token.toLowerCase());
  if (!m) return null;
  const body = m[2] === undefined ? m[1]! : `${m[1]}-${m[2]}`;
  return { messageId: `msg_${m[1]}`, ...(m[2] === undefined ? {} : { linkIndex: Number(m[2]) }), body, sig: m[3]! };
}

/** True when `token` was signed with `secret` for `purpose` (constant-time comparison). */
export function tokenValid(secret: string, purpose: TokenPurpose, parsed: { body: string; sig: string }): boolean {
  const expected = Buffer.from(signature(secret, purpose, parsed.body));
  const given = Buffer.from(parsed.sig);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * The workspace's signing secret, created on first use. Concurrent first uses converge: the write
 * only fills an absent secret, and everyone re-reads the stored one. Secrets never change, so a
 * process may cache them (the `cache` map).
 */
export async function workspaceSecret(store: Store, workspaceId: string, cache?: Map<string, string>): Promise<string> {
  const cached = cache?.get(workspaceId);
  if (cached) return cached;
  const secret = await store.transaction(async (trx) => {
    const row = await store.adapter.lockRows(trx.selectFrom('workspaces').select('settings').where('id', '=', workspaceId)).executeTakeFirst();
    if (!row) throw new Error(`workspace ${workspaceId} not found`);
    const settings = fromJson<JsonObject>(row.settings) ?? {};
    if (typeof settings.trackingSecret === 'string') return settings.trackingSecret;
    const fresh = newSecret(32);
    await trx
      .updateTable('workspaces')
      .set({ settings: toJson({ ...settings, trackingSecret: fresh }) })
      .where('id', '=', workspaceId)
      .execute();
    return fresh;
  });
  cache?.set(workspaceId, secret);
  return secret;
}

/** Keeps the tracking secret out of anything that shows workspace settings. */
export function withoutSecrets(settings: JsonObject): JsonObject {
  const { trackingSecret: _hidden, ...rest } = settings;
  return rest;
}
