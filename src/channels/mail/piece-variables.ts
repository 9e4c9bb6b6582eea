/**
 * @module The variables a mail template prints for its piece (h14's templates, docs/mail.md
 * "Response"): `url` (the personal URL, `<publicUrl>/m/TOKEN`), `qr_svg` (that URL as a QR code, an
 * SVG string to place on the page as it is; error correction M survives a smudge of ~15%) and
 * `promo_code` (or null).
 */
import QRCode from 'qrcode';
import type { PieceIdentity } from './piece-identity.js';

export interface PieceVariables {
  url: string;
  qr_svg: string;
  promo_code: string | null;
}

export function pieceUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/m/${token}`;
}

export async function pieceVariables(piece: Pick<PieceIdentity, 'token' | 'promoCode'>, publicUrl: string): Promise<PieceVariables> {
  const url = pieceUrl(publicUrl, piece.token);
  const qr_svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 0 });
  return { url, qr_svg, promo_code: piece.promoCode };
}
