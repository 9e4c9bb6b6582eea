import { describe, expect, it } from 'vitest';
import { analyzeSms, isGsm7, replaceTypographic, splitSms, type SmsEncoding } from './encoding.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const EXTENSION = ['\f', '^', '{', '}', '\\', '[', '~', ']', '|', '€'];

/** Units of one part, counted independently of the module. */
function unitsOf(part: string, encoding: SmsEncoding): number {
  if (encoding === 'ucs2') return part.length;
  let n = 0;
  for (const ch of part) n += EXTENSION.includes(ch) ? 2 : 1;
  return n;
}

const ARABIC = 'مرحباً بك في متجرنا! استخدم الرمز SALE20 للحصول على خصم ٢٠٪ على جميع المنتجات حتى نهاية الأسبوع.';
const PERSIAN = 'سلام! سفارش شما با شماره ۱۲۳۴۵ ارسال شد و فردا به دستتان می‌رسد. برای پیگیری به سایت ما سر بزنید.';

describe('analyzeSms: GSM-7', () => {
  it('counts every character of the GSM 03.38 basic table as one septet', () => {
    const basic = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
    expect([...basic]).toHaveLength(127); // 128 codes less the escape
    for (const ch of basic) expect(analyzeSms(ch), JSON.stringify(ch)).toMatchObject({ encoding: 'gsm7', units: 1, segments: 1 });
  });

  it('counts each extension character (form feed, ^ { } \\ [ ~ ] | €) as two septets', () => {
    for (const ch of EXTENSION) expect(analyzeSms(ch), JSON.stringify(ch)).toMatchObject({ encoding: 'gsm7', units: 2, segments: 1, remaining: 158 });
  });

  it('fits 160 septets in one SMS and splits 161 into two parts of at most 153', () => {
    expect(analyzeSms('a'.repeat(160))).toEqual({ text: 'a'.repeat(160), encoding: 'gsm7', units: 160, segments: 1, perSegment: 160, remaining: 0 });
    expect(analyzeSms('a'.repeat(161))).toMatchObject({ units: 161, segments: 2, perSegment: 153, remaining: 153 * 2 - 161 });
    expect(analyzeSms('a'.repeat(306))).toMatchObject({ segments: 2, remaining: 0 });
    expect(analyzeSms('a'.repeat(307))).toMatchObject({ segments: 3, remaining: 152 });
  });

  it('counts an extension character at the 160 boundary as two: 158 + € fits, 159 + € does not', () => {
    expect(analyzeSms(`${'a'.repeat(158)}€`)).toMatchObject({ units: 160, segments: 1, remaining: 0 });
    expect(analyzeSms(`${'a'.repeat(159)}€`)).toMatchObject({ units: 161, segments: 2 });
  });

  it('never splits an escape pair: a € that would straddle a part boundary starts the next part, costing a segment', () => {
    const text = `${'a'.repeat(152)}€${'a'.repeat(152)}`; // 306 septets: 2 parts by arithmetic, 3 in truth
    const parts = splitSms(text, 'gsm7');
    expect(parts).toEqual(['a'.repeat(152), `€${'a'.repeat(151)}`, 'a']);
    expect(analyzeSms(text)).toMatchObject({ units: 306, segments: 3, remaining: 152 });
  });

  it('gives an empty text no segment and the whole SMS free', () => {
    expect(analyzeSms('')).toEqual({ text: '', encoding: 'gsm7', units: 0, segments: 0, perSegment: 160, remaining: 160 });
    expect(splitSms('', 'gsm7')).toEqual([]);
  });

  it('treats a literal escape character or a tab as outside GSM-7', () => {
    expect(analyzeSms('a\u001Bb').encoding).toBe('ucs2');
    expect(analyzeSms('a\tb').encoding).toBe('ucs2');
    expect(isGsm7('Price: 5€ [promo] {x}')).toBe(true);
  });
});

