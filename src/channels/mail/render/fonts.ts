/**
 * @module The fonts printed mail is set in, embedded from npm so every machine prints the same
 * letters: Vazirmatn (OFL; Arabic, Persian, Urdu and a Latin designed with them, so one family
 * covers a mixed line such as «سفارش ۴۵۶۷ از Digikala»). Loaded once per renderer and handed to
 * Chromium as `@font-face` data URLs (a page rendered from `setContent` may not read `file:` URLs);
 * Chromium embeds only the glyphs used (subset fonts, CID-keyed, Identity-H).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cmapCodePoints } from './cmap.js';

export interface PrintFontFace {
  weight: number;
  /** The TTF file. */
  path: string;
  data: Buffer;
}

export interface FontSet {
  /** The CSS family name templates get as their `font-family` (and `var(--mail-font)`). */
  family: string;
  faces: PrintFontFace[];
  /** Code points every face has a glyph for (the glyph check uses the regular face's cmap). */
  coverage: ReadonlySet<number>;
  /** `@font-face` rules for the faces. */
  css: string;
}

/** The directory of Vazirmatn's TTF files in node_modules. */
export function vazirmatnDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('vazirmatn/package.json')), 'fonts', 'ttf');
}

export const PRINT_FONT_FAMILY = 'Qatra Print';

let coverage: ReadonlySet<number> | undefined;
/**
 * The characters the print font has glyphs for, for validation on save. Read once per process and
 * kept: it is a fact about a file shipped in node_modules, not state (no config, no I/O after).
 */
export function printFontCoverage(): ReadonlySet<number> {
  coverage ??= cmapCodePoints(readFileSync(join(vazirmatnDir(), 'Vazirmatn-Regular.ttf')));
  return coverage;
}

/** Vazirmatn Regular and Bold. */
export function loadVazirmatn(): FontSet {
  const dir = vazirmatnDir();
  const faces: PrintFontFace[] = [
    { weight: 400, path: join(dir, 'Vazirmatn-Regular.ttf'), data: Buffer.alloc(0) },
    { weight: 700, path: join(dir, 'Vazirmatn-Bold.ttf'), data: Buffer.alloc(0) },
  ].map((f) => ({ ...f, data: readFileSync(f.path) }));
  const family = PRINT_FONT_FAMILY;
  const coverage = printFontCoverage();
  const css = faces
    .map((f) => `@font-face{font-family:'${family}';font-weight:${f.weight};font-style:normal;src:url(data:font/ttf;base64,${f.data.toString('base64')}) format('truetype');}`)
    .join('\n');
  return { family, faces, coverage, css };
}
