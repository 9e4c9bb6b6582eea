/**
 * @module Rendering an SMS template at send time: Liquid over the locale variant's body, as plain
 * text (no escaping), with the same variables as email. Returns the version used.
 */
import { ValidationError } from '../core/errors.js';
import { liquidErrorPosition } from './engine.js';
import { TemplateRenderError } from './issues.js';
import { pickVariant, resolveVariant } from './locale.js';
import { loadVersion, templateGlobals, type RenderDeps, type RenderInput } from './render.js';
import { renderPart } from './render-parts.js';

export interface RenderedSms {
  templateId: string;
  version: number;
  locale: string;
  text: string;
}

export async function renderSms(deps: RenderDeps, input: RenderInput): Promise<RenderedSms> {
  const { workspaceId, templateId } = input;
  const v = await loadVersion(deps, workspaceId, templateId, input.version);
  if (v.channel !== 'sms') throw ValidationError.at('templateId', `template "${templateId}" is an ${v.channel} ${v.kind}, not an SMS`);
  const key = pickVariant(v.content, input.locale ?? input.contact.locale);
  const variant = resolveVariant(v.content, key);
  const engine = await deps.templateCache.engine(deps.store.db, workspaceId);
  let tpl;
  try {
    tpl = deps.templateCache.parse(engine, 'text', `${workspaceId}|${templateId}|${v.version}|${key}|sms`, variant.body);
  } catch (err) {
    throw new TemplateRenderError(templateId, 'body', liquidErrorPosition(err));
  }
  const text = renderPart(engine.text, tpl, templateGlobals(input), templateId, 'body').trim();
  return { templateId, version: v.version, locale: variant.locale, text };
}
