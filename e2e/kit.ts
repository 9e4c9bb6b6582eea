/**
 * What every browser test file shares: the guard that fails (in CI) or skips with a notice (on a
 * developer's machine) when Chromium is missing, and a client of the running server's public API
 * for seeding (admin key for /api, write key for /v1).
 */
import { describe, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { Browser } from './browser.js';
import { chromiumMissing } from './browser.js';
import type { RunningQatra } from './server.js';

/** Null when Chromium is there; else registers the CI failure (or prints the skip) and says why. */
export function chromiumGuard(suite: string): string | null {
  const missing = chromiumMissing();
  if (!missing) return null;
  if (process.env.CI === 'true') {
    describe(suite, () => {
      it('needs Chromium on the CI machine', () => {
        throw new Error(`${missing}. .ci/run installs it with apt-get before npm run test:e2e.`);
      });
    });
  } else {
    console.warn(`\n*** SKIPPED ${suite}: ${missing} ***\n`);
  }
  return missing;
}

export interface ApiClient {
  api(method: string, url: string, body?: unknown, auth?: string): Promise<any>;
  ingest(call: string, body: unknown): Promise<any>;
}

/** `q` is read at call time, so a client made before `beforeAll` starts the server works. */
export function apiClient(server: () => RunningQatra): ApiClient {
  const api = async (method: string, url: string, body?: unknown, auth?: string) => {
    const q = server();
    const res = await fetch(q.url + url, {
      method,
      headers: { authorization: auth ?? `Bearer ${q.adminKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return {
    api,
    ingest: (call, body) => api('POST', `/v1/${call}`, body, `Basic ${Buffer.from(`${server().writeKey}:`).toString('base64')}`),
  };
}

/** A page of the browser that waits 10 s for what a test looks for and prints the app's own errors. */
export async function newPage(browser: Browser): Promise<Page> {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  return page;
}

/** Resolves once the element's box is the same on three reads 100 ms apart (an animation has ended). */
export async function settled(locator: Locator): Promise<void> {
  let last = '';
  let same = 0;
  for (let i = 0; i < 50 && same < 2; i++) {
    const box = JSON.stringify(await locator.boundingBox());
    same = box === last ? same + 1 : 0;
    last = box;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Drags from one element to another on the journey canvas until `connected` shows. The canvas
 * animates its viewport (fit view, 150 ms): a drag computed mid-animation misses the handle, which
 * made the app test fail once in a loaded CI run. So wait for both ends to stand still, and try again.
 */
export async function dragUntil(from: Locator, to: Locator, connected: Locator, attempts = 3): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await settled(from);
    await settled(to);
    await from.dragTo(to);
    try {
      await connected.waitFor({ timeout: 3000 });
      return;
    } catch (err) {
      if (attempt >= attempts) throw err;
    }
  }
}

/** The owner every browser test signs up as, from the setup link `qatra start` prints. */
export const OWNER = { email: 'owner@example.com', name: 'Olive Owner', password: 'a long owner password' };

/** Creates the owner's account from the printed setup link; resolves once the app shows its first screen. */
export async function setUpOwner(page: Page, setupLink: string): Promise<void> {
  await page.goto(setupLink);
  await page.getByLabel('Email').fill(OWNER.email);
  await page.getByLabel('Your name').fill(OWNER.name);
  await page.getByLabel('Password').fill(OWNER.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Journeys', exact: true }).waitFor();
}
