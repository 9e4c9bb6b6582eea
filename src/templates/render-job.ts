/**
 * @module The CPU-bound half of a render, as a plain function of plain data, so that it can run on
 * a worker thread (./render-pool.ts): Liquid over the subject, preheader, body and text sources with
 * the workspace's partials, the text part converted from the HTML when the version has no text
 * template, the preheader put into the body. The database half (which version, which locale, which
 * partials) stays on the main thread (./preview.ts). Sends keep rendering inline (./render.ts), with
 * their parse cache.
 */
import type { Liquid } from 'liquidjs';
import { createLiquid, liquidErrorPosition, Lru } from './engine.js';
import { TemplateRenderError } from './issues.js';
import { injectPreheader, renderPart } from './render-parts.js';
import { htmlToText } from './text.js';

export interface RenderJob {
  templateId: string;
  /** Names this set of partials (workspace id and partial stamp): engines are reused while it holds. */
  partialsKey: string;
  partials: Record<string, string>;
  globals: object;
  subject: string;
  preheader: string;
  /** The compiled HTML body (Liquid still in it). */
  body: string;
  /** The text template; absent: the rendered HTML is converted. */
  text?: string | undefined;
}

export interface RenderJobResult {
  subject: string;
  preheader: string;
  html: string;
  text: string;
}

const engines = new Lru<string, { html: Liquid; text: Liquid }>(20);

function engineFor(job: RenderJob) {
  let e = engines.get(job.partialsKey);
  if (!e) {
    e = { html: createLiquid(job.partials, { html: true }), text: createLiquid(job.partials) };
    engines.set(job.partialsKey, e);
  }
  return e;
}

export function runRenderJob(job: RenderJob): RenderJobResult {
  const engine = engineFor(job);
  const render = (mode: 'html' | 'text', part: string, source: string) => {
    let tpl;
    try {
      tpl = engine[mode].parse(source);
    } catch (err) {
      throw new TemplateRenderError(job.templateId, part, liquidErrorPosition(err));
    }
    return renderPart(engine[mode], tpl, job.globals, job.templateId, part);
  };
  const subject = render('text', 'subject', job.subject)
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .trim();
  const preheader = render('text', 'preheader', job.preheader).trim();
  const bodyHtml = render('html', 'body', job.body);
  const text = job.text !== undefined ? render('text', 'text', job.text).trim() : htmlToText(bodyHtml);
  return { subject, preheader, html: injectPreheader(bodyHtml, preheader), text };
}
