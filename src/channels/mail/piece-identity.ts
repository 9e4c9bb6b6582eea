/**
 * @module What makes a piece measurable (docs/mail.md "Response"), chosen before its PDF is
 * rendered because the page prints it: the piece id, its personal URL token and its optional
 * personal promo code.
 *
 *  - The token is an SMS short-link token (../sms/short-links.ts: 8 random base62 characters and 3
 *    of an HMAC under the workspace's tracking secret), so a guessed or altered pURL fails its
 *    signature before any lookup; the row it names is the piece (`mail_pieces.token`).
 *  - The promo code is the workspace's prefix, a dash and 8 characters of Crockford's base32 (no
 *    I, L, O, U: nothing a reader confuses when typing it from paper), unique per workspace by index.
 */
import { randomBytes } from 'node:crypto';
import { newId } from '../../core/ids.js';
import { newShortToken } from '../sms/short-links.js';

export interface PieceIdentity {
  id: string;
  token: string;
  promoCode: string | null;
}

/** The personal URL a piece prints (as a link and a QR code): `<publicUrl>/m/<token>`. */
export function pieceUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/m/${token}`;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function newPromoCode(prefix: string): string {
  let code = '';
  for (const b of randomBytes(8)) code += CROCKFORD[b & 31];
  return `${prefix}-${code}`;
}

/** A promo prefix: 1 to 12 letters or digits (printed on paper, typed back at a till or a form). */
export const PROMO_PREFIX = /^[A-Z0-9]{1,12}$/;

export function newPieceIdentity(input: { trackingSecret: string; promoPrefix?: string | null | undefined; now: number }): PieceIdentity {
  return { id: newId('mp', input.now), token: newShortToken(input.trackingSecret), promoCode: input.promoPrefix ? newPromoCode(input.promoPrefix) : null };
}
