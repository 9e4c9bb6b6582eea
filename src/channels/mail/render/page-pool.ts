/**
 * @module One Chromium per renderer and a few pages reused across renders. Chromium is launched on
 * the first render (a server that never prints never starts it), with a fontconfig file of its own
 * that adds the print fonts' directory to the system's (so pages name the fonts `local()`, ./fonts.ts,
 * instead of carrying them), its pages share one context with
 * JavaScript disabled, and any request other than an image over http(s) is refused; images are fetched
 * by Qatra through the outbound address guard (./image-fetch.ts) unless private targets are allowed. `close()` closes
 * the browser; after it, renders fail instead of starting a new one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { fetchImage } from './image-fetch.js';

export interface PagePoolOptions {
  executablePath: string;
  /** Pages rendering at once (one per CPU core is plenty: Chromium's own threads do the rest). */
  pages: number;
  /**
   * Let Chromium load images from private, loopback and link-local addresses itself (the operator's
   * QATRA_ALLOW_PRIVATE_OUTBOUND). Otherwise Qatra fetches each image through the address guard
   * (./image-fetch.ts) and a private target fails to load.
   */
  allowPrivateImages: boolean;
  /** Directories of the print fonts, added to the system's for Chromium (./fonts.ts). */
  fontDirs: readonly string[];
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A fontconfig file in `home` searching `dirs` and then everything the system's configuration does; its own cache directory. */
function fontconfigFile(home: string, dirs: readonly string[]): string {
  const file = path.join(home, 'fonts.conf');
  const conf = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">',
    '<fontconfig>',
    ...dirs.map((d) => `  <dir>${escapeXml(d)}</dir>`),
    '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>',
    `  <cachedir>${escapeXml(path.join(home, 'cache'))}</cachedir>`,
    '</fontconfig>',
  ].join('\n');
  fs.writeFileSync(file, conf);
  return file;
}

export class PagePool {
  #browser: Promise<Browser> | null = null;
  #context: Promise<BrowserContext> | null = null;
  #idle: Page[] = [];
  #count = 0;
  #waiters: ((page: Page) => void)[] = [];
  #closed = false;
  /** The directory of Chromium's fontconfig file and cache, removed on close. */
  #fontHome: string | null = null;

  constructor(private readonly options: PagePoolOptions) {}

  #fontconfig(): string {
    this.#fontHome = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-fonts-'));
    return fontconfigFile(this.#fontHome, this.options.fontDirs);
  }

  async #newPage(): Promise<Page> {
    // Loaded on the first print only: playwright-core is ~36 MB of heap, which every API server,
    // worker and CLI process would otherwise carry (the CLI imports 100,000 rows in a 96 MB heap).
    this.#browser ??= import('playwright-core').then(({ chromium }) =>
      chromium.launch({
        executablePath: this.options.executablePath,
        env: { ...process.env, FONTCONFIG_FILE: this.#fontconfig() },
        args: ['--disable-gpu', '--no-sandbox', '--font-render-hinting=none', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
      }),
    );
    const browser = this.#browser;
    // One context for every page: pages of one context share a renderer process where Chromium can.
    this.#context ??= browser.then((b) => b.newContext({ javaScriptEnabled: false }));
    const page = await (await this.#context).newPage();
    await page.route('**/*', async (route) => {
      const req = route.request();
      if (req.resourceType() !== 'image' || !/^https?:/.test(req.url())) return route.abort('blockedbyclient');
      if (this.options.allowPrivateImages) return route.continue();
      const image = await fetchImage(req.url()).catch(() => null);
      if (!image) return route.abort('blockedbyclient');
      return route.fulfill({ status: image.status, contentType: image.contentType, body: image.body });
    });
    return page;
  }

  /** Runs `fn` with a page of its own; the page goes back to the pool afterwards (or is dropped if it broke). */
  async use<T>(fn: (page: Page) => Promise<T>): Promise<T> {
    if (this.#closed) throw new Error('the mail renderer is closed');
    let page = this.#idle.pop();
    if (!page) {
      if (this.#count < this.options.pages) {
        this.#count++;
        try {
          page = await this.#newPage();
        } catch (err) {
          this.#count--;
          throw err;
        }
      } else page = await new Promise<Page>((resolve) => this.#waiters.push(resolve));
    }
    let broken = false;
    try {
      return await fn(page);
    } catch (err) {
      broken = page.isClosed();
      throw err;
    } finally {
      if (broken) {
        this.#count--;
      } else {
        const next = this.#waiters.shift();
        if (next) next(page);
        else this.#idle.push(page);
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const browser = this.#browser;
    this.#browser = null;
    this.#context = null;
    this.#idle = [];
    if (browser) await (await browser).close();
    if (this.#fontHome) fs.rmSync(this.#fontHome, { recursive: true, force: true });
  }
}
