/**
 * @module The query side of contact search: folds what a person typed the way migrations/000040.sql
 * folds `contacts.search_text` (lower case; Arabic and Persian letter variants to one letter;
 * tatweel and harakat removed), and splits it into the words that must each appear.
 */

const FOLDS: ReadonlyArray<readonly [string, string]> = [
  ['\u0623', '\u0627'], // أ → ا
  ['\u0625', '\u0627'], // إ → ا
  ['\u0622', '\u0627'], // آ → ا
  ['\u0671', '\u0627'], // ٱ → ا
  ['\u0649', '\u064a'], // ى → ي
  ['\u06cc', '\u064a'], // ی (Persian) → ي
  ['\u06a9', '\u0643'], // ک (Persian) → ك
  ['\u0629', '\u0647'], // ة → ه
];
const DROPPED = /[\u0640\u064b-\u0652]/g;

/** The folded form of a text, as stored in search_text. */
export function foldSearchText(text: string): string {
  let out = text.toLowerCase().replace(DROPPED, '');
  for (const [from, to] of FOLDS) out = out.split(from).join(to);
  return out;
}

/** A word made only of digits and phone punctuation, with at least 3 digits. */
const PHONE_LIKE = /^\+?[\d\s().-]*\d[\d\s().-]*$/;

/**
 * The words of a query, folded. A phone number typed with spaces, dashes or brackets becomes its
 * digits, without the leading `+` or national trunk zeros ("0501 234-567" → "501234567"), so it
 * matches inside the stored E.164 number (+966501234567).
 */
export function searchWords(query: string): string[] {
  const trimmed = query.trim();
  if (PHONE_LIKE.test(trimmed) && trimmed.replace(/\D/g, '').length >= 3) {
    const digits = trimmed.replace(/\D/g, '').replace(/^0+/, '');
    return digits ? [digits] : [];
  }
  return foldSearchText(trimmed)
    .split(/\s+/)
    .filter((w) => w.length > 0)
    .slice(0, 8);
}

/** A LIKE pattern matching `word` anywhere, with `\` as the escape character. */
export function containsPattern(word: string): string {
  return `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
