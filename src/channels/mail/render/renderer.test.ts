import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import QRCode from 'qrcode';
import { createMailRenderer, type MailRenderer, type PieceSource } from './renderer.js';
import { cmapCodePoints } from './cmap.js';
import { loadVazirmatn } from './fonts.js';
import { missingGlyphs } from './glyph-check.js';
import { pageSize } from './formats.js';
import { CHROMIUM, containsRun, harfbuzzCodePoints, pdfGlyphRuns, pdfToText, printToolsGuard, shapeGlyphs } from './print.testkit.js';

describe('print font coverage', () => {
  it('the cmap reader finds exactly the characters HarfBuzz finds in Vazirmatn', () => {
    const font = loadVazirmatn().faces[0]!;
    expect(cmapCodePoints(font.data)).toEqual(harfbuzzCodePoints(font.data));
  });

  it('names each character without a glyph once, and ignores joiners, marks of direction and spaces', () => {
    const coverage = loadVazirmatn().coverage;
    expect(missingGlyphs('سلام\u200c دنیا \u202bQatra\u202c 😀 中 😀', coverage).map((m) => m.label)).toEqual(['U+1F600 "😀"', 'U+4E2D "中"']);
  });
});

const toPoints = (mm: number) => (mm / 25.4) * 72;
const sizeOf = async (pdf: Uint8Array) => (await PDFDocument.load(pdf)).getPages().map((p) => p.getSize());

