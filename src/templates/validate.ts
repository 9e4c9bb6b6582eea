/**
 * @module Validation on save. Errors refuse the save: Liquid syntax (with line:column), MJML
 * errors, a missing layout or partial, and for marketing email the CAN-SPAM basics (a postal
 * address and an unsubscribe link, docs/standards.md §14 and 11). Unknown variables are warnings: the
 * Liquid AST is walked for variable roots we do not provide. A marketing email saved while the
 * workspace has no postal address gets a warning: it would show an empty one, so journeys and
 * broadcasts sending it cannot go live until the address is set (src/workspaces/postal-address.ts).
 */
import type { Liquid } from 'liquidjs';
import { liquidErrorPosition } from './engine.js';
import { compileBodies, CONTENT_SLOT, type LayoutSource } from './compile.js';
import { analyzeSms } from '../channels/sms/encoding.js';
import type { TemplateIssue } from './issues.js';
import { formatOf, type CompiledBodies, type ParsedTemplateInput, type TemplateContent } from './template.js';
import { SET_POSTAL_ADDRESS } from '../workspaces/postal-address.js';
import { mailIssues, MAIL_ROOTS } from './validate-mail.js';
import { whatsappIssues } from './validate-whatsapp.js';
import { telegramIssues } from '../channels/telegram/validate.js';
import { ownsLanguage } from './locale.js';

/** Variable roots a template may use, and the known fields of `workspace`. */
export const KNOWN_ROOTS = new Set(['contact', 'trigger', 'event', 'journey', 'data', 'workspace', 'unsubscribe_url', 'preferences_url', 'telegram_link']);
const WORKSPACE_FIELDS = new Set(['name', 'postal_address']);

export interface ValidationEnv {
  /** Compiles the bodies (default: compileBodies on this thread; the routes pass the render pool's). */
  compile?: typeof compileBodies | undefined;
  /** An engine over the workspace's partials (including ones saved in the same batch). */
  liquid: Liquid;
  /** The layout named by `content.layoutId`, if it exists. */
  layout: (LayoutSource & { kind: string }) | null;
  /** The workspace's postal address ('' when none; absent when unknown, no warning then). */
  postalAddress?: string | undefined;
  /** The workspace's SMS segment limit (src/channels/sms/settings.ts `maxSegments`); absent: not checked. */
  maxSmsSegments?: number | undefined;
}

/**
 * An SMS variant whose written text alone, Liquid tags left out, is already longer than the
 * workspace allows: an error, since every send of it would be refused. Personalisation can only
 * add to it, so a text within the limit here may still be refused at send time (the editor counts
 * the same way and says so).
 */
function smsLengthIssues(content: TemplateContent, max: number): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  const variants: [string, string][] = [
    ['body', content.body],
    ...Object.entries(content.locales ?? {}).flatMap(([locale, v]) => (v.body === undefined ? [] : [[`locales.${locale}.body`, v.body] as [string, string]])),
  ];
  for (const [field, body] of variants) {
    const written = analyzeSms(body.replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g, ''));
    if (written.segments > max)
      issues.push({ field, message: `the text is ${written.segments} SMS segments (${written.encoding}) before personalisation; the workspace allows ${max}`, severity: 'error' });
  }
  return issues;
}

export interface Validated {
  issues: TemplateIssue[];
  compiled: CompiledBodies;
}

type Path = Array<string | number | Path>;

