/**
 * @module A mail template rendered for one piece at send time (docs/mail.md "Sending"): the stored
 * version's locale variant, its `body` and `front` parsed ONCE per (version, variant, part) through
 * the process's TemplateCache (../../templates/cache.ts) and rendered with the contact, the journey's
 * context and the piece's variables (personal URL, QR code, promo code, address lines). The preview
 * route (../../templates/mail-preview.ts) renders unsaved content and parses it each time; a send
 * never does.
 */
import { ValidationError } from '../../core/errors.js';
import { loadVersion, templateGlobals, type RenderDeps, type RenderInput } from '../../templates/render.js';
import { pieceVariables, type MailPiece, type RenderedMail } from '../../templates/render-mail.js';
import { directionOf, pickVariant, resolveVariant } from '../../templates/locale.js';
import { renderPart } from '../../templates/render-parts.js';
import type { TemplateContent } from '../../templates/template.js';

/** Whether any part of the template prints the piece's QR code (`piece.qr_svg` or `piece.qr_image`). */
function printsQr(content: TemplateContent): boolean {
  const uses = (text: string | undefined) => text !== undefined && /\bqr_(svg|image)\b/.test(text);
  return uses(content.body) || uses(content.front) || Object.values(content.locales ?? {}).some((l) => uses(l.body) || uses(l.front));
}

export async function renderMailPiece(deps: RenderDeps, input: RenderInput & { piece: MailPiece }): Promise<RenderedMail> {
  const { workspaceId, templateId } = input;
  const v = await loadVersion(deps, workspaceId, templateId, input.version);
  if (v.channel !== 'mail') throw ValidationError.at('templateId', `template "${templateId}" is an ${v.channel} ${v.kind}, not direct mail`);
  const content = v.content;
  if (!content.paper) throw ValidationError.at('paper', 'a direct mail template needs its paper (letter-a4, letter-us, postcard-a6, postcard-6x4)');
  const key = pickVariant(content, input.locale ?? input.contact.locale);
  const engine = await deps.templateCache.engine(deps.store.db, workspaceId);
  const globals = { ...templateGlobals(input), piece: await pieceVariables(input.piece, { qr: printsQr(content) }) };
  const variant = resolveVariant(content, key);
  const front = (key ? content.locales?.[key]?.front : undefined) ?? content.front;
  const part = (name: string, source: string) =>
    renderPart(engine.html, deps.templateCache.parse(engine, 'html', `mail|${workspaceId}|${templateId}|${v.version}|${variant.locale}|${name}`, source), globals, templateId, name);
  const out: RenderedMail = {
    templateId,
    version: v.version,
    locale: variant.locale,
    dir: directionOf(content, variant.locale),
    paper: content.paper,
    body: part('body', variant.body),
    returnAddress: content.returnAddress ?? [],
  };
  if (front !== undefined) out.front = part('front', front);
  return out;
}