const missing = printToolsGuard('mail renderer');
describe.skipIf(!!missing)('mail renderer', () => {
  let renderer: MailRenderer;
  let server: Server;
  let base = '';
  beforeAll(async () => {
    const sharp = await QRCode.toBuffer('https://example.com/r/abc', { width: 600, margin: 0 });
    const small = await QRCode.toBuffer('https://example.com/r/abc', { width: 60, margin: 0 });
    server = createServer((req, res) => {
      if (req.url === '/sharp.png') res.writeHead(200, { 'content-type': 'image/png' }).end(sharp);
      else if (req.url === '/small.png') res.writeHead(200, { 'content-type': 'image/png' }).end(small);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The image server is on 127.0.0.1: this renderer is allowed private images (QATRA_ALLOW_PRIVATE_OUTBOUND).
    renderer = createMailRenderer({ executablePath: CHROMIUM, pages: 1, batchSize: 10, allowPrivateImages: true });
  });
  afterAll(async () => {
    await renderer?.close();
    server?.close();
  });

  const letter = (id: string, html: string): PieceSource => ({
    id,
    format: 'letter-a4',
    lang: 'en',
    dir: 'ltr',
    html,
    address: ['Erika Mustermann', 'Heidestraße 17', '51147 Köln'],
    returnAddress: ['Qatra GmbH · Postfach 1 · 10115 Berlin'],
  });

  it('a bad piece fails alone with its reason and the rest of the batch prints: missing image, low resolution, missing glyph', async () => {
    const results = await renderer.render([
      letter('ok', `<p>Hello</p><img src="${base}/sharp.png" style="width:50mm">`),
      letter('404', `<img src="${base}/nope.png" style="width:50mm">`),
      letter('blurry', `<img src="${base}/small.png" style="width:50mm">`),
      letter('emoji', '<p>Thanks 🙏 from 東京</p>'),
      letter('long', `<p>first</p><div style="height:260mm"></div><p>second page</p>`),
    ]);
    expect(results.map((r) => (r.ok ? `${r.id}: ${r.pages} page(s)` : `${r.id}: ${r.reason}`))).toEqual([
      'ok: 1 page(s)',
      `404: image ${base}/nope.png failed to load`,
      `blurry: image ${base}/small.png is 30 dpi at its placed size (1.97 in wide); print needs at least 150 dpi`,
      'emoji: the print font (Qatra Print) has no glyph for U+1F64F "🙏", U+6771 "東", U+4EAC "京": such text would print as empty boxes',
      'long: 2 page(s)',
    ]);
    const ok = results[0]!;
    if (!ok.ok) throw new Error('unreachable');
    expect(pdfToText(ok.pdf)).toMatch(/Erika Mustermann\s+Heidestraße 17\s+51147 Köln/);
  });

  it('postcards are the trim size plus 3 mm bleed on every side, front and back, with the address on the back', async () => {
    const [a6, us] = await renderer.render([
      { id: 'a6', format: 'postcard-a6', lang: 'fa', dir: 'rtl', front: '<h1>سلام</h1>', back: '<p>پیام</p>', address: ['Maryam Ahmadi', 'No. 12, Vali-e Asr St', 'Tehran', '19667-34511'] },
      { id: 'us', format: 'postcard-6x4', lang: 'en', dir: 'ltr', front: '<h1>Hi</h1>', back: '<p>Note</p>', address: ['JOHN DOE', '1 MAIN ST', 'SPRINGFIELD IL 62701'] },
    ]);
    for (const [r, format] of [
      [a6, 'postcard-a6'],
      [us, 'postcard-6x4'],
    ] as const) {
      if (!r!.ok) throw new Error(r!.reason);
      const size = pageSize(format);
      const pages = await sizeOf(r!.pdf);
      expect(pages).toHaveLength(2);
      for (const p of pages) {
        // Chromium rounds the page to whole CSS pixels (1/96 in): within 1 pt (0.35 mm).
        expect(Math.abs(p.width - toPoints(size.width))).toBeLessThan(1);
        expect(Math.abs(p.height - toPoints(size.height))).toBeLessThan(1);
      }
    }
    expect(size(pageSize('postcard-a6'))).toEqual([154, 111]);
    const text = pdfToText((a6 as { pdf: Uint8Array }).pdf).split('\f');
    expect(text[1]).toContain('19667-34511');
  });

  it('a postcode in a right-to-left address line prints in its own order (12643-2121, not 2121-12643)', async () => {
    const [r] = await renderer.render([{ id: 'sa', format: 'letter-a4', lang: 'ar', dir: 'rtl', html: '<p>.</p>', address: ['فاطمة الحربي', 'الرياض 12643-2121'] }]);
    if (!r!.ok) throw new Error(r!.reason);
    const drawn = (await pdfGlyphRuns(r!.pdf)).get('Vazirmatn-Regular')!;
    const ttf = renderer.fonts.faces[0]!.data;
    expect(containsRun(drawn, shapeGlyphs(ttf, '12643-2121', 'ar', 'ltr'))).toBe(true);
    expect(containsRun(drawn, shapeGlyphs(ttf, '2121-12643', 'ar', 'ltr'))).toBe(false);
  });

  it('without QATRA_ALLOW_PRIVATE_OUTBOUND an image on a private address does not load (no request reaches it), a data image does', async () => {
    const guarded = createMailRenderer({ executablePath: CHROMIUM, pages: 1 });
    let hits = 0;
    const watched = createServer((_req, res) => {
      hits++;
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => watched.listen(0, '127.0.0.1', r));
    const watchedBase = `http://127.0.0.1:${(watched.address() as AddressInfo).port}`;
    try {
      const dataPng = `data:image/png;base64,${(await QRCode.toBuffer('x', { width: 600, margin: 0 })).toString('base64')}`;
      const results = await guarded.render([
        letter('loopback', `<img src="${base}/sharp.png" style="width:50mm">`),
        letter('metadata', `<img src="http://169.254.169.254/latest/meta-data/x.png" style="width:50mm">`),
        letter('by-name', `<img src="${watchedBase.replace('127.0.0.1', 'localhost')}/x.png" style="width:50mm">`),
        letter('data', `<img src="${dataPng}" style="width:50mm">`),
      ]);
      expect(results.map((r) => (r.ok ? `${r.id}: ok` : `${r.id}: ${r.reason}`))).toEqual([
        `loopback: image ${base}/sharp.png failed to load`,
        'metadata: image http://169.254.169.254/latest/meta-data/x.png failed to load',
        `by-name: image ${watchedBase.replace('127.0.0.1', 'localhost')}/x.png failed to load`,
        'data: ok',
      ]);
      expect(hits).toBe(0);
    } finally {
      await guarded.close();
      watched.close();
    }
  });

  it('a template cannot read local files or run script: only http(s) and data images load', async () => {
    const [r] = await renderer.render([
      letter('x', '<p>hi</p><img src="file:///etc/hostname" style="width:10mm"><iframe src="file:///etc/passwd"></iframe><script>document.body.innerHTML="pwned"</script>'),
    ]);
    expect(r).toEqual({ id: 'x', ok: false, reason: 'image file:///etc/hostname failed to load' });
    const [s] = await renderer.render([letter('y', '<p>hi</p><iframe src="file:///etc/passwd" width="400" height="400"></iframe><script>document.write("pwned")</script>')]);
    if (!s!.ok) throw new Error(s!.reason);
    const text = pdfToText(s!.pdf);
    expect(text).toContain('hi');
    expect(text).not.toContain('root:');
    expect(text).not.toContain('pwned');
  });
});

const size = (s: { width: number; height: number }) => [s.width, s.height];
