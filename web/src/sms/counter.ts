/**
 * What the SMS editor shows under the text: the server's own analysis (src/channels/sms/encoding.ts,
 * pure, bundled into the app so the counter and the sender can never disagree), plus why a text is
 * Unicode (the characters GSM-7 cannot carry), which GSM-7 characters cost two units (the extension
 * table: € [ ] { } ~ ^ \ |), and whether "replace typographic quotes" would keep it GSM-7.
 */
import { analyzeSms, isGsm7, replaceTypographic, type SmsAnalysis } from '../../../src/channels/sms/encoding';

const EXTENSION = new Set('\f^{}\\[~]|€');

export interface SmsCount extends SmsAnalysis {
  /** Distinct characters that force UCS-2, in order of appearance (empty when GSM-7). */
  unicodeChars: string[];
  /** Distinct GSM extension characters (two units each) in a GSM-7 text. */
  extensionChars: string[];
  /** True when the text is UCS-2 as written but replacing typographic characters would make it GSM-7. */
  typographicWouldHelp: boolean;
  /** The analysis with the replacement, when it helps (what the workspace would send with the setting on). */
  replaced: SmsAnalysis | null;
}

const distinct = (chars: Iterable<string>) => [...new Set(chars)];

export function countSms(text: string, options: { replaceTypographic?: boolean } = {}): SmsCount {
  const analysis = analyzeSms(text, { replaceTypographic: options.replaceTypographic });
  const sent = analysis.text;
  const unicodeChars = analysis.encoding === 'ucs2' ? distinct([...sent].filter((ch) => !isGsm7(ch))) : [];
  const extensionChars = analysis.encoding === 'gsm7' ? distinct([...sent].filter((ch) => EXTENSION.has(ch))) : [];
  const wouldHelp = !options.replaceTypographic && analysis.encoding === 'ucs2' && isGsm7(replaceTypographic(text));
  return { ...analysis, unicodeChars, extensionChars, typographicWouldHelp: wouldHelp, replaced: wouldHelp ? analyzeSms(text, { replaceTypographic: true }) : null };
}

/** Units used in the last segment: "134/153" of "2 segments · 134/153". */
export const usedInSegment = (c: SmsAnalysis) => c.perSegment - c.remaining;

/** Locales written right to left: the phone preview's bubble takes `dir="rtl"` for them. */
const RTL_LANGS = new Set(['ar', 'fa', 'he', 'ur']);
export const isRtlLocale = (locale: string | null | undefined) => RTL_LANGS.has((locale ?? '').toLowerCase().split(/[-_]/)[0] ?? '');

/**
 * The standard opt-out line appended to marketing SMS, per language (the same text as
 * STANDARD_OPT_OUT in src/channels/sms/opt-out.ts, copied: that module pulls in the phone-number
 * library). A country rule may name its own line; the preview shows the standard one.
 */
export const OPT_OUT_LINE: Readonly<Record<'en' | 'ar' | 'fa', string>> = {
  en: 'Reply STOP to opt out',
  ar: 'لإلغاء الاشتراك أرسل STOP',
  fa: 'برای لغو عضویت STOP را ارسال کنید',
};

export function optOutLine(locale: string | null | undefined): string {
  const lang = (locale ?? '').toLowerCase().split(/[-_]/)[0];
  return lang === 'ar' || lang === 'fa' ? OPT_OUT_LINE[lang] : OPT_OUT_LINE.en;
}

/** The text as sent to a contact of `locale`: a marketing SMS gets the opt-out line on a new line. */
export const withOptOut = (text: string, locale: string | null | undefined, marketing: boolean) => (marketing && text.trim() ? `${text.trim()}\n${optOutLine(locale)}` : text);
