/**
 * @module What an inbound SMS asks for: `classifyReply(text)` → 'stop' | 'start' | 'help' | null.
 *
 * Normalisation first (`normalizeReply`): NFKC (Arabic presentation forms, full-width Latin), Latin
 * lower case; Arabic and Persian letter variants folded (ي ی ى → ي, ك ک → ك, أ إ آ ٱ → ا, ة → ه, ؤ → و,
 * ئ → ي); diacritics (harakat, tanwin, superscript alef), tatweel, ZWNJ/ZWJ and direction marks
 * dropped; Arabic-Indic and Persian digits → 0-9; apostrophes dropped (don't → dont); any other
 * punctuation, symbol or emoji is a word break.
 *
 * STOP. The FCC's rule (47 CFR 64.1200(a)(10), in force since 11 April 2025) names "stop", "quit",
 * "end", "revoke", "opt out", "cancel" and "unsubscribe" as revocations per se, and requires any
 * other wording to be honoured when "a reasonable person would understand" it as one. We implement
 * that as a closed, documented heuristic, applied to each sentence or comma clause of the message (so
 * "STOP. Who is this?" and "stop texting me, Jane here" stop), that keeps to phrases whose only
 * reading is "stop messaging me":
 *  1. one of the named words (and the carriers' STOPALL, OPTOUT, STOP ALL), alone;
 *  2. such a word as the command of a short sentence whose other words only name the messages or
 *     are courtesy ("please stop texting me", "unsubscribe me from this list", "cancel my
 *     subscription", "I want to opt out", "how do I unsubscribe?"): every other word must be in FILLER or MESSAGE_WORDS, so
 *     "stop by the store tomorrow", "cancel my order" and "don't stop" (a negation is no filler)
 *     stay replies;
 *  3. a few fixed plain-language refusals: "don't/do not/never text me", "no more texts", "remove
 *     me (from your list)", "take me off your list", "leave me alone";
 *  4. the same in Arabic («إلغاء», «الغاء الاشتراك», «توقف», «أوقف الرسائل», «إيقاف», «لا ترسل لي
 *     رسائل») and Persian («لغو», «لغو عضویت», «انصراف», «توقف», «پیامک نفرستید», «پیامک نمی‌خواهم»),
 *     a keyword followed by a service number included («لغو۱۱», the Iranian practice).
 *  A bare «نمی‌خواهم» ("I don't want") is not a revocation: without naming the messages it may
 *  refuse the offer, not the channel. Misspellings are not guessed.
 *
 * START and HELP are whole-message keywords (courtesy words and a service number aside): START,
 * UNSTOP, YES, «اشتراك», «ابدأ», «نعم», «شروع», «عضویت», «بله»; HELP, INFO, «مساعدة», «راهنما», «کمک».
 * YES-like words (`isAffirmation`) re-subscribe only someone who unsubscribed (./inbound.ts): a
 * "yes" to an appointment reminder is no opt-in.
 *
 * A workspace's extra words (sms_settings keywords) match the whole normalised message; STOP is
 * checked before START and HELP, so a message can never both stop and start.
 */

export type ReplyKind = 'stop' | 'start' | 'help';

export interface ExtraKeywords {
  stop?: readonly string[] | undefined;
  start?: readonly string[] | undefined;
  help?: readonly string[] | undefined;
}

/** The per-se STOP words (single tokens after normalisation; "opt out" is handled as two). */
const STOP_WORDS = new Set([
  'stop',
  'stopall',
  'unsubscribe',
  'cancel',
  'end',
  'quit',
  'revoke',
  'optout',
  // Arabic: cancel (masdar and imperative), stop (verb and imperative), stopping, transliterated STOP.
  'الغاء',
  'الغ',
  'توقف',
  'اوقف',
  'اوقفوا',
  'ايقاف',
  'وقف',
  'ستوب',
  // Persian: cancel, opt-out / withdrawal (توقف is shared with Arabic).
  'لغو',
  'انصراف',
]);

