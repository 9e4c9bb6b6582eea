/**
 * @module The texts Qatra answers a keyword with: the STOP and START confirmations and the default
 * HELP text, in English, Arabic and Persian, each naming the workspace. A confirmation carries no
 * marketing (the FCC allows one confirmation of a STOP, and nothing else: docs/sms.md).
 *
 * The language: the contact's locale when it is Arabic or Persian, else the script the person wrote
 * in (Persian letters پ چ ژ گ ک ی → Persian, other Arabic script → Arabic), else English.
 */

export type ReplyLanguage = 'en' | 'ar' | 'fa';
export type ConfirmedKind = 'stop' | 'start' | 'help';

const TEXTS: Record<ReplyLanguage, Record<ConfirmedKind, (workspace: string) => string>> = {
  en: {
    stop: (w) => `${w}: You are unsubscribed and will receive no more messages from us. Reply START to subscribe again.`,
    start: (w) => `${w}: You are subscribed again. Reply STOP to unsubscribe, HELP for help.`,
    help: (w) => `${w}: Reply STOP to unsubscribe, START to subscribe again.`,
  },
  ar: {
    stop: (w) => `${w}: تم إلغاء اشتراكك ولن تصلك منا رسائل بعد الآن. لإعادة الاشتراك أرسل «اشتراك».`,
    start: (w) => `${w}: تمت إعادة اشتراكك. لإلغاء الاشتراك أرسل «إلغاء»، وللمساعدة أرسل «مساعدة».`,
    help: (w) => `${w}: لإلغاء الاشتراك أرسل «إلغاء»، ولإعادة الاشتراك أرسل «اشتراك».`,
  },
  fa: {
    stop: (w) => `${w}: اشتراک شما لغو شد و دیگر پیامکی از ما دریافت نمی‌کنید. برای عضویت دوباره «شروع» را بفرستید.`,
    start: (w) => `${w}: عضویت شما دوباره فعال شد. برای لغو «لغو» و برای راهنمایی «راهنما» را بفرستید.`,
    help: (w) => `${w}: برای لغو عضویت «لغو» و برای عضویت دوباره «شروع» را بفرستید.`,
  },
};

/** The language of the answer to `text` from a contact with `locale` (see the module comment). */
export function replyLanguage(locale: string | null, text: string): ReplyLanguage {
  const lang = (locale ?? '').trim().toLowerCase().split(/[-_]/)[0];
  if (lang === 'ar' || lang === 'fa') return lang;
  if (lang === 'en' || !/[\u0600-\u06FF]/.test(text)) return 'en';
  return /[پچژگکی]/.test(text) ? 'fa' : 'ar';
}

/** The confirmation (stop, start) or default help text in `language`, naming the workspace. */
export function keywordReply(kind: ConfirmedKind, language: ReplyLanguage, workspaceName: string): string {
  return TEXTS[language][kind](workspaceName);
}
