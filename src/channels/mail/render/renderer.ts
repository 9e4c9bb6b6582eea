/**
 * @module The print-ready PDF renderer of direct mail (docs/mail.md "Rendering"). Pieces are printed
 * by Chromium in batches of one format (one document, one `page.pdf()` call: about 16 times faster
 * than a call per piece, measured by `npm run bench -- mail`) and cut back into one PDF per piece.
 * Before printing, each piece is checked in the laid-out page: every image loaded and is at print
 * resolution at its placed size, and every character has a glyph in the print font. A piece that
 * fails a check fails alone with the reason; the others print. Pass the renderer in; close it on
 * shutdown.
 */
import type { Page } from 'playwright-core';
import { batchDocument, type PieceSource } from './document.js';
import { FORMAT_SPECS, type MailFormat } from './formats.js';
import { loadVazirmatn, type FontSet } from './fonts.js';
import { missingGlyphs, missingGlyphsMessage } from './glyph-check.js';
import { PagePool } from './page-pool.js';
import { splitBatch } from './split.js';

export type { PieceSource } from './document.js';

export interface MailRendererOptions {
  /** Default `/usr/bin/chromium` (QATRA_CHROMIUM_PATH is read by the caller's config, not here). */
  executablePath?: string;
  /** Pages printing at once. Default 2. */
  pages?: number;
  /** Pieces per Chromium print call. Default 25. */
  batchSize?: number;
  /** Longest wait for a batch's images and layout. Default 30 s. */
  timeoutMs?: number;
  /** Images below this resolution at their placed size fail the piece (`lowResolution: 'fail'`) or warn. Default 150. */
  minImageDpi?: number;
  lowResolution?: 'fail' | 'warn';
  fonts?: FontSet;
  /** Images from private, loopback and link-local addresses (config.allowPrivateOutbound). Default false: refused. */
  allowPrivateImages?: boolean;
}

export type PieceResult = { id: string; ok: true; pdf: Uint8Array; pages: number; warnings: string[] } | { id: string; ok: false; reason: string };

export interface MailRenderer {
  readonly fonts: FontSet;
  /** One result per piece, in order; never throws for a bad piece (a broken browser does throw). */
  render(pieces: readonly PieceSource[]): Promise<PieceResult[]>;
  close(): Promise<void>;
}

interface Inspected {
  text: string;
  images: { src: string; ok: boolean; naturalWidth: number; naturalHeight: number; width: number; height: number; vector: boolean }[];
}

/** What the laid-out page says of each piece: its text and its images. Runs in the page (JS is off for the page's own scripts only). */
function inspect(page: Page): Promise<Inspected[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('section.qatra-piece')].map((section) => ({
      text: (section as HTMLElement).innerText,
      images: [...section.querySelectorAll('img')].map((img) => {
        const r = img.getBoundingClientRect();
        const src = img.currentSrc || img.src;
        return {
          src: src.startsWith('data:') ? `${src.slice(0, 30)}…` : src,
          ok: img.complete && img.naturalWidth > 0,
          naturalWidth: img.naturalWidth,
          naturalHeight: img.naturalHeight,
          width: r.width,
          height: r.height,
          vector: /^data:image\/svg|\.svg(\?|#|$)/i.test(src),
        };
      }),
    })),
  );
}

