/**
 * @module The two names a bounce or complaint report uses for our message, signed so that nobody
 * without the workspace's secret can make one up:
 *  - the VERP return path `bounces+<messageId>.<sig>@<returnPathDomain>`;
 *  - the Message-ID `<<key hash>.<sig>@<from domain>>`, the key hash being derived from the
 *    workspace and the delivery's idempotency key (a retry of the same delivery has the same id).
 *
 * Message ids are visible in every tracked link and the key hash is computable from a caller-chosen
 * idempotency key, so without the signature anyone reaching the bounce port could suppress any
 * contact. The signature is HMAC-SHA256 with the workspace's signing secret (the one tracking and
 * unsubscribe tokens use, `workspaces.settings.trackingSecret`), over a purpose prefix (`verp:` or
 * `message-id:`) so one signature is never valid as another, cut to 80 bits and written in lower-case
 * hex: MTAs may case-fold local parts, and `bounces+msg_<26>.<20>` is 59 octets, under the 64 a local
 * part may have (RFC 5321 4.5.3.1.1). Checked in constant time.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const SIG_HEX = 20;

function sign(secret: string, purpose: 'verp' | 'message-id', body: string): string {
  return createHmac('sha256', secret).update(`${purpose}:${body}`).digest('hex').slice(0, SIG_HEX);
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The VERP envelope sender of a message: `bounces+msg_….<sig>@domain`. */
export function verpAddress(secret: string, messageId: string, domain: string): string {
  return `bounces+${messageId}.${sign(secret, 'verp', messageId)}@${domain}`;
}

/** True when `signature` is the VERP signature of `messageId` under `secret`. */
export function verpSignatureValid(secret: string, messageId: string, signature: string): boolean {
  return same(sign(secret, 'verp', messageId.toLowerCase()), signature.toLowerCase());
}

/** The Message-ID of a delivery, `<hash.sig@domain>`, the same for every attempt of it. */
export function signedMessageId(secret: string, workspaceId: string, idempotencyKey: string, domain: string): string {
  const hash = createHash('sha256').update(`${workspaceId}\n${idempotencyKey}`).digest('hex').slice(0, 32);
  return `<${hash}.${sign(secret, 'message-id', hash)}@${domain}>`;
}

const MESSAGE_ID = /^<?([0-9a-f]{32})\.([0-9a-f]{20})@[^<>@\s]+>?$/i;

/** True when `headerValue` (a Message-ID, with or without brackets) carries a valid signature. */
export function messageIdSignatureValid(secret: string, headerValue: string): boolean {
  const m = MESSAGE_ID.exec(headerValue.trim());
  if (!m) return false;
  return same(sign(secret, 'message-id', m[1]!.toLowerCase()), m[2]!.toLowerCase());
}
