/**
 * @module The words of Qatra's public pages (unsubscribe, preferences, signup forms) in English,
 * Arabic and Persian, and the choice of language: the contact's locale (`ar-EG` → ar, `fa_IR` → fa),
 * else the language the browser asks for, else English. Arabic and Persian pages are right to left.
 * Names and addresses inside the strings come in escaped, through `{placeholders}`.
 */
import { escapeHtml } from './html.js';

export type PageLang = 'en' | 'ar' | 'fa';
export const PAGE_LANGS: readonly PageLang[] = ['en', 'ar', 'fa'];

const en = {
  unsubscribe: 'Unsubscribe',
  unsubscribeFrom: 'Unsubscribe from',
  onlyTopic: 'only “{topic}” emails',
  allFrom: 'all marketing email from {sender}',
  willStopTopic: '{address} will stop receiving these emails from {sender}.',
  willStopAll: '{address} will stop receiving marketing emails from {sender}.',
  whyLeaving: 'Why are you leaving? (optional)',
  chooseInstead: 'Choose which emails you get instead',
  unsubscribed: 'Unsubscribed',
  youAreUnsubscribed: 'You are unsubscribed',
  noLongerTopic: '{address} will no longer receive “{topic}” emails.',
  noLongerAll: '{address} will no longer receive marketing email from {sender}.',
  manage: 'Manage your preferences',
  preferences: 'Email preferences',
  saved: 'Saved.',
  emailsFromTo: 'Emails from {sender} to {address}.',
  topics: 'Topics',
  noTopics: 'This sender has no separate topics.',
  receiveMarketing: 'Receive marketing email (uncheck to unsubscribe from everything)',
  save: 'Save',
  yourAddress: 'your address',
  emailAddress: 'Email address',
  subscribe: 'Subscribe',
  pleaseCorrect: 'Please correct the following:',
  leaveEmpty: 'Leave this empty',
  almostDone: 'Almost done: we have sent you an email. Please open the link in it to confirm your subscription.',
  thankYou: 'Thank you, you are subscribed.',
  confirmWant: 'Please confirm that you want to receive {list}.',
  confirmButton: 'Confirm my subscription',
  'issue.emailMissing': 'Please enter your email address.',
  'issue.emailInvalid': 'Please enter a valid email address.',
  'issue.consent': 'Please tick the box to agree.',
};

export type PageKey = keyof typeof en;

const ar: Record<PageKey, string> = {
  unsubscribe: 'إلغاء الاشتراك',
  unsubscribeFrom: 'إلغاء الاشتراك في',
  onlyTopic: 'رسائل «{topic}» فقط',
  allFrom: 'كل الرسائل التسويقية من {sender}',
  willStopTopic: 'لن يتلقى {address} هذه الرسائل من {sender} بعد الآن.',
  willStopAll: 'لن يتلقى {address} الرسائل التسويقية من {sender} بعد الآن.',
  whyLeaving: 'لماذا تغادر؟ (اختياري)',
  chooseInstead: 'اختر بدلًا من ذلك الرسائل التي تصلك',
  unsubscribed: 'أُلغي الاشتراك',
  youAreUnsubscribed: 'تم إلغاء اشتراكك',
  noLongerTopic: 'لن يتلقى {address} رسائل «{topic}» بعد الآن.',
  noLongerAll: 'لن يتلقى {address} الرسائل التسويقية من {sender} بعد الآن.',
  manage: 'إدارة تفضيلاتك',
  preferences: 'تفضيلات البريد',
  saved: 'تم الحفظ.',
  emailsFromTo: 'الرسائل من {sender} إلى {address}.',
  topics: 'المواضيع',
  noTopics: 'لا توجد لدى هذا المرسل مواضيع منفصلة.',
  receiveMarketing: 'تلقي الرسائل التسويقية (أزل العلامة لإلغاء الاشتراك في كل شيء)',
  save: 'حفظ',
  yourAddress: 'عنوانك',
  emailAddress: 'البريد الإلكتروني',
  subscribe: 'اشترك',
  pleaseCorrect: 'يرجى تصحيح ما يلي:',
  leaveEmpty: 'اترك هذا الحقل فارغًا',
  almostDone: 'اقتربنا: أرسلنا إليك رسالة بريد. افتح الرابط فيها لتأكيد اشتراكك.',
  thankYou: 'شكرًا لك، تم اشتراكك.',
  confirmWant: 'يرجى تأكيد رغبتك في تلقي {list}.',
  confirmButton: 'تأكيد اشتراكي',
  'issue.emailMissing': 'يرجى إدخال بريدك الإلكتروني.',
  'issue.emailInvalid': 'يرجى إدخال بريد إلكتروني صالح.',
  'issue.consent': 'يرجى وضع علامة في المربع للموافقة.',
};

