/**
 * @module Locale variants and text direction. A contact's locale falls back from the most specific
 * variant to its language and then to the template's default (`fa-IR` → `fa` → default).
 */
import type { LocaleVariant, TemplateContent } from './template.js';

/** Languages written right to left (Arabic, Persian, Hebrew, Urdu, and a few more in the same scripts). */
const RTL_LANGUAGES = new Set(['ar', 'fa', 'he', 'ur', 'ps', 'ckb', 'yi', 'dv', 'sd', 'ug']);

export type Direction = 'ltr' | 'rtl';

export function isRtlLocale(locale: string): boolean {
  return RTL_LANGUAGES.has(locale.split('-')[0]!.toLowerCase());
}

export function directionOf(content: TemplateContent, locale: string): Direction {
  if (content.direction === 'rtl' || content.direction === 'ltr') return content.direction;
  return isRtlLocale(locale) ? 'rtl' : 'ltr';
}

export function defaultLocaleOf(content: TemplateContent): string {
  return content.defaultLocale ?? 'en';
}

/**
 * The variant key to use for `wanted` ('' means the default content): exact match
 * (case-insensitive), then each shorter prefix (`zh-Hant-TW` → `zh-Hant` → `zh`).
 */
export function pickVariant(content: TemplateContent, wanted: string | null | undefined): string {
  const locales = content.locales ?? {};
  const keys = Object.keys(locales);
  if (!wanted || keys.length === 0) return '';
  const parts = wanted.replace(/_/g, '-').split('-');
  for (let n = parts.length; n > 0; n--) {
    const candidate = parts.slice(0, n).join('-').toLowerCase();
    const hit = keys.find((k) => k.toLowerCase() === candidate);
    if (hit) return hit;
  }
  return '';
}

export interface ResolvedVariant {
  /** '' for the default content. */
  key: string;
  locale: string;
  subject: string;
  preheader: string;
  body: string;
  /** Explicit text part, if any (a variant with its own body does not inherit the default text). */
  text: string | undefined;
}

/**
 * Whether variant `key` is written in another language than the default content (`ar` beside an
 * `en` default, not `en-GB`) with text of its own (its own subject or body). Such a variant never
 * inherits the default's preheader (an Arabic email must not open, in the inbox list, with the
 * English preheader): without one of its own it has none, and inboxes show its first line.
 */
export function ownsLanguage(content: TemplateContent, key: string): boolean {
  const v = key ? content.locales?.[key] : undefined;
  if (!v || (v.subject === undefined && v.body === undefined)) return false;
  const language = (locale: string) => locale.split('-')[0]!.toLowerCase();
  return language(key) !== language(defaultLocaleOf(content));
}

export function resolveVariant(content: TemplateContent, key: string): ResolvedVariant {
  const v: LocaleVariant | undefined = key ? content.locales?.[key] : undefined;
  const ownBody = v?.body !== undefined;
  return {
    key,
    locale: key || defaultLocaleOf(content),
    subject: v?.subject ?? content.subject ?? '',
    preheader: v?.preheader ?? (ownsLanguage(content, key) ? '' : (content.preheader ?? '')),
    body: v?.body ?? content.body,
    text: v?.text ?? (ownBody ? undefined : content.text),
  };
}
