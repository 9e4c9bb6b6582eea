/**
 * @module Rendering a direct mail template for one piece (docs/mail.md "Templates"): Liquid over the
 * locale variant's body (a letter, or a postcard's back) and front, HTML-escaped like email, with
 * email's variables plus `piece`: `piece.url` (the personal URL), `piece.qr_image` (a QR code of it
 * as an SVG data URL, for `<img src>`), `piece.qr_svg` (the same SVG, for `{{ piece.qr_svg | raw }}`),
 * `piece.promo_code`, and `piece.address_lines`. The result is what the PDF renderer
 * (src/channels/mail/render/) prints. The delivery side fills `piece` (URL, code); previews use a
 * sample.
 */
import type { Liquid } from 'liquidjs';
import QRCode from 'qrcode';
import { ValidationError } from '../core/errors.js';
import type { PieceSource } from '../channels/mail/render/document.js';
import type { MailFormat } from '../channels/mail/render/formats.js';
import { liquidErrorPosition } from './engine.js';
import { TemplateRenderError } from './issues.js';
import { directionOf, resolveVariant } from './locale.js';
import { renderPart } from './render-parts.js';
import type { TemplateContent } from './template.js';

export interface MailPiece {
  /** The personal URL the QR code encodes. */
  url: string;
  promoCode?: string;
  /** The recipient's address as printed (src/contacts/postal-address-format.ts). */
  addressLines: readonly string[];
}

export interface RenderedMail {
  templateId: string;
  version: number;
  locale: string;
  dir: 'ltr' | 'rtl';
  paper: MailFormat;
  /** A letter's body or a postcard's back. */
  body: string;
  front?: string;
  returnAddress: string[];
}

/**
 * The `piece` variables: the QR code is drawn here, as SVG (vector: sharp at any print size), unless
 * `qr: false` (a template that prints none: drawing one costs about a millisecond of CPU).
 */
export async function pieceVariables(piece: MailPiece, options: { qr?: boolean } = {}) {
  const qrSvg = piece.url && options.qr !== false ? await QRCode.toString(piece.url, { type: 'svg', margin: 0, errorCorrectionLevel: 'M' }) : '';
  return {
    url: piece.url,
    promo_code: piece.promoCode ?? '',
    qr_svg: qrSvg,
    qr_image: qrSvg ? `data:image/svg+xml;base64,${Buffer.from(qrSvg).toString('base64')}` : '',
    address_lines: [...piece.addressLines],
  };
}

/** Liquid over `content`'s variant `key` (pure: the caller gives the engine and the variables). */
export function renderMailContent(liquid: Liquid, content: TemplateContent, key: string, globals: object, templateId: string): Omit<RenderedMail, 'templateId' | 'version'> {
  if (!content.paper) throw ValidationError.at('paper', 'a direct mail template needs its paper (letter-a4, letter-us, postcard-a6, postcard-6x4)');
  const variant = resolveVariant(content, key);
  const front = (key ? content.locales?.[key]?.front : undefined) ?? content.front;
  const part = (name: string, source: string) => {
    let tpl;
    try {
      tpl = liquid.parse(source);
    } catch (err) {
      throw new TemplateRenderError(templateId, name, liquidErrorPosition(err));
    }
    return renderPart(liquid, tpl, globals, templateId, name);
  };
  const out: Omit<RenderedMail, 'templateId' | 'version'> = {
    locale: variant.locale,
    dir: directionOf(content, variant.locale),
    paper: content.paper,
    body: part('body', variant.body),
    returnAddress: content.returnAddress ?? [],
  };
  if (front !== undefined) out.front = part('front', front);
  return out;
}

/** What the PDF renderer prints for a rendered piece. */
export function toPieceSource(id: string, rendered: Omit<RenderedMail, 'templateId' | 'version'>, addressLines: readonly string[]): PieceSource {
  const postcard = rendered.paper.startsWith('postcard');
  return {
    id,
    format: rendered.paper,
    lang: rendered.locale,
    dir: rendered.dir,
    ...(postcard ? { front: rendered.front ?? '', back: rendered.body } : { html: rendered.body }),
    address: addressLines,
    returnAddress: rendered.returnAddress,
  };
}
