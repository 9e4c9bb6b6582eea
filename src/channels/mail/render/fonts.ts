/**
 * @module The fonts printed mail is set in, embedded from npm so every machine prints the same
 * letters: Vazirmatn (OFL; Arabic, Persian, Urdu and a Latin designed with them, so one family
 * covers a mixed line such as «سفارش ۴۵۶۷ از Digikala»). Chromium finds the files through a
 * fontconfig configuration of their own (./page-pool.ts: `FONTCONFIG_FILE`, the faces' directory
 * added to the system's), and each page's `@font-face` names them `local()`: the font bytes never
 * travel with the page (as data URLs they were about 1 MB of base64 in every 25-piece document,
 * garbage Node made and parsed per call). Chromium embeds only the glyphs used (subset fonts,
 * CID-keyed, Identity-H). The bytes are still read here, for the glyph check and the shaper.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { cmapCodePoints } from './cmap.js';

export interface PrintFontFace {
  weight: number;
  /** The TTF file. */
  path: string;
  /** Its PostScript name (the file's name, as Vazirmatn ships them), which `local()` finds it by. */
  localName: string;
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
  /** The directories Chromium's fontconfig must search for the faces. */
  dirs: string[];
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
    { weight: 400, localName: 'Vazirmatn-Regular' },
    { weight: 700, localName: 'Vazirmatn-Bold' },
  ].map((f) => {
    const path = join(dir, `${f.localName}.ttf`);
    return { ...f, path, data: readFileSync(path) };
  });
  const family = PRINT_FONT_FAMILY;
  const coverage = printFontCoverage();
  const css = faces.map((f) => `@font-face{font-family:'${family}';font-weight:${f.weight};font-style:normal;src:local('${f.localName}');}`).join('\n');
  return { family, faces, coverage, css, dirs: [dir] };
}
