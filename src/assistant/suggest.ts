/**
 * @module `POST /api/assistant/suggest`: subject-line variants, SMS variants or a translation of a
 * template (a saved one by id, or the editor's unsaved text), from the workspace's configured
 * endpoint (./settings.ts, ./client.ts).
 *
 * Nothing is saved or sent here: the answer is a list of suggestions for the editor, where a person
 * picks one into the form and saves it through the normal template save (a new version, not a
 * publication). Each suggestion is checked before it is shown: it must parse as Liquid and keep the
 * template's variables (./liquid-check.ts), else it comes back with `usable: false` and the reason;
 * SMS texts carry their encoding and segment count (src/channels/sms/encoding.ts), counted as written.
 *
 * Bounds: the source text sent is at most MAX_SOURCE_CHARS, the answer read at most MAX_ANSWER_BYTES,
 * and the wait the workspace's `timeoutMs`.
 */
import { z } from 'zod';
import type { Config } from '../config/config.js';
import type { ServiceDeps } from '../core/deps.js';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.js';
import { parseOrThrow } from '../core/parse.js';
import type { SecretBox } from '../secrets/secret-box.js';
import { analyzeSms, type SmsEncoding } from '../channels/sms/encoding.js';
import { findTemplate, findVersion } from '../templates/repository.js';
import { LOCALE, TEMPLATE_ID } from '../templates/template.js';
import { readCandidates } from './answer.js';
import { chatCompletion, type ChatMessage } from './client.js';
import { compareLiquid, liquidVariables } from './liquid-check.js';
import { ASSISTANT_TASKS, smsVariantsPrompt, subjectVariantsPrompt, TARGET_LANGUAGES, translatePrompt, type AssistantTask, type PromptSource, type TargetLanguage } from './prompts.js';
import { assistantEndpoint } from './settings.js';

/** Most characters of template text sent to the endpoint in one request (subject, preheader and body together). */
export const MAX_SOURCE_CHARS = 32_000;
/** Largest answer read from the endpoint (a translation of a 32 000-character body fits). */
export const MAX_ANSWER_BYTES = 512 * 1024;
export const MAX_SUGGESTIONS = 10;

const FIELDS = ['subject', 'preheader', 'body'] as const;
type Field = (typeof FIELDS)[number];

export const suggestInputSchema = z
  .object({
    templateId: z.string().regex(TEMPLATE_ID, 'must be a template id (lower-case slug)').optional().describe('A saved template: its current version is the source'),
    locale: z.string().regex(LOCALE, 'must be a locale such as en or fa-IR').optional().describe("With templateId: that locale variant's text (default: the default locale's)"),
    content: z
      .object({
        subject: z.string().max(998).optional(),
        preheader: z.string().max(500).optional(),
        body: z
          .string()
          .max(512 * 1024)
          .optional(),
      })
      .strict()
      .optional()
      .describe("The editor's unsaved text, instead of templateId"),
    channel: z.enum(['email', 'sms']).optional().describe('With content: whose text it is (default email; sms_variants means sms)'),
    task: z.enum(ASSISTANT_TASKS),
    to: z.enum(TARGET_LANGUAGES).optional().describe('translate: the language to draft in'),
    count: z.number().int().min(1).max(MAX_SUGGESTIONS).default(3),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.templateId === undefined) === (v.content === undefined)) ctx.addIssue({ code: 'custom', path: ['templateId'], message: 'give either templateId or content, not both' });
    if (v.locale !== undefined && v.templateId === undefined) ctx.addIssue({ code: 'custom', path: ['locale'], message: 'locale goes with templateId' });
    if (v.task === 'translate' && v.to === undefined) ctx.addIssue({ code: 'custom', path: ['to'], message: 'translate needs the language: ar, fa or en' });
    if (v.task !== 'translate' && v.to !== undefined) ctx.addIssue({ code: 'custom', path: ['to'], message: 'only translate takes a language' });
  });

export type SuggestInput = z.input<typeof suggestInputSchema>;

const smsCountSchema = z.object({ encoding: z.enum(['gsm7', 'ucs2']), segments: z.number(), units: z.number() });

export const suggestionSchema = z.object({
  subject: z.string().optional(),
  preheader: z.string().optional(),
  body: z.string().optional(),
  /** False when it would break the template (see the module comment); `issues` says why. */
  usable: z.boolean(),
  issues: z.array(z.string()),
  sms: smsCountSchema.optional(),
});

export const suggestAnswerSchema = z.object({
  task: z.enum(ASSISTANT_TASKS),
  to: z.enum(TARGET_LANGUAGES).optional(),
  model: z.string(),
  suggestions: z.array(suggestionSchema),
});

export type Suggestion = z.output<typeof suggestionSchema>;
export type SuggestAnswer = z.output<typeof suggestAnswerSchema>;

export interface SuggestDeps extends ServiceDeps {
  secretBox: SecretBox;
  config: Pick<Config, 'allowPrivateOutbound'>;
}

interface Source {
  fields: PromptSource;
  sms: boolean;
  at: string;
}

