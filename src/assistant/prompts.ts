/**
 * @module What the writing assistant asks the model, one function per task. These messages are
 * everything Qatra sends to the endpoint (docs/assistant.md lists it for the privacy review): the
 * template's own text and the task, never a contact, an address or any workspace data besides it.
 *
 * The model is asked for JSON; ./answer.ts reads it leniently (fences, a bare list, numbered lines).
 */
import type { ChatMessage } from './client.js';

export const ASSISTANT_TASKS = ['subject_variants', 'sms_variants', 'translate'] as const;
export type AssistantTask = (typeof ASSISTANT_TASKS)[number];
export const TARGET_LANGUAGES = ['ar', 'fa', 'en'] as const;
export type TargetLanguage = (typeof TARGET_LANGUAGES)[number];

const LANGUAGE_NAMES: Record<TargetLanguage, string> = { ar: 'Arabic (Modern Standard Arabic)', fa: 'Persian (Farsi)', en: 'English' };

const LIQUID_RULE =
  'The text is a Liquid template. Copy every {{ ... }} output and {% ... %} tag exactly as written, character for character: never translate, rename, add or remove a variable or filter.';

const system = (extra: string): ChatMessage => ({
  role: 'system',
  content: `You help a marketer write messages. ${LIQUID_RULE} ${extra} Answer with JSON only, no commentary.`,
});

export interface PromptSource {
  subject?: string | undefined;
  preheader?: string | undefined;
  body?: string | undefined;
}

export function subjectVariantsPrompt(source: PromptSource, count: number): ChatMessage[] {
  return [
    system('Write email subject lines: short (under 60 characters is best), clear, no spam words, no ALL CAPS, at most one emoji.'),
    {
      role: 'user',
      content: `Write ${count} alternative subject lines for this email, in the language of the current subject.\nCurrent subject: ${source.subject ?? ''}\n${source.preheader ? `Preheader: ${source.preheader}\n` : ''}Email body (for context):\n${source.body ?? ''}\n\nAnswer as {"suggestions": ["...", "..."]}.`,
    },
  ];
}

export function smsVariantsPrompt(source: PromptSource, count: number): ChatMessage[] {
  return [
    system('Write SMS texts: as short as the meaning allows (each 160 GSM-7 characters, or 70 in Unicode, is one paid segment), no links the original does not have.'),
    { role: 'user', content: `Write ${count} alternative versions of this SMS, in its language.\nSMS:\n${source.body ?? ''}\n\nAnswer as {"suggestions": ["...", "..."]}.` },
  ];
}

export function translatePrompt(source: PromptSource, to: TargetLanguage, count: number): ChatMessage[] {
  const fields = (['subject', 'preheader', 'body'] as const).filter((f) => source[f] !== undefined && source[f] !== '');
  const input = Object.fromEntries(fields.map((f) => [f, source[f]]));
  return [
    system(`Translate into ${LANGUAGE_NAMES[to]} for a native reader: natural, not word for word. Keep HTML and MJML markup and attributes unchanged; translate only the visible text.`),
    {
      role: 'user',
      content: `Translate the fields of this JSON object into ${LANGUAGE_NAMES[to]}. ${count > 1 ? `Give ${count} different drafts. ` : ''}Answer as {"suggestions": [{${fields.map((f) => `"${f}": "..."`).join(', ')}}]}.\n\n${JSON.stringify(input)}`,
    },
  ];
}
