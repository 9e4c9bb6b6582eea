/**
 * The proof that printed Arabic and Persian are right, not only that a PDF came out: poppler reads
 * the text back in logical order, and the glyphs drawn are the ones HarfBuzz shapes for the same
 * words and font. Both checks are shown to fail on a deliberately broken rendering (shaping features
 * off; direction forced left-to-right), so they can fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailRenderer, type MailRenderer, type PieceSource } from './renderer.js';
import { containsRun, pdfGlyphRuns, pdfToText, printToolsGuard, shapeGlyphs, CHROMIUM } from './print.testkit.js';

const PARAGRAPHS = [
  { lang: 'ar', text: 'مرحبا أحمد، طلبك رقم ١٢٣٤ من متجر Qatra جاهز للاستلام.' },
  { lang: 'ar', text: 'خصم 25 بالمئة على منتجات Apple حتى ٣١ ديسمبر، لا تفوت العرض.' },
  { lang: 'fa', text: 'سلام مریم، سفارش شماره ۴۵۶۷ از فروشگاه Digikala ارسال شد.' },
  { lang: 'fa', text: 'کد تخفیف QATRA25 تا ۱۵ آبان ۱۴۰۳ معتبر است.' },
];

/**
 * What we compare of pdftotext's output, and why each step is needed:
 * 1. poppler wraps each direction run in embedding controls (U+202A–U+202E): removed.
 * 2. poppler places the spaces at a change of direction on the wrong side of the run it opens
 *    («رقم ‪ ١٢٣٤‬من»): whitespace is removed on both sides; the order of every other character is
 *    still compared.
 * 3. the lam-alef ligature is one glyph whose ToUnicode (and ActualText) is «لا»; poppler reverses
 *    those two characters with the rest of the right-to-left run and prints «ال». The expected text
 *    is written the way poppler reads that one glyph; a lam and an alef drawn as two glyphs
 *    (unshaped) would read «لا» and no longer match.
 */
const LAM_ALEF = /\u0644([\u0627\u0622\u0623\u0625])/g;
const normalizeExtracted = (s: string) => s.replace(/[\u202a-\u202e]/g, '').replace(/\s+/g, '');
const normalizeExpected = (s: string) => s.replace(LAM_ALEF, '$1\u0644').replace(/\s+/g, '');

/** The paragraphs pdftotext did not give back in logical order. */
function unreadable(pdf: Uint8Array): string[] {
  const text = normalizeExtracted(pdfToText(pdf));
  return PARAGRAPHS.filter((p) => !text.includes(normalizeExpected(p.text))).map((p) => p.text);
}

/** The words (Arabic, Persian, Latin, digit groups) whose HarfBuzz glyph run the PDF does not draw. */
async function misshaped(pdf: Uint8Array, ttf: Uint8Array): Promise<string[]> {
  const runs = await pdfGlyphRuns(pdf);
  const drawn = runs.get('Vazirmatn-Regular') ?? [];
  const bad: string[] = [];
  for (const p of PARAGRAPHS) {
    for (const word of p.text.split(/\s+/)) {
      const token = word.replace(/[.،,]/g, '');
      // A digit group is a left-to-right run inside the right-to-left line (UAX #9), as Chromium lays it out.
      const direction = /^[\d\u0660-\u0669\u06f0-\u06f9]+$/.test(token) ? 'ltr' : undefined;
      if (!containsRun(drawn, shapeGlyphs(ttf, token, p.lang, direction))) bad.push(token);
    }
  }
  return bad;
}

const letter = (css = ''): PieceSource => ({
  id: 'proof',
  format: 'letter-a4',
  lang: 'ar',
  dir: 'rtl',
  html: `${css ? `<style>${css}</style>` : ''}${PARAGRAPHS.map((p) => `<p lang="${p.lang}">${p.text}</p>`).join('\n')}`,
  address: [],
});

const missing = printToolsGuard('Arabic and Persian print');
describe.skipIf(!!missing)('Arabic and Persian in print', () => {
  let renderer: MailRenderer;
  const pdfs: Record<string, Uint8Array> = {};
  beforeAll(async () => {
    renderer = createMailRenderer({ executablePath: CHROMIUM, pages: 1 });
    const variants = {
      right: '',
      // Shaping off: no contextual forms, no required ligatures (what a renderer without HarfBuzz draws).
      unshaped: 'p{font-feature-settings:"init" 0,"medi" 0,"fina" 0,"isol" 0,"rlig" 0,"liga" 0,"calt" 0}',
      // Bidi off: every run laid out left to right in logical order.
      unidirectional: 'p{direction:ltr;unicode-bidi:bidi-override}',
    };
    for (const [name, css] of Object.entries(variants)) {
      const [r] = await renderer.render([letter(css)]);
      if (!r!.ok) throw new Error(r!.reason);
      pdfs[name] = r!.pdf;
    }
  }, 60_000);
  afterAll(() => renderer?.close());

  it('pdftotext reads every Arabic and Persian paragraph back in logical order, digits and Latin names in place', () => {
    expect(unreadable(pdfs.right!)).toEqual([]);
  });

  it('the PDF draws, word for word, the glyphs HarfBuzz shapes (joining forms, lam-alef, Persian digits)', async () => {
    expect(await misshaped(pdfs.right!, renderer.fonts.faces[0]!.data)).toEqual([]);
  });

  it('an unshaped rendering fails the glyph comparison, and text laid out without bidi fails the reading', async () => {
    const bad = await misshaped(pdfs.unshaped!, renderer.fonts.faces[0]!.data);
    expect(bad).toEqual(expect.arrayContaining(['مرحبا', 'للاستلام', 'سفارش']));
    expect(bad).not.toContain('Qatra'); // Latin needs no contextual forms: the comparison is specific
    expect(unreadable(pdfs.unidirectional!).length).toBeGreaterThan(0);
  });
});
