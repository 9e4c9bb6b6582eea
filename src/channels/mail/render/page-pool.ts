/**
 * @module One Chromium per renderer and a few pages reused across renders. Chromium is launched on
 * the first render (a server that never prints never starts it), its pages share one context with
 * JavaScript disabled, and any request other than an image over http(s) is refused; images are fetched
 * by Qatra through the outbound address guard (./image-fetch.ts) unless private targets are allowed. `close()` closes
 * the browser; after it, renders fail instead of starting a new one.
 */
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
}

export class PagePool {
  #browser: Promise<Browser> | null = null;
  #context: Promise<BrowserContext> | null = null;
  #idle: Page[] = [];
  #count = 0;
  #waiters: ((page: Page) => void)[] = [];
  #closed = false;

  constructor(private readonly options: PagePoolOptions) {}

  async #newPage(): Promise<Page> {
    // Loaded on the first print only: playwright-core is ~36 MB of heap, which every API server,
    // worker and CLI process would otherwise carry (the CLI imports 100,000 rows in a 96 MB heap).
    this.#browser ??= import('playwright-core').then(({ chromium }) =>
      chromium.launch({
        executablePath: this.options.executablePath,
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
  }
}