async function sourceOf(deps: SuggestDeps, workspaceId: string, input: z.output<typeof suggestInputSchema>): Promise<Source> {
  if (input.content) return { fields: input.content, sms: input.task === 'sms_variants' || input.channel === 'sms', at: 'content' };
  const template = await findTemplate(deps.store.db, workspaceId, input.templateId!);
  if (!template) throw new NotFoundError('template', input.templateId!);
  const version = await findVersion(deps.store.db, workspaceId, template.id, template.currentVersion);
  if (!version) throw new NotFoundError('template version', `${template.id}@${template.currentVersion}`);
  const c = version.content;
  const variant = input.locale && input.locale !== c.defaultLocale ? c.locales?.[input.locale] : undefined;
  if (input.locale && input.locale !== c.defaultLocale && !variant) throw ValidationError.at('locale', `template ${template.id} has no ${input.locale} variant`);
  return {
    fields: { subject: variant?.subject ?? c.subject, preheader: variant?.preheader ?? c.preheader, body: variant?.body ?? c.body },
    sms: template.channel === 'sms' || input.task === 'sms_variants',
    at: 'templateId',
  };
}

function prompt(task: AssistantTask, source: PromptSource, to: TargetLanguage | undefined, count: number): ChatMessage[] {
  switch (task) {
    case 'subject_variants':
      return subjectVariantsPrompt(source, count);
    case 'sms_variants':
      return smsVariantsPrompt(source, count);
    case 'translate':
      return translatePrompt(source, to!, count);
    default: {
      const never: never = task;
      throw new Error(`unknown task ${String(never)}`);
    }
  }
}

/** The field a task rewrites (translate rewrites every field the source has). */
function fieldsOf(task: AssistantTask, source: PromptSource): Field[] {
  if (task === 'subject_variants') return ['subject'];
  if (task === 'sms_variants') return ['body'];
  return FIELDS.filter((f) => source[f] !== undefined && source[f] !== '');
}

function checkSource(task: AssistantTask, source: Source): void {
  const size = FIELDS.reduce((n, f) => n + (source.fields[f]?.length ?? 0), 0);
  if (size > MAX_SOURCE_CHARS) throw ValidationError.at(source.at === 'content' ? 'content.body' : 'templateId', `the text is ${size} characters; the assistant takes at most ${MAX_SOURCE_CHARS}`);
  const needs: Field = task === 'subject_variants' ? 'subject' : 'body';
  if (!source.fields[needs]?.trim()) throw ValidationError.at(source.at === 'content' ? `content.${needs}` : 'templateId', `there is no ${needs} to work from`);
}

export async function suggest(deps: SuggestDeps, workspaceId: string, raw: unknown): Promise<SuggestAnswer> {
  const input = parseOrThrow(suggestInputSchema, raw);
  const endpoint = await assistantEndpoint(deps.store.db, deps.secretBox, workspaceId);
  if (!endpoint.enabled || !endpoint.baseUrl || !endpoint.model) throw new ConflictError('the writing assistant is off for this workspace; an admin can turn it on in Settings → Writing assistant');
  const source = await sourceOf(deps, workspaceId, input);
  checkSource(input.task, source);

  const fields = fieldsOf(input.task, source.fields);
  const expected: Partial<Record<Field, string[]>> = {};
  const allowed = new Set<string>();
  for (const f of FIELDS) {
    const text = source.fields[f];
    if (text === undefined) continue;
    const checked = await liquidVariables(text);
    if (checked.variables === null)
      throw ValidationError.at(source.at === 'content' ? `content.${f}` : 'templateId', `the ${f} does not parse as Liquid (${checked.error}); fix it before asking for suggestions`);
    expected[f] = checked.variables;
    for (const v of checked.variables) allowed.add(v);
  }

  const answer = await chatCompletion({
    baseUrl: endpoint.baseUrl,
    model: endpoint.model,
    apiKey: endpoint.apiKey,
    messages: prompt(input.task, source.fields, input.to, input.count),
    timeoutMs: endpoint.timeoutMs,
    maxAnswerBytes: MAX_ANSWER_BYTES,
    allowPrivate: deps.config.allowPrivateOutbound === true && endpoint.allowPrivateEndpoint,
  });
  const candidates = readCandidates(answer, fields, fields[0]!).slice(0, input.count);
  const translate = input.task === 'translate';
  const suggestions: Suggestion[] = [];
  for (const candidate of candidates) {
    const s: Suggestion = { usable: true, issues: [] };
    for (const f of fields) {
      const text = candidate[f];
      if (text === undefined) {
        s.usable = false;
        s.issues.push(`no ${f}`);
        continue;
      }
      s[f] = text;
      const cmp = await compareLiquid({ allowed: [...allowed], expected: expected[f] ?? [] }, text, translate);
      if (!cmp.usable) s.usable = false;
      s.issues.push(...cmp.issues.map((i) => `${f}: ${i}`));
    }
    if (source.sms && s.body !== undefined) {
      const a = analyzeSms(s.body);
      s.sms = { encoding: a.encoding as SmsEncoding, segments: a.segments, units: a.units };
    }
    suggestions.push(s);
  }
  return { task: input.task, ...(input.to ? { to: input.to } : {}), model: endpoint.model, suggestions };
}
