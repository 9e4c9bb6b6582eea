/**
 * @module The opt-out instruction of marketing SMS. `optOutText` is the line in the contact's
 * language (English, Arabic, Persian; other languages get English, whose keyword STOP is what
 * carriers and our inbound handling recognise everywhere), unless the country's rule names its own
 * (UAE: the operators' short code 7726; Iran: «لغو۱۱»). `appendOptOut` adds it on a new line unless
 * `hasOptOut` finds the template already carries an opt-out in any supported language, so a template
 * that wrote its own is not doubled. The caller appends it to promotional messages only.
 *
 * Note the cost: an Arabic or Persian line makes the whole message UCS-2 (./encoding.ts), so append
 * before counting segments.
 */
import { asciiDigits } from '../../core/phone.js';
import { rulesFor, type CountryRulesOverrides } from './country-rules.js';

export type OptOutLanguage = 'en' | 'ar' | 'fa';

export const STANDARD_OPT_OUT: Readonly<Record<OptOutLanguage, string>> = Object.freeze({
  en: 'Reply STOP to opt out',
  ar: 'لإلغاء الاشتراك أرسل STOP',
  fa: 'برای لغو عضویت STOP را ارسال کنید',
});

/** `ar-SA` → `ar`, `fa_IR` → `fa`; anything else (or none) → `en`. */
export function optOutLanguage(locale: string | null | undefined): OptOutLanguage {
  const lang = (locale ?? '').trim().toLowerCase().split(/[-_]/)[0];
  return lang === 'ar' || lang === 'fa' ? lang : 'en';
}

/** The opt-out line for a contact's locale in a country: the country's own text for that language, else the standard one. */
export function optOutText(locale: string | null | undefined, country?: string, overrides?: CountryRulesOverrides): string {
  const lang = optOutLanguage(locale);
  const own = rulesFor(country, overrides).optOut.text;
  return (Object.hasOwn(own, lang) ? own[lang] : undefined) ?? STANDARD_OPT_OUT[lang];
}

/**
 * Text as compared: Arabic and Persian letter variants folded (ي ی ى → ي, ك ک → ك, إ أ آ → ا),
 * diacritics, tatweel, zero-width and bidi characters removed, Arabic-Indic and Persian digits made
 * ASCII, runs of white space made one space.
 */
function fold(text: string): string {
  return asciiDigits(text)
    .replace(/[\u064B-\u065F\u0670\u0640\u200B-\u200F\u202A-\u202E\u2066-\u2069\u061C\uFEFF]/g, '')
    .replace(/[\u06CC\u0649]/g, '\u064A')
    .replace(/\u06A9/g, '\u0643')
    .replace(/[\u0622\u0623\u0625]/g, '\u0627')
    .replace(/\s+/g, ' ');
}

/** Opt-out forms recognised in any supported language (on folded text). */
const OPT_OUT_FORMS: readonly RegExp[] = [
  /(^|[^A-Za-z])STOP($|[^A-Za-z])/, // the keyword, in capitals as carriers write it
  /\b(reply|text|txt|send|sms)\s+["'“‘]?(stop|quit|end|cancel|revoke|unsubscribe|opt ?out)\b/i, // the keywords docs/standards.md §15 lists
  /\bunsubscribe\b/i,
  /\bopt[\s-]?out\b/i,
  /الغاء\s?(ال)?اشتراك/, // إلغاء الاشتراك, لإلغاء الاشتراك
  /لغو\s?(عضويت|اشتراك)/, // لغو عضویت, لغو اشتراک
  /لغو\s?11/, // لغو۱۱
];

/**
 * True when `text` already carries an opt-out instruction: any STOP keyword form in English, Arabic
 * or Persian, or the country's own opt-out text for `locale`. The country's extra reply keywords
 * (Iran: `11`) are not looked for: a bare number in a text is no instruction.
 */
export function hasOptOut(text: string, locale?: string | null, country?: string, overrides?: CountryRulesOverrides): boolean {
  const folded = fold(text);
  if (OPT_OUT_FORMS.some((form) => form.test(folded))) return true;
  return folded.includes(fold(optOutText(locale, country, overrides)));
}

/** `text` with the opt-out line on a new line, unless it already carries one. */
export function appendOptOut(text: string, locale: string | null | undefined, country?: string, overrides?: CountryRulesOverrides): string {
  if (hasOptOut(text, locale, country, overrides)) return text;
  const line = optOutText(locale, country, overrides);
  const body = text.replace(/\s+$/, '');
  return body === '' ? line : `${body}\n${line}`;
}