const START_WORDS = new Set(['start', 'unstop', 'yes', 'اشتراك', 'ابدا', 'نعم', 'شروع', 'عضويت', 'بله']);
const AFFIRMATIONS = new Set(['yes', 'نعم', 'بله']);
const HELP_WORDS = new Set(['help', 'info', 'مساعده', 'راهنما', 'راهنمايي', 'كمك']);

/** Words that name the messages or the sending of them (and the negated Persian "send"/"give"). */
const MESSAGE_WORDS = new Set([
  'text',
  'texts',
  'texting',
  'message',
  'messages',
  'messaging',
  'msg',
  'msgs',
  'sms',
  'send',
  'sending',
  'contact',
  'contacting',
  'promotions',
  'ads',
  // Arabic
  'رساله',
  'الرساله',
  'رسائل',
  'الرسائل',
  'رسايل',
  'الرسايل',
  'ارسال',
  'الارسال',
  'ترسل',
  'ترسلوا',
  'ترسلي',
  'تراسلني',
  'تراسلوني',
  'الاعلانات',
  // Persian (ZWNJ removed: پیامک‌ها → پيامكها)
  'پيام',
  'پيامها',
  'پيامك',
  'پيامكها',
  'تبليغات',
  'تبليغ',
]);

/** Courtesy, pronouns and words about "the list/subscription" that change nothing in a command. */
const FILLER = new Set([
  'please',
  'pls',
  'plz',
  'kindly',
  'how',
  'do',
  'can',
  'could',
  'will',
  'would',
  'you',
  'u',
  'i',
  'id',
  'want',
  'wanna',
  'like',
  'need',
  'to',
  'me',
  'my',
  'us',
  'our',
  'it',
  'them',
  'these',
  'those',
  'this',
  'the',
  'your',
  'ur',
  'all',
  'any',
  'anymore',
  'more',
  'again',
  'now',
  'immediately',
  'asap',
  'right',
  'away',
  'just',
  'from',
  'of',
  'list',
  'number',
  'subscription',
  'consent',
  'thanks',
  'thank',
  'thx',
  'ok',
  'okay',
  // Arabic: please, to me, from, about, the subscription.
  'من',
  'فضلك',
  'لو',
  'سمحت',
  'الرجاء',
  'رجاء',
  'رجاءا',
  'ارجو',
  'لي',
  'عن',
  'الاشتراك',
  'اشتراكي',
  'شكرا',
  // Persian: please, more/anymore, from, to, me, (object marker), do/does, membership, subscription, receive, thanks.
  'لطفا',
  'ديگه',
  'ديگر',
  'از',
  'به',
  'من',
  'منو',
  'مرا',
  'را',
  'رو',
  'كنيد',
  'كن',
  'كنين',
  'بشه',
  'شود',
  'عضويت',
  'اشتراك',
  'دريافت',
  'ممنون',
  'مرسي',
]);

const NEGATIONS = new Set(['dont', 'not', 'never', 'no', 'لا']);
/** Persian verbs that carry their own negation: don't send, don't give, I/we don't want. */
const NEGATED_SEND = new Set(['نفرست', 'نفرستيد', 'نفرستين', 'نده', 'ندين', 'ندهيد']);
const NEGATED_WANT = new Set(['نميخواهم', 'نميخوام', 'نميخواهيم', 'نميخوايم']);

const FIXED_STOP_PHRASES = new Set(['remove', 'take off', 'leave alone']);

