/**
 * The direct mail template editor in a real Chromium against a real `qatra start` (issue 17): a
 * letter written with an Arabic paragraph (Arabic-Indic and ASCII digits, a Latin brand name) is
 * printed by the editor's live preview (POST /api/mail/preview.pdf, shown in an iframe): the preview
 * is a PDF whose text, read back by poppler's `pdftotext` when it is installed, holds the paragraph's
 * words; the template saves as a `mail` template and is listed; the list is shown in Arabic, right to
 * left. Screenshot: docs/screenshots/mail-template-ar.png.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openBrowser, type Browser } from './browser.js';
import { apiClient, chromiumGuard, newPage, setUpOwner } from './kit.js';
import { startQatra, type RunningQatra } from './server.js';

const SHOTS = path.resolve('docs/screenshots');
const missing = chromiumGuard('the direct mail template editor in Chromium');
const PARAGRAPH = 'مرحبا {{ contact.first_name }}، طلبك رقم ٤٥٦٧ من متجر Qatra جاهز منذ 2026.';
const BODY = `<h1>أهلا وسهلا</h1>\n<p>${PARAGRAPH}</p>`;

function hasPdftotext(): boolean {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!!missing)('the direct mail template editor in Chromium', () => {
  let q: RunningQatra;
  let browser: Browser;
  let page: Page;
  const { api } = apiClient(() => q);

  beforeAll(async () => {
    q = await startQatra();
    browser = await openBrowser({ height: 1000 });
    page = await newPage(browser);
    await setUpOwner(page, q.setupLink);
  });
  afterAll(async () => {
    await browser?.close();
    await q?.stop();
  });

  it('writes an Arabic letter, previews it as a print-ready PDF, saves it, and finds it listed', async () => {
    // Every PDF the editor is answered, caught on its way (the app's CSP keeps a page script from
    // fetching its blob: URL, and a response's body read after the page took it is not kept).
    const previews: Buffer[] = [];
    await page.route('**/api/mail/preview.pdf', async (route) => {
      const answer = await route.fetch();
      if (answer.ok()) previews.push(await answer.body());
      await route.fulfill({ response: answer });
    });
    await page.getByRole('link', { name: 'Templates' }).click();
    await page.getByRole('link', { name: 'New template' }).click();
    await page.getByRole('radio', { name: 'Direct mail' }).check();
    await page.getByLabel('Template id').fill('welcome-letter-ar');
    await page.getByLabel('Name', { exact: true }).fill('Welcome letter');
    await page.getByLabel('Paper').selectOption('letter-a4');
    await page.getByLabel('Default language').fill('ar');
    await page.getByLabel('Letter (HTML with Liquid)').fill(BODY);

    // The live preview: printed by the server (Chromium there too), shown as a PDF in an iframe. It is
    // re-printed 800 ms after the last change, so the first one may be of the sample letter: wait for ours.
    const frame = page.getByTestId('mail-preview');
    await frame.waitFor({ timeout: 60_000 });
    const previewBytes = async () => previews.at(-1) ?? Buffer.alloc(0);
    const pdftotext = hasPdftotext();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-e2e-mail-')), 'preview.pdf');
    let bytes: Buffer = Buffer.alloc(0);
    let text = '';
    for (let tries = 0; tries < 60; tries++) {
      bytes = await previewBytes();
      if (bytes.length === 0) {
        await page.waitForTimeout(500);
        continue;
      }
      if (!pdftotext) break;
      fs.writeFileSync(file, bytes);
      // poppler's embedding controls around runs of another direction are not text.
      text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/[\u202a-\u202e]/g, '');
      if (text.includes('Qatra') && text.includes('٤٥٦٧')) break;
      await page.waitForTimeout(500);
    }
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    if (pdftotext) {
      for (const word of ['Qatra', '٤٥٦٧', '2026', 'مرحبا', 'جاهز']) expect(text).toContain(word);
    }
    await page.locator('.template-editor').screenshot({ path: path.join(SHOTS, 'mail-template-editor.png') });

    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/app\/templates\/welcome-letter-ar$/);
    const saved = await api('GET', '/api/templates/welcome-letter-ar');
    expect(saved).toMatchObject({ channel: 'mail', current: { content: { paper: 'letter-a4', defaultLocale: 'ar', body: BODY } } });

    await page.getByRole('link', { name: 'Templates' }).click();
    const row = page.locator('tr', { has: page.getByRole('link', { name: 'Welcome letter' }) });
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('mail');
  });

  it('in Arabic: the template list, right to left, with the letter in it', async () => {
    await page.getByLabel('Language', { exact: true }).first().selectOption('ar');
    await page.getByRole('heading', { name: 'القوالب', level: 1 }).waitFor();
    await expect(page.evaluate(() => document.documentElement.dir)).resolves.toBe('rtl');
    await page.locator('tr', { has: page.getByRole('link', { name: 'Welcome letter' }) }).waitFor();
    await page.getByRole('link', { name: 'Welcome letter' }).click();
    await page.getByTestId('mail-preview').waitFor({ timeout: 60_000 });
    await expect(page.locator('#mail-body').inputValue()).resolves.toBe(BODY);
    await page.screenshot({ path: path.join(SHOTS, 'mail-template-ar.png'), fullPage: true });
  });
});