export function createMailRenderer(options: MailRendererOptions = {}): MailRenderer {
  const fonts = options.fonts ?? loadVazirmatn();
  const pool = new PagePool({
    executablePath: options.executablePath ?? '/usr/bin/chromium',
    pages: options.pages ?? 2,
    allowPrivateImages: options.allowPrivateImages ?? false,
    fontDirs: fonts.dirs,
  });
  const batchSize = options.batchSize ?? 25;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const minDpi = options.minImageDpi ?? 150;
  const lowResolution = options.lowResolution ?? 'fail';

  /** The reasons piece `p` cannot print, and its warnings. */
  function check(p: Inspected): { reasons: string[]; warnings: string[] } {
    const reasons: string[] = [];
    const warnings: string[] = [];
    for (const img of p.images) {
      if (!img.ok) {
        reasons.push(`image ${img.src} failed to load`);
        continue;
      }
      if (img.vector || img.width === 0) continue;
      // CSS pixels are 1/96 in: the resolution the image prints at is its pixels over its placed inches.
      const dpi = Math.min(img.naturalWidth / (img.width / 96), img.naturalHeight / (img.height / 96));
      if (dpi < minDpi)
        (lowResolution === 'fail' ? reasons : warnings).push(
          `image ${img.src} is ${Math.floor(dpi)} dpi at its placed size (${(img.width / 96).toFixed(2)} in wide); print needs at least ${minDpi} dpi`,
        );
    }
    const glyphs = missingGlyphsMessage(missingGlyphs(p.text, fonts.coverage), fonts.family);
    if (glyphs) reasons.push(glyphs);
    return { reasons, warnings };
  }

  async function renderBatch(format: MailFormat, pieces: readonly PieceSource[]): Promise<PieceResult[]> {
    return pool.use(async (page) => {
      await page.setContent(batchDocument(format, pieces, fonts), { waitUntil: 'load', timeout: timeoutMs });
      await page.evaluate(() => document.fonts.ready.then(() => undefined));
      const inspected = await inspect(page);
      const checks = inspected.map(check);
      const failed = checks.flatMap((c, i) => (c.reasons.length > 0 ? [i] : []));
      if (failed.length > 0) {
        await page.evaluate((drop) => {
          const sections = [...document.querySelectorAll('section.qatra-piece')];
          for (const i of drop) sections[i]!.remove();
        }, failed);
      }
      const printed = failed.length === pieces.length ? new Map<number, { pdf: Uint8Array; pages: number }>() : await splitBatch(await page.pdf({ preferCSSPageSize: true, printBackground: true }));
      const results: PieceResult[] = pieces.map((piece, i) => {
        const c = checks[i]!;
        if (c.reasons.length > 0) return { id: piece.id, ok: false, reason: c.reasons.join('; ') };
        const out = printed.get(i);
        if (!out) return { id: piece.id, ok: false, reason: 'the piece printed no page' };
        return { id: piece.id, ok: true, pdf: out.pdf, pages: out.pages, warnings: c.warnings };
      });
      return results;
    });
  }

  async function renderGroup(format: MailFormat, pieces: readonly PieceSource[]): Promise<PieceResult[]> {
    try {
      return await renderBatch(format, pieces);
    } catch (err) {
      // A batch that cannot print (an image that never answers, a layout timeout): each piece alone,
      // so only the ones at fault fail.
      if (pieces.length === 1) return [{ id: pieces[0]!.id, ok: false, reason: `rendering failed: ${(err as Error).message.split('\n')[0]}` }];
      const out: PieceResult[] = [];
      for (const p of pieces) out.push(...(await renderGroup(format, [p])));
      return out;
    }
  }

  return {
    fonts,
    async render(pieces) {
      const results = new Array<PieceResult>(pieces.length);
      const jobs: Promise<void>[] = [];
      const byFormat = new Map<MailFormat, number[]>();
      pieces.forEach((p, i) => {
        if (!FORMAT_SPECS[p.format]) results[i] = { id: p.id, ok: false, reason: `unknown format ${String(p.format)}` };
        else byFormat.set(p.format, [...(byFormat.get(p.format) ?? []), i]);
      });
      for (const [format, indexes] of byFormat) {
        for (let at = 0; at < indexes.length; at += batchSize) {
          const chunk = indexes.slice(at, at + batchSize);
          jobs.push(
            renderGroup(
              format,
              chunk.map((i) => pieces[i]!),
            ).then((rs) => rs.forEach((r, k) => (results[chunk[k]!] = r))),
          );
        }
      }
      await Promise.all(jobs);
      return results;
    },
    close: () => pool.close(),
  };
}
