/**
 * @module The HTML document Chromium prints for a batch of pieces of one format: print CSS (`@page`
 * size and margins, bleed), the embedded fonts, a Content-Security-Policy that lets a piece load
 * only images (http, https, data) and no script, frame or local file, and each piece in its own
 * `<section>` starting on a new page. The recipient's address is placed by the format
 * (./formats.ts), not by the template, so every piece fits the envelope's window.
 *
 * Each piece's first page carries an invisible link to `https://qatra-piece.invalid/<index>`:
 * Chromium turns it into a link annotation on exactly the page where the piece starts, which is how
 * ./split.ts cuts the batch's PDF back into pieces (a letter may run to several pages).
 */
import { FORMAT_SPECS, pageSize, type MailFormat } from './formats.js';
import type { FontSet } from './fonts.js';

export const MARKER_PREFIX = 'https://qatra-piece.invalid/';

export interface PieceSource {
  /** The caller's id for the piece (a message id, `preview`). */
  id: string;
  format: MailFormat;
  /** BCP 47 language and direction of the piece's text. */
  lang: string;
  dir: 'ltr' | 'rtl';
  /** A letter's body (HTML fragment, Liquid already rendered). */
  html?: string;
  /** A postcard's two sides (HTML fragments). */
  front?: string;
  back?: string;
  /** The recipient's address lines as printed (src/contacts/postal-address-format.ts). */
  address: readonly string[];
  /** The sender's return address, one short line or a few. */
  returnAddress?: readonly string[];
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const mm = (n: number) => `${Math.round(n * 100) / 100}mm`;

/**
 * An address line as HTML: each token with a digit (a postcode, a house number) isolated left to
 * right. Without it, in a right-to-left line the Unicode bidi algorithm turns «الرياض 12643-2121»
 * into «2121-12643»: digits after Arabic letters are Arabic numbers, and a hyphen does not join two
 * of those (UAX #9, W2 and W4), so the postman would read the parts swapped.
 */
function addressLine(line: string): string {
  return line
    .split(/( +)/)
    .map((token) => (/\p{Nd}/u.test(token) ? `<span dir="ltr">${esc(token)}</span>` : esc(token)))
    .join('');
}

function addressBlock(cls: string, lines: readonly string[] | undefined, left: number, top: number, width: number, height: number): string {
  if (!lines || lines.length === 0) return '';
  const style = `left:${mm(left)};top:${mm(top)};width:${mm(width)};height:${mm(height)}`;
  return `<div class="${cls}" dir="ltr" style="${style}">${lines.map((l) => `<div dir="auto">${addressLine(l)}</div>`).join('')}</div>`;
}

function letter(piece: PieceSource, index: number): string {
  const s = FORMAT_SPECS[piece.format];
  const [top, , , left] = s.margin;
  // Positions are from the trim's corner; inside the page box they are offset by the margins.
  const ret = addressBlock('qatra-return', piece.returnAddress, s.returnAddress.left - left, s.returnAddress.top - top, s.returnAddress.width, s.returnAddress.height);
  const to = addressBlock('qatra-address', piece.address, s.address.left - left, s.address.top - top, s.address.width, s.address.height);
  return `<section class="qatra-piece" lang="${esc(piece.lang)}" dir="${piece.dir}"><a class="qatra-mark" href="${MARKER_PREFIX}${index}">.</a><div class="qatra-head" style="height:${mm(s.bodyTop - top)}">${ret}${to}</div><div class="qatra-body">${piece.html ?? ''}</div></section>`;
}

function postcard(piece: PieceSource, index: number): string {
  const s = FORMAT_SPECS[piece.format];
  const ret = addressBlock('qatra-return', piece.returnAddress, s.bleed + s.returnAddress.left, s.bleed + s.returnAddress.top, s.returnAddress.width, s.returnAddress.height);
  const to = addressBlock('qatra-address', piece.address, s.bleed + s.address.left, s.bleed + s.address.top, s.address.width, s.address.height);
  return `<section class="qatra-piece" lang="${esc(piece.lang)}" dir="${piece.dir}"><div class="qatra-side qatra-front"><a class="qatra-mark" href="${MARKER_PREFIX}${index}">.</a>${piece.front ?? ''}</div><div class="qatra-side qatra-back">${piece.back ?? ''}${ret}${to}</div></section>`;
}

/** The whole document for `pieces`, all of `format`. */
export function batchDocument(format: MailFormat, pieces: readonly PieceSource[], fonts: FontSet): string {
  const s = FORMAT_SPECS[format];
  const page = pageSize(format);
  const [t, r, b, l] = s.margin;
  const css = `${fonts.css}
@page{size:${mm(page.width)} ${mm(page.height)};margin:${mm(t)} ${mm(r)} ${mm(b)} ${mm(l)}}
:root{--mail-font:'${fonts.family}';--bleed:${mm(s.bleed)};--trim-width:${mm(s.width)};--trim-height:${mm(s.height)}}
html,body{margin:0;padding:0}
body{font-family:'${fonts.family}';font-size:11pt;line-height:1.45;color:#000;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.qatra-piece{position:relative;break-before:page}
.qatra-piece:first-child{break-before:auto}
.qatra-mark{position:absolute;top:0;left:0;width:1mm;height:1mm;display:block;overflow:hidden;color:transparent;font-size:1px;text-decoration:none;z-index:-1}
.qatra-head{position:relative}
.qatra-address,.qatra-return{position:absolute;overflow:hidden;font-family:'${fonts.family}';line-height:1.25;text-align:left}
.qatra-address{font-size:10pt}
.qatra-return{font-size:7pt;display:flex;flex-direction:column;justify-content:flex-end}
.qatra-return div{display:inline}
.qatra-side{position:relative;width:${mm(page.width)};height:${mm(page.height)};overflow:hidden;break-after:page}
.qatra-piece:last-child .qatra-back{break-after:auto}
img{max-width:100%}`;
  const body = pieces.map((p, i) => (s.kind === 'letter' ? letter(p, i) : postcard(p, i))).join('\n');
  const csp = "default-src 'none'; img-src data: http: https:; font-src data:; style-src 'unsafe-inline'";
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><style>${css}</style></head><body>${body}</body></html>`;
}
