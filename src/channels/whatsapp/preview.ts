/**
 * @module A WhatsApp template's preview (`POST /api/templates/:id/preview`, src/templates/preview.ts)
 * in the preview's shape: the message as the contact would get it (./render.ts). A template message
 * shows `name (language)` as its subject and its header, parameters (one per line as `{{1}} = …`)
 * and URL button suffixes; a
 * free-form message its text. Rendered inline: Liquid over a few short strings, no MJML.
 */
import { isRtlLocale } from '../../templates/locale.js';
import type { RenderDeps, RenderInput } from '../../templates/render.js';
import { renderWhatsapp } from './render.js';

export async function whatsappPreview(deps: RenderDeps, input: RenderInput) {
  const r = await renderWhatsapp(deps, input);
  const p = r.payload;
  const text =
    p.type === 'text'
      ? p.text
      : [
          ...(p.header ? [`header = ${p.header.type === 'text' ? p.header.text : `${p.header.type} ${p.header.link}`}`] : []),
          ...p.parameters.map((v, i) => `{{${i + 1}}} = ${v}`),
          ...(p.buttons ?? []).map((b) => `button ${b.index} = …${b.text}`),
        ].join('\n');
  return {
    templateId: input.templateId,
    version: r.version,
    locale: r.locale,
    direction: isRtlLocale(r.locale) ? ('rtl' as const) : ('ltr' as const),
    subject: p.type === 'template' ? `${p.name} (${p.language})` : '',
    preheader: '',
    html: '',
    text,
  };
}