describe('analyzeSms: UCS-2', () => {
  it('sends an Arabic sentence with Latin letters, ASCII and Arabic-Indic digits as UCS-2, 67 units per part', () => {
    const a = analyzeSms(ARABIC);
    expect(a.encoding).toBe('ucs2');
    expect(a.units).toBe(ARABIC.length);
    expect(a.perSegment).toBe(67);
    expect(a.segments).toBe(Math.ceil(ARABIC.length / 67));
  });

  it('sends a Persian sentence (Persian digits, zero-width non-joiner) as UCS-2', () => {
    const a = analyzeSms(PERSIAN);
    expect(a).toMatchObject({ encoding: 'ucs2', units: PERSIAN.length, perSegment: 67, segments: Math.ceil(PERSIAN.length / 67) });
    expect(splitSms(PERSIAN, 'ucs2').join('')).toBe(PERSIAN);
  });

  it('fits 70 units in one SMS and splits 71 into parts of 67', () => {
    const seventy = 'س'.repeat(70);
    expect(analyzeSms(seventy)).toMatchObject({ encoding: 'ucs2', units: 70, segments: 1, perSegment: 70, remaining: 0 });
    expect(analyzeSms(`${seventy}س`)).toMatchObject({ units: 71, segments: 2, perSegment: 67, remaining: 63 });
  });

  it('makes a mostly-Latin message UCS-2 for one Arabic letter: 160 Latin letters become 3 segments', () => {
    expect(analyzeSms(`${'a'.repeat(159)}ب`)).toMatchObject({ encoding: 'ucs2', units: 160, segments: 3 });
  });

  it('counts an emoji as two units and 35 emoji fill one SMS', () => {
    expect(analyzeSms('😀')).toMatchObject({ encoding: 'ucs2', units: 2, segments: 1, remaining: 68 });
    expect(analyzeSms('😀'.repeat(35))).toMatchObject({ units: 70, segments: 1 });
    expect(analyzeSms('😀'.repeat(36))).toMatchObject({ units: 72, segments: 2 });
    expect(splitSms('😀'.repeat(36), 'ucs2')).toEqual(['😀'.repeat(33), '😀'.repeat(3)]);
  });

  it('never splits a surrogate pair: an emoji at unit 67 starts the next part', () => {
    const text = `${'م'.repeat(66)}😀${'م'.repeat(10)}`;
    const parts = splitSms(text, 'ucs2');
    expect(parts).toEqual(['م'.repeat(66), `😀${'م'.repeat(10)}`]);
    for (const p of parts) expect(p).not.toMatch(LONE_SURROGATE);
  });

  it('refuses to split a non-GSM text as GSM-7', () => {
    expect(() => splitSms('سلام', 'gsm7')).toThrow(RangeError);
  });
});

describe('typographic replacement', () => {
  it('maps curly quotes, dashes, ellipsis and no-break spaces to GSM-7 when asked', () => {
    const text = '“Sale” – it’s on… today\u00A0only — 50%';
    expect(analyzeSms(text).encoding).toBe('ucs2');
    const a = analyzeSms(text, { replaceTypographic: true });
    expect(a).toMatchObject({ text: '"Sale" - it\'s on... today only - 50%', encoding: 'gsm7', segments: 1 });
    expect(a.units).toBe(a.text.length);
  });

  it('leaves the text unchanged when other characters keep it UCS-2 anyway', () => {
    const text = `«${ARABIC}» – ‘quoted’…`;
    expect(analyzeSms(text, { replaceTypographic: true })).toMatchObject({ text, encoding: 'ucs2' });
    const emoji = 'Hi “friend” 😀';
    expect(analyzeSms(emoji, { replaceTypographic: true })).toMatchObject({ text: emoji, encoding: 'ucs2' });
  });

  it('removes zero-width characters and keeps GSM text untouched', () => {
    expect(replaceTypographic('a\u200Bb\uFEFF')).toBe('ab');
    expect(analyzeSms('plain {text}', { replaceTypographic: true }).text).toBe('plain {text}');
  });
});

describe('splitSms', () => {
  it('returns one part when the text fits in one SMS', () => {
    expect(splitSms('a'.repeat(160), 'gsm7')).toEqual(['a'.repeat(160)]);
    expect(splitSms('ب'.repeat(70), 'ucs2')).toEqual(['ب'.repeat(70)]);
  });

  it('always rejoins to the text, keeps each part within its limit, agrees with analyzeSms and never cuts a pair (random texts)', () => {
    const alphabet = ['a', 'Z', ' ', '€', '[', '^', '\f', 'é', 'ب', '۵', '٣', '😀', '👍🏽', '\u200C'];
    let seed = 42;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let round = 0; round < 500; round++) {
      const length = next() % 420;
      const gsmOnly = round % 2 === 0;
      let text = '';
      for (let i = 0; i < length; i++) text += alphabet[next() % (gsmOnly ? 7 : alphabet.length)];
      const a = analyzeSms(text);
      const parts = splitSms(text, a.encoding);
      expect(parts.join('')).toBe(text);
      expect(parts.length).toBe(a.segments);
      const limit = parts.length > 1 ? (a.encoding === 'gsm7' ? 153 : 67) : a.encoding === 'gsm7' ? 160 : 70;
      for (const p of parts) {
        expect(unitsOf(p, a.encoding)).toBeLessThanOrEqual(limit);
        expect(p).not.toMatch(LONE_SURROGATE);
      }
      if (parts.length > 0) expect(a.remaining).toBe(a.perSegment - unitsOf(parts.at(-1)!, a.encoding));
    }
  });
});