/** Parses one Liquid field and returns the global variable paths it (and the partials it renders) uses. */
async function checkLiquid(env: ValidationEnv, field: string, source: string, extraRoots: string[], issues: TemplateIssue[]): Promise<Path[]> {
  let parsed;
  try {
    parsed = env.liquid.parse(source);
  } catch (err) {
    issues.push({ field, ...liquidErrorPosition(err), severity: 'error' });
    return [];
  }
  try {
    const analysis = await env.liquid.analyze(parsed, { partials: true });
    const paths: Path[] = [];
    for (const [root, uses] of Object.entries(analysis.globals)) {
      for (const v of uses) paths.push(v.toArray() as Path);
      const first = uses[0]!;
      const where = { field: first.location.file ? `${field} (partial ${first.location.file})` : field, line: first.location.row, column: first.location.col };
      if (!KNOWN_ROOTS.has(root) && !extraRoots.includes(root)) {
        issues.push({ ...where, message: `unknown variable "${root}" (known: ${[...KNOWN_ROOTS].join(', ')})`, severity: 'warning' });
      } else if (root === 'workspace') {
        for (const v of uses) {
          const key = v.segments[1];
          if (typeof key === 'string' && !WORKSPACE_FIELDS.has(key)) {
            issues.push({ field, line: v.location.row, column: v.location.col, message: `unknown variable "workspace.${key}" (known: workspace.name, workspace.postal_address)`, severity: 'warning' });
          }
        }
      }
    }
    return paths;
  } catch (err) {
    issues.push({ field, ...locateMissingPartial(source, liquidErrorPosition(err)), severity: 'error' });
    return [];
  }
}

/** Analysis errors carry no position; for a missing partial, point at the tag that names it. */
function locateMissingPartial(source: string, found: { line?: number; column?: number; message: string }) {
  const name = /^partial "([^"]*)" not found/.exec(found.message)?.[1];
  if (found.line || name === undefined) return found;
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`\\{%-?\\s*(?:render|include|layout)\\s+['"]${escaped}['"]`).exec(source);
  if (!m) return found;
  const before = source.slice(0, m.index).split('\n');
  return { ...found, line: before.length, column: before.at(-1)!.length + 1 };
}

/** The Liquid of a WhatsApp template message's body parameters, header and URL button suffixes (./validate-whatsapp.ts), default and per locale. */
async function checkWhatsappParameters(env: ValidationEnv, content: ParsedTemplateInput['content'], issues: TemplateIssue[]): Promise<void> {
  const check = async (at: string, wa: ParsedTemplateInput['content']['whatsapp']) => {
    for (const [i, p] of (wa?.parameters ?? []).entries()) await checkLiquid(env, `${at}.parameters.${i}`, p, [], issues);
    const h = wa?.header;
    if (h) await checkLiquid(env, `${at}.header.${h.type === 'text' ? 'text' : 'link'}`, h.type === 'text' ? h.text : h.link, [], issues);
    for (const [i, b] of (wa?.buttons ?? []).entries()) await checkLiquid(env, `${at}.buttons.${i}.urlSuffix`, b.urlSuffix, [], issues);
  };
  await check('whatsapp', content.whatsapp);
  for (const [locale, v] of Object.entries(content.locales ?? {})) await check(`locales.${locale}.whatsapp`, v.whatsapp);
}

const uses = (paths: Path[], ...want: string[]) => paths.some((p) => want.every((w, i) => p[i] === w));

