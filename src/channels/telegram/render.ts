/**
 * @module Rendering a Telegram template at send time: Liquid over the locale variant's body with
 * every `{{ output }}` HTML-escaped (the message goes with `parse_mode: HTML`, so a contact named
 * `<b>` stays text), and over its buttons' text and URL. The result is checked as Telegram would:
 * HTML it accepts, at most 4096 characters, button URLs http(s).
 */
import { ValidationError } from '../../core/errors.js';
import { liquidErrorPosition } from '../../templates/engine.js';
import { TemplateRenderError } from '../../templates/issues.js';
import { pickVariant, resolveVariant } from '../../templates/locale.js';
import { loadVersion, templateGlobals, type RenderDeps, type RenderInput } from '../../templates/render.js';
import { renderPart } from '../../templates/render-parts.js';
import { htmlProblem, TELEGRAM_TEXT_MAX, visibleLength } from './html.js';

export interface RenderedTelegram {
  version: number;
  locale: string;
  /** HTML in Telegram's subset. */
  text: string;
  buttons: { text: string; url: string }[];
}

export async function renderTelegram(deps: RenderDeps, input: RenderInput): Promise<RenderedTelegram> {
  const { workspaceId, templateId } = input;
  const v = await loadVersion(deps, workspaceId, templateId, input.version);
  if (v.channel !== 'telegram') throw ValidationError.at('templateId', `template "${templateId}" is a ${v.channel} ${v.kind}, not a Telegram message`);
  const key = pickVariant(v.content, input.locale ?? input.contact.locale);
  const variant = resolveVariant(v.content, key);
  const engine = await deps.templateCache.engine(deps.store.db, workspaceId);
  const globals = templateGlobals(input);
  const render = (mode: 'html' | 'text', part: string, source: string): string => {
    let tpl;
    try {
      tpl = deps.templateCache.parse(engine, mode, `${workspaceId}|${templateId}|${v.version}|${key}|telegram|${part}`, source);
    } catch (err) {
      throw new TemplateRenderError(templateId, part, liquidErrorPosition(err));
    }
    return renderPart(engine[mode], tpl, globals, templateId, part);
  };
  const text = render('html', 'body', variant.body).trim();
  const problem = htmlProblem(text);
  if (problem) throw ValidationError.at('body', `Telegram would refuse this HTML: ${problem}`);
  const length = visibleLength(text, true);
  if (length === 0) throw ValidationError.at('body', 'the rendered message is empty');
  if (length > TELEGRAM_TEXT_MAX) throw ValidationError.at('body', `the rendered message is ${length} characters; Telegram allows ${TELEGRAM_TEXT_MAX}`);
  const written = (key ? v.content.locales?.[key]?.buttons : undefined) ?? v.content.buttons ?? [];
  const buttons = written.map((b, i) => {
    const url = render('text', `buttons.${i}.url`, b.url).trim();
    if (!/^https?:\/\/\S+$/i.test(url)) throw ValidationError.at(`buttons.${i}.url`, `button URL "${url.slice(0, 100)}" is not an http(s) URL`);
    return { text: render('text', `buttons.${i}.text`, b.text).trim(), url };
  });
  return { version: v.version, locale: variant.locale, text, buttons };
}
