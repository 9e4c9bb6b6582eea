/**
 * @module Rendering an email at send time: Liquid over the version's compiled HTML (MJML was
 * compiled when the version was saved), with the contact, the trigger/event, the journey, the
 * workspace and the unsubscribe links as variables. Returns the version it used, so the send can
 * record it.
 */
import type { Liquid } from 'liquidjs';
import { NotFoundError, ValidationError } from '../core/errors.js';
import type { Json, JsonObject } from '../core/json.js';
import type { Store } from '../store/store.js';
import type { TemplateCache, CachedVersion } from './cache.js';
import { liquidErrorPosition } from './engine.js';
import { TemplateRenderError } from './issues.js';
import { directionOf, pickVariant, resolveVariant, type Direction } from './locale.js';
import { findTemplate, findVersion, loadPartials } from './repository.js';
import type { RenderJob, RenderJobResult } from './render-job.js';
import { htmlToText } from './text.js';
import { injectPreheader, renderPart } from './render-parts.js';
import { writtenUrls } from '../tracking/links.js';

export interface RenderDeps {
  store: Store;
  templateCache: TemplateCache;
}

/** The contact as templates see it; the Contact type of src/contacts fits. */
export interface RenderContact {
  id?: string;
  email?: string | null;
  phone?: string | null;
  userId?: string | null;
  locale?: string | null;
  timezone?: string | null;
  attributes?: JsonObject;
}

export interface RenderContext {
  trigger?: JsonObject;
  event?: JsonObject;
  journey?: JsonObject;
  data?: JsonObject;
}

export interface RenderInput {
  workspaceId: string;
  templateId: string;
  /** Defaults to the template's current version. */
  version?: number;
  contact: RenderContact;
  /** Overrides the contact's locale (previews). */
  locale?: string;
  context?: RenderContext;
  workspace: { name: string; postalAddress: string };
  /** `telegramLink`: the contact's Telegram deep link (src/channels/telegram/deep-link.ts), `{{ telegram_link }}`. */
  links?: { unsubscribeUrl: string; preferencesUrl: string; telegramLink?: string };
}

export interface RenderedEmail {
  templateId: string;
  version: number;
  locale: string;
  direction: Direction;
  subject: string;
  preheader: string;
  html: string;
  text: string;
  /** URLs the template wrote literally in its text part (../tracking/links.ts writtenUrls): the only bare URLs click tracking may rewrite. */
  textLinks?: string[];
  from?: string;
  replyTo?: string;
}

/** Attributes at the top level (`contact.first_name`), our own fields over them, and all of them under `contact.attributes`. */
export function contactVariables(c: RenderContact): JsonObject {
  const attributes = c.attributes ?? {};
  const own: Record<string, Json> = {};
  for (const [k, v] of Object.entries({ id: c.id, email: c.email, phone: c.phone, user_id: c.userId, locale: c.locale, timezone: c.timezone })) {
    if (v !== undefined && v !== null) own[k] = v;
  }
  return { ...attributes, ...own, attributes };
}

export async function loadVersion(deps: RenderDeps, workspaceId: string, templateId: string, wanted?: number): Promise<CachedVersion> {
  const { db } = deps.store;
  let version = wanted ?? deps.templateCache.currentVersion(workspaceId, templateId);
  let meta;
  if (version === undefined) {
    meta = await deps.templateCache.shared(`template|${workspaceId}|${templateId}`, () => findTemplate(db, workspaceId, templateId));
    if (!meta) throw new NotFoundError('template', templateId);
    version = meta.currentVersion;
    deps.templateCache.rememberCurrent(workspaceId, templateId, version);
  }
  const key = `${workspaceId}|${templateId}|${version}`;
  const cached = deps.templateCache.versions.get(key);
  if (cached) return cached;
  const known = meta;
  const [found, row] = await deps.templateCache.shared(`version|${key}`, async () => {
    const m = known ?? (await findTemplate(db, workspaceId, templateId));
    return [m, m && (await findVersion(db, workspaceId, templateId, version))] as const;
  });
  meta = found;
  if (!meta || !row) throw new NotFoundError('template version', `${templateId}@${version}`);
  const full: CachedVersion = { ...row, kind: meta.kind, channel: meta.channel };
  deps.templateCache.versions.set(key, full);
  return full;
}

