/**
 * @module What the print tests share: the guard that fails (CI) or skips with a notice (a developer's
 * machine) when Chromium or poppler-utils is missing; `pdftotext`/`pdftoppm` runs; the glyph run of
 * a PDF read from its content streams; and HarfBuzz (harfbuzzjs) shaping the same text with the same
 * font, to compare the two.
 *
 * Reading glyphs back: Chromium (Skia) embeds each font as a CID-keyed TrueType subset, encoding
 * Identity-H, so every 2-byte code in a `Tj`/`TJ` string is a CID; the font's `/CIDToGIDMap` maps
 * it to the glyph id of the embedded font program (`/Identity`, or a stream of big-endian 16-bit
 * glyph ids). Skia subsets keeping the original glyph ids, so the result is the glyph id in the
 * original TTF, the one HarfBuzz returns.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { decodePDFRawStream, PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFStream } from 'pdf-lib';
import * as hb from 'harfbuzzjs';

export const CHROMIUM = process.env.QATRA_CHROMIUM ?? '/usr/bin/chromium';

/** Null when Chromium and poppler-utils are here; else registers the CI failure (or prints the skip) and says why. */
export function printToolsGuard(suite: string): string | null {
  const missing = !existsSync(CHROMIUM)
    ? `Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set QATRA_CHROMIUM)`
    : ['pdftotext', 'pdftoppm'].some((b) => !['/usr/bin', '/usr/local/bin'].some((d) => existsSync(join(d, b))))
      ? 'pdftotext/pdftoppm not found (apt-get install -y poppler-utils)'
      : null;
  if (!missing) return null;
  if (process.env.CI) {
    describe(suite, () => {
      it('needs Chromium and poppler-utils on the CI machine', () => {
        throw new Error(`${missing}. .ci/run installs them with apt-get before the tests.`);
      });
    });
  } else console.warn(`\n*** SKIPPED ${suite}: ${missing} ***\n`);
  return missing;
}

function withFile<T>(pdf: Uint8Array, fn: (file: string, dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'qatra-pdf-'));
  try {
    const file = join(dir, 'in.pdf');
    writeFileSync(file, pdf);
    return fn(file, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** poppler's `pdftotext` reading of the PDF (UTF-8, its default reading order). */
export function pdfToText(pdf: Uint8Array): string {
  return withFile(pdf, (file) => execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }));
}

/** Page `page` (1-based) as a PNG at `dpi`. */
export function pdfToPng(pdf: Uint8Array, page = 1, dpi = 110): Buffer {
  return withFile(pdf, (file, dir) => {
    execFileSync('pdftoppm', ['-png', '-r', String(dpi), '-f', String(page), '-l', String(page), '-singlefile', file, join(dir, 'out')]);
    return readFileSync(join(dir, 'out.png'));
  });
}

function bytesOf(stream: unknown): Uint8Array {
  if (stream instanceof PDFRawStream) return decodePDFRawStream(stream).decode();
  if (stream instanceof PDFStream) return stream.getContents();
  throw new Error('not a stream');
}

/** CID → glyph id of a Type0 font's descendant (Identity when it has no map). */
function cidToGid(font: PDFDict): (cid: number) => number {
  const descendants = font.lookup(PDFName.of('DescendantFonts'), PDFArray);
  const cidFont = descendants.lookup(0, PDFDict);
  const map = cidFont.lookup(PDFName.of('CIDToGIDMap'));
  if (map === undefined || map instanceof PDFName) return (cid) => cid;
  const bytes = bytesOf(map);
  return (cid) => (bytes[cid * 2]! << 8) | bytes[cid * 2 + 1]!;
}

/** The glyph ids each font draws, in content-stream order, keyed by the font's base name without the subset tag. */
export async function pdfGlyphRuns(pdf: Uint8Array): Promise<Map<string, number[]>> {
  const doc = await PDFDocument.load(pdf);
  const out = new Map<string, number[]>();
  for (const page of doc.getPages()) {
    const fonts = page.node.Resources()?.lookup(PDFName.of('Font'), PDFDict);
    const contents = page.node.Contents();
    const streams = contents instanceof PDFArray ? contents.asArray().map((r) => doc.context.lookup(r)) : [contents];
    const text = streams.map((s) => Buffer.from(bytesOf(s)).toString('latin1')).join('\n');
    let current: { name: string; gid: (cid: number) => number } | null = null;
    // Operators read: a font selection `/F4 12 Tf`, a string shown `<0123ABCD> Tj` or `[<0123> -5 <04AB>] TJ`
    // (the `<FEFF…>` strings of `/ActualText` spans are not shown glyphs and are skipped).
    for (const m of text.matchAll(/\/([^\s/<>[\]()]+)\s+[-\d.]+\s+Tf|<([0-9A-Fa-f\s]*)>\s*Tj|\[([^\]]*)\]\s*TJ/g)) {
      if (m[1] !== undefined) {
        const font = fonts?.lookup(PDFName.of(m[1]), PDFDict);
        if (!font) throw new Error(`font ${m[1]} not in the page's resources`);
        const base = font
          .lookup(PDFName.of('BaseFont'), PDFName)
          .asString()
          .replace(/^\/([A-Z]{6}\+)?/, '');
        current = { name: base, gid: cidToGid(font) };
        continue;
      }
      if (!current) throw new Error('text shown before a font was selected');
      const hexes = m[2] !== undefined ? [m[2]] : [...m[3]!.matchAll(/<([0-9A-Fa-f\s]*)>/g)].map((h) => h[1]!);
      const list = out.get(current.name) ?? [];
      for (const h of hexes) {
        const hex = h.replace(/\s/g, '');
        for (let i = 0; i + 4 <= hex.length; i += 4) list.push(current.gid(parseInt(hex.slice(i, i + 4), 16)));
      }
      out.set(current.name, list);
    }
  }
  return out;
}

/** (harfbuzzjs frees its objects when they are collected.) The glyph ids HarfBuzz shapes `text` into with the font in `ttf`, in visual order (as the PDF draws them). */
export function shapeGlyphs(ttf: Uint8Array, text: string, language: string, direction?: 'ltr' | 'rtl'): number[] {
  const blob = new hb.Blob(ttf);
  const face = new hb.Face(blob, 0);
  const font = new hb.Font(face);
  const buffer = new hb.Buffer();
  buffer.addText(text);
  buffer.setLanguage(language);
  buffer.guessSegmentProperties();
  if (direction) buffer.setDirection(direction === 'ltr' ? hb.Direction.LTR : hb.Direction.RTL);
  hb.shape(font, buffer);
  return buffer.getGlyphInfos().map((g) => g.codepoint);
}

/** The code points of the font's cmap, as HarfBuzz reads them. */
export function harfbuzzCodePoints(ttf: Uint8Array): Set<number> {
  const blob = new hb.Blob(ttf);
  const face = new hb.Face(blob, 0);
  return new Set(face.collectUnicodes());
}

/** True when `needle` occurs contiguously in `haystack`. */
export function containsRun(haystack: readonly number[], needle: readonly number[]): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let k = 0; k < needle.length; k++) if (haystack[i + k] !== needle[k]) continue outer;
    return true;
  }
  return false;
}