/** Normalised words of a text (see the module comment). */
export function normalizeReply(text: string): string[] {
  const folded = text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u064B-\u065F\u0670\u06D6-\u06ED\u0640\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g, '')
    .replace(/[يیى]/g, 'ي')
    .replace(/[كک]/g, 'ك')
    .replace(/[أإآٱ]/g, 'ا')
    .replace(/[ةۀ]/g, 'ه')
    .replace(/ؤ/g, 'و')
    .replace(/ئ/g, 'ي')
    .replace(/[\u0660-\u0669]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
    .replace(/['’‘`´]/g, '');
  return folded.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
}

/** Sentences and clauses of a text (split before normalising, which turns punctuation into word breaks). */
function sentences(text: string): string[] {
  return text.split(/[.,!?؟،\n\r;؛…]+/u);
}

/** A word without a trailing service number («لغو۱۱» → لغو, stop2 → stop); a number alone is dropped. */
function withoutNumbers(words: readonly string[]): string[] {
  return words.map((w) => w.replace(/(?<=\p{L})\p{N}+$/u, '')).filter((w) => !/^\p{N}+$/u.test(w));
}

/** The words that carry meaning: filler dropped, message words as MSG (repeats merged). */
function core(words: readonly string[]): string[] {
  const out: string[] = [];
  for (const w of words) {
    if (FILLER.has(w)) continue;
    const token = MESSAGE_WORDS.has(w) ? 'MSG' : w;
    if (token === 'MSG' && out[out.length - 1] === 'MSG') continue;
    out.push(token);
  }
  return out;
}

function isStopSentence(words: readonly string[]): boolean {
  const c = core(withoutNumbers(words));
  if (c.length === 0) return false;
  const phrase = c.join(' ');
  // 1 and 2: a STOP word as the command, then only message words ("stop texting", «أوقف الرسائل»).
  if (STOP_WORDS.has(c[0]!) && c.slice(1).every((w) => w === 'MSG' || STOP_WORDS.has(w))) return true;
  if (phrase === 'opt out' || phrase === 'opt out MSG') return true;
  // 3: fixed refusals ("don't text me", "no more texts", «لا ترسل لي رسائل»).
  if (c.length === 2 && NEGATIONS.has(c[0]!) && c[1] === 'MSG') return true;
  if (FIXED_STOP_PHRASES.has(phrase)) return true;
  // 4: Persian self-negating verbs with the messages named: «پیامک نفرستید», «پیامک نمی‌خواهم».
  if (c.length === 1 && NEGATED_SEND.has(c[0]!)) return true;
  if (c.length === 2 && c.includes('MSG') && c.some((w) => NEGATED_SEND.has(w) || NEGATED_WANT.has(w))) return true;
  return false;
}

/** The whole message reduced to one keyword candidate: courtesy words and numbers dropped. */
function soleWord(words: readonly string[]): string | null {
  const left = withoutNumbers(words).filter((w) => !COURTESY.has(w));
  return left.length === 1 ? left[0]! : null;
}
const COURTESY = new Set(['please', 'pls', 'plz', 'thanks', 'thank', 'you', 'لطفا', 'الرجاء', 'من', 'فضلك', 'شكرا', 'ممنون', 'مرسي']);

function matchesExtra(words: readonly string[], extra: readonly string[] | undefined): boolean {
  if (!extra || extra.length === 0) return false;
  const whole = words.join(' ');
  return extra.some((e) => {
    const w = normalizeReply(e).join(' ');
    return w.length > 0 && w === whole;
  });
}

/** What the reply asks for, or null for an ordinary reply. */
export function classifyReply(text: string, extra: ExtraKeywords = {}): ReplyKind | null {
  const words = normalizeReply(text);
  if (words.length === 0) return null;
  if (matchesExtra(words, extra.stop)) return 'stop';
  if (sentences(text).some((s) => isStopSentence(normalizeReply(s)))) return 'stop';
  if (matchesExtra(words, extra.start)) return 'start';
  const sole = soleWord(words);
  if (sole !== null && START_WORDS.has(sole)) return 'start';
  if (matchesExtra(words, extra.help)) return 'help';
  if (sole !== null && HELP_WORDS.has(sole)) return 'help';
  return null;
}

/** True for a START that is only a "yes" (YES, «نعم», «بله»): it re-subscribes only after a STOP. */
export function isAffirmation(text: string): boolean {
  const sole = soleWord(normalizeReply(text));
  return sole !== null && AFFIRMATIONS.has(sole);
}