/** The variables every template sees (passed as Liquid globals so partials see them too). */
export function templateGlobals(input: Pick<RenderInput, 'contact' | 'context' | 'workspace' | 'links'>) {
  const ctx = input.context ?? {};
  return {
    contact: contactVariables(input.contact),
    trigger: ctx.trigger ?? {},
    event: ctx.event ?? ctx.trigger ?? {},
    journey: ctx.journey ?? {},
    data: ctx.data ?? {},
    workspace: { name: input.workspace.name, postal_address: input.workspace.postalAddress },
    unsubscribe_url: input.links?.unsubscribeUrl ?? '',
    preferences_url: input.links?.preferencesUrl ?? '',
    telegram_link: input.links?.telegramLink ?? '',
  };
}

function assertEmailMessage(v: CachedVersion, templateId: string): void {
  if (v.channel !== 'email' || (v.kind !== 'marketing' && v.kind !== 'transactional')) {
    throw ValidationError.at('templateId', `template "${templateId}" is a ${v.channel} ${v.kind}, not an email message`);
  }
}

/**
 * The database half of renderEmail, for renders that run on a worker thread (./render-pool.ts,
 * ./render-job.ts): which version and locale variant, the sources to render, the partials, the
 * variables. `finish` turns the job's result into the RenderedEmail renderEmail would return.
 */
export async function prepareRenderJob(deps: RenderDeps, input: RenderInput): Promise<{ job: RenderJob; finish: (r: RenderJobResult) => RenderedEmail }> {
  const { workspaceId, templateId } = input;
  const v = await loadVersion(deps, workspaceId, templateId, input.version);
  assertEmailMessage(v, templateId);
  const key = pickVariant(v.content, input.locale ?? input.contact.locale);
  const variant = resolveVariant(v.content, key);
  const partials = await loadPartials(deps.store.db, workspaceId);
  const bodySource = v.compiled.html[key] ?? v.compiled.html['']!;
  const textTemplate = variant.text ?? v.compiled.text[key];
  const job: RenderJob = {
    templateId,
    partialsKey: `${workspaceId}|${partials.stamp}`,
    partials: partials.sources,
    globals: templateGlobals(input),
    subject: variant.subject,
    preheader: variant.preheader,
    body: bodySource,
    text: textTemplate,
  };
  const finish = (r: RenderJobResult): RenderedEmail => {
    const out: RenderedEmail = { templateId, version: v.version, locale: variant.locale, direction: directionOf(v.content, variant.locale), ...r, textLinks: writtenUrls(textTemplate ?? bodySource) };
    if (v.content.from) out.from = v.content.from;
    if (v.content.replyTo) out.replyTo = v.content.replyTo;
    return out;
  };
  return { job, finish };
}

export async function renderEmail(deps: RenderDeps, input: RenderInput): Promise<RenderedEmail> {
  const { workspaceId, templateId } = input;
  const v = await loadVersion(deps, workspaceId, templateId, input.version);
  assertEmailMessage(v, templateId);
  const key = pickVariant(v.content, input.locale ?? input.contact.locale);
  const variant = resolveVariant(v.content, key);
  const engine = await deps.templateCache.engine(deps.store.db, workspaceId);
  const globals = templateGlobals(input);
  const base = `${workspaceId}|${templateId}|${v.version}|${key}`;
  const render = (mode: 'html' | 'text', part: string, source: string) => {
    let tpl;
    try {
      tpl = deps.templateCache.parse(engine, mode, `${base}|${part}`, source);
    } catch (err) {
      throw new TemplateRenderError(templateId, part, liquidErrorPosition(err));
    }
    return renderPart(engine[mode], tpl, globals, templateId, part);
  };
  const subject = render('text', 'subject', variant.subject)
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .trim();
  const preheader = render('text', 'preheader', variant.preheader).trim();
  const bodySource = v.compiled.html[key] ?? v.compiled.html['']!;
  const bodyHtml = render('html', 'body', bodySource);
  const textTemplate = variant.text ?? v.compiled.text[key];
  const text = textTemplate !== undefined ? render('text', 'text', textTemplate).trim() : htmlToText(bodyHtml);
  const out: RenderedEmail = {
    templateId,
    version: v.version,
    locale: variant.locale,
    direction: directionOf(v.content, variant.locale),
    subject,
    preheader,
    html: injectPreheader(bodyHtml, preheader),
    text,
    textLinks: writtenUrls(textTemplate ?? bodySource),
  };
  if (v.content.from) out.from = v.content.from;
  if (v.content.replyTo) out.replyTo = v.content.replyTo;
  return out;
}