export async function validateTemplate(input: ParsedTemplateInput, env: ValidationEnv): Promise<Validated> {
  const issues: TemplateIssue[] = [];
  const { kind, channel, content } = input;
  const err = (field: string, message: string) => issues.push({ field, message, severity: 'error' });
  const isMessage = kind === 'marketing' || kind === 'transactional';
  const format = formatOf(content);

  if (channel === 'email' && isMessage && !content.subject?.trim()) err('subject', 'an email needs a subject');
  if (kind === 'layout') {
    const slots = content.body.match(new RegExp(CONTENT_SLOT.source, 'g'))?.length ?? 0;
    if (slots !== 1) err('body', `a layout needs exactly one {{ content }} slot, found ${slots}`);
  }
  if (kind === 'partial' && format === 'mjml') err('format', 'partials are HTML snippets rendered into compiled HTML; MJML partials are not supported');
  if (content.layoutId) {
    if (!isMessage || channel !== 'email') err('layoutId', 'only email messages (marketing or transactional) can have a layout');
    else if (!env.layout) err('layoutId', `layout "${content.layoutId}" not found in this workspace`);
    else if (env.layout.kind !== 'layout') err('layoutId', `template "${content.layoutId}" is a ${env.layout.kind}, not a layout`);
    else if (formatOf(env.layout.content) !== format) err('layoutId', `layout "${content.layoutId}" is ${formatOf(env.layout.content)} but this template is ${format}`);
  }

  const extra = kind === 'layout' ? ['content'] : channel === 'mail' ? MAIL_ROOTS : [];
  if (channel === 'mail') issues.push(...mailIssues(input));
  else if (content.paper !== undefined || content.front !== undefined || content.returnAddress !== undefined)
    err('paper', 'paper, front and returnAddress are for direct mail templates (channel mail)');
  issues.push(...whatsappIssues(input));
  await checkWhatsappParameters(env, content, issues);
  await checkLiquid(env, 'subject', content.subject ?? '', extra, issues);
  await checkLiquid(env, 'preheader', content.preheader ?? '', extra, issues);
  if (content.text !== undefined) await checkLiquid(env, 'text', content.text, extra, issues);
  const bodyPaths: Record<string, Path[]> = { '': await checkLiquid(env, 'body', content.body, extra, issues) };
  for (const [locale, v] of Object.entries(content.locales ?? {})) {
    for (const part of ['subject', 'preheader', 'text'] as const) {
      if (v[part] !== undefined) await checkLiquid(env, `locales.${locale}.${part}`, v[part]!, extra, issues);
    }
    if (v.body !== undefined) bodyPaths[locale] = await checkLiquid(env, `locales.${locale}.body`, v.body, extra, issues);
    if (v.front !== undefined) await checkLiquid(env, `locales.${locale}.front`, v.front, extra, issues);
    if (channel === 'email' && content.preheader && v.preheader === undefined && ownsLanguage(content, locale)) {
      issues.push({
        field: `locales.${locale}.preheader`,
        message: `the ${locale} variant has its own text but no preheader: it is sent without one (it does not reuse the default's, which is in another language)`,
        severity: 'warning',
      });
    }
  }
  if (content.front !== undefined) await checkLiquid(env, 'front', content.front, extra, issues);

  if (kind === 'marketing' && channel === 'email') {
    const layoutPaths = env.layout && content.layoutId ? await checkLiquid(env, `layout(${env.layout.id}).body`, env.layout.content.body, ['content'], []) : [];
    for (const [locale, paths] of Object.entries(bodyPaths)) {
      const field = locale ? `locales.${locale}.body` : 'body';
      const all = [...paths, ...layoutPaths];
      if (!uses(all, 'workspace', 'postal_address')) {
        err(field, 'a marketing email must show the postal address: add {{ workspace.postal_address }} to the body, its layout or a partial it renders (CAN-SPAM)');
      }
      if (!uses(all, 'unsubscribe_url')) err(field, 'a marketing email must contain an unsubscribe link: add {{ unsubscribe_url }} to the body, its layout or a partial it renders');
    }
    if (env.postalAddress === '') {
      issues.push({
        field: 'workspace.postal_address',
        message: `the workspace has no postal address yet, so this email would show an empty one and journeys or broadcasts sending it cannot go live: ${SET_POSTAL_ADDRESS}`,
        severity: 'warning',
      });
    }
  }

  if (channel === 'telegram') issues.push(...telegramIssues(input));
  else if (content.buttons !== undefined || Object.values(content.locales ?? {}).some((v) => v.buttons !== undefined)) err('buttons', 'buttons are for Telegram templates (channel telegram)');
  if (channel === 'sms' && env.maxSmsSegments !== undefined && (kind === 'marketing' || kind === 'transactional')) issues.push(...smsLengthIssues(content, env.maxSmsSegments));

  // Compile only what passed so far: MJML over broken Liquid would only repeat the same errors.
  if (issues.some((i) => i.severity === 'error')) return { issues, compiled: { html: {}, text: {} } };
  const layout = env.layout && content.layoutId ? env.layout : null;
  const result = await (env.compile ?? compileBodies)(kind, channel, content, layout);
  issues.push(...result.issues);
  return { issues, compiled: result.compiled };
}