const fa: Record<PageKey, string> = {
  unsubscribe: 'لغو اشتراک',
  unsubscribeFrom: 'لغو اشتراک از',
  onlyTopic: 'فقط ایمیل‌های «{topic}»',
  allFrom: 'همهٔ ایمیل‌های تبلیغاتی {sender}',
  willStopTopic: '{address} دیگر این ایمیل‌ها را از {sender} دریافت نمی‌کند.',
  willStopAll: '{address} دیگر ایمیل‌های تبلیغاتی {sender} را دریافت نمی‌کند.',
  whyLeaving: 'چرا می‌روید؟ (اختیاری)',
  chooseInstead: 'به‌جای آن انتخاب کنید کدام ایمیل‌ها را بگیرید',
  unsubscribed: 'اشتراک لغو شد',
  youAreUnsubscribed: 'اشتراک شما لغو شد',
  noLongerTopic: '{address} دیگر ایمیل‌های «{topic}» را دریافت نمی‌کند.',
  noLongerAll: '{address} دیگر ایمیل‌های تبلیغاتی {sender} را دریافت نمی‌کند.',
  manage: 'مدیریت ترجیحات',
  preferences: 'ترجیحات ایمیل',
  saved: 'ذخیره شد.',
  emailsFromTo: 'ایمیل‌های {sender} به {address}.',
  topics: 'موضوع‌ها',
  noTopics: 'این فرستنده موضوع جداگانه‌ای ندارد.',
  receiveMarketing: 'دریافت ایمیل تبلیغاتی (برای لغو همه، تیک را بردارید)',
  save: 'ذخیره',
  yourAddress: 'نشانی شما',
  emailAddress: 'نشانی ایمیل',
  subscribe: 'عضویت',
  pleaseCorrect: 'لطفاً این موارد را اصلاح کنید:',
  leaveEmpty: 'این را خالی بگذارید',
  almostDone: 'تقریباً تمام است: ایمیلی برایتان فرستادیم. برای تأیید عضویت، پیوند داخل آن را باز کنید.',
  thankYou: 'سپاس، عضویت شما انجام شد.',
  confirmWant: 'لطفاً تأیید کنید که می‌خواهید {list} را دریافت کنید.',
  confirmButton: 'تأیید عضویت',
  'issue.emailMissing': 'لطفاً نشانی ایمیل خود را وارد کنید.',
  'issue.emailInvalid': 'لطفاً یک نشانی ایمیل معتبر وارد کنید.',
  'issue.consent': 'لطفاً برای موافقت، کادر را تیک بزنید.',
};

export const PAGE_STRINGS: Record<PageLang, Record<PageKey, string>> = { en, ar, fa };

/** The page language for a locale tag (`ar`, `ar-EG`, `fa_IR`), or null when Qatra has no pages in it. */
export function pageLangOf(locale: string | null | undefined): PageLang | null {
  const base = (locale ?? '').split(/[-_]/)[0]!.toLowerCase();
  return (PAGE_LANGS as readonly string[]).includes(base) ? (base as PageLang) : null;
}

/** The contact's language if Qatra has pages in it, else the first of Accept-Language that it has, else English. */
export function choosePageLang(locale: string | null | undefined, acceptLanguage?: string | undefined): PageLang {
  const own = pageLangOf(locale);
  if (own) return own;
  for (const part of (acceptLanguage ?? '').slice(0, 500).split(',')) {
    const lang = pageLangOf(part.split(';')[0]!.trim());
    if (lang) return lang;
  }
  return 'en';
}

export function pageDir(lang: PageLang): 'ltr' | 'rtl' {
  return lang === 'en' ? 'ltr' : 'rtl';
}

/** A page string as HTML: the string's own text and every value escaped. */
export function say(lang: PageLang, key: PageKey, vars: Record<string, string> = {}): string {
  let s = escapeHtml(PAGE_STRINGS[lang][key]);
  for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, v);
  return s;
}
