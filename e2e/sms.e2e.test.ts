/**
 * The SMS parts of the web app in a real Chromium against a real `qatra start`:
 *  - an SMS template written in Arabic: the counter says "Unicode (UCS-2)" and the segments (the
 *    opt-out line of a marketing SMS counted), the phone preview is right to left with the opt-out
 *    line greyed, and it saves as an `sms` template;
 *  - a typographic apostrophe is named as what makes a text Unicode, with the replacement hint;
 *  - the SMS settings saved from the settings screen, and a bad country refused at its field;
 *  - a broadcast on the SMS channel offers only SMS templates;
 *  - a contact's phone and its SMS consent, changed by an admin.
 * Screenshot: docs/screenshots/sms-template.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { openBrowser, type Browser } from './browser.js';
import { apiClient, chromiumGuard, newPage, setUpOwner } from './kit.js';
import { startQatra, type RunningQatra } from './server.js';
import { analyzeSms } from '../src/channels/sms/encoding.js';
import { STANDARD_OPT_OUT } from '../src/channels/sms/opt-out.js';

const SHOTS = path.resolve('docs/screenshots');
const missing = chromiumGuard('SMS templates and settings in Chromium');
const ARABIC = 'مرحبا {{ contact.first_name }}، لدينا عرض خاص لك هذا الأسبوع: خصم عشرين بالمئة على كل الطلبات.';

describe.skipIf(!!missing)('SMS templates and settings in Chromium', () => {
  let q: RunningQatra;
  let browser: Browser;
  let page: Page;
  const { api } = apiClient(() => q);

  beforeAll(async () => {
    q = await startQatra();
    browser = await openBrowser({ height: 900 });
    page = await newPage(browser);
    await setUpOwner(page, q.setupLink);
  });
  afterAll(async () => {
    await browser?.close();
    await q?.stop();
  });

  it('writes an Arabic SMS template: UCS-2, its segments, a right-to-left phone preview with the opt-out line', async () => {
    await page.getByRole('link', { name: 'Templates' }).click();
    await page.getByRole('link', { name: 'New template' }).click();
    await page.getByRole('radio', { name: 'SMS' }).check();
    await page.getByLabel('Template id').fill('offer-ar');
    await page.getByLabel('Name', { exact: true }).fill('Weekly offer');
    await page.getByLabel('Default language').fill('ar');
    await page.getByLabel('Message text (with Liquid)').fill(ARABIC);

    const expected = analyzeSms(`${ARABIC}\n${STANDARD_OPT_OUT.ar}`);
    expect(expected).toMatchObject({ encoding: 'ucs2', segments: 2 });
    const counter = page.getByTestId('sms-counter');
    await expect(counter.getByTestId('sms-encoding').textContent()).resolves.toBe('Unicode (UCS-2)');
    await expect(counter.getByTestId('sms-segments').textContent()).resolves.toBe(`2 segments · ${expected.perSegment - expected.remaining}/67`);
    await expect(counter.textContent()).resolves.toContain('at most 6 segments');

    const bubble = page.getByTestId('sms-bubble');
    await expect(bubble.getAttribute('dir')).resolves.toBe('rtl');
    await expect(bubble.getAttribute('lang')).resolves.toBe('ar');
    await expect(page.getByTestId('sms-opt-out').textContent()).resolves.toBe(STANDARD_OPT_OUT.ar);
    await page.locator('.template-editor').screenshot({ path: path.join(SHOTS, 'sms-template.png') });

    await page.getByRole('button', { name: 'Save' }).click();
    // A new template's editor moves to its own address once saved.
    await page.waitForURL(/\/app\/templates\/offer-ar$/);
    const saved = await api('GET', '/api/templates/offer-ar');
    expect(saved).toMatchObject({ channel: 'sms', kind: 'marketing', current: { content: { body: ARABIC, defaultLocale: 'ar' } } });
    expect(saved.current.content.subject).toBeUndefined();

    // Opened again, it is the SMS editor.
    await page.reload();
    await expect(page.getByLabel('Message text (with Liquid)').inputValue()).resolves.toBe(ARABIC);
  });

  it('names the typographic apostrophe that makes a text Unicode and offers the replacement', async () => {
    await page.getByRole('link', { name: 'Templates' }).click();
    await page.getByRole('link', { name: 'New template' }).click();
    await page.getByRole('radio', { name: 'SMS' }).check();
    await page.getByLabel('Kind').selectOption('transactional');
    await page.getByLabel('Message text (with Liquid)').fill('Your code is 1234. It’s valid for 10 minutes.');
    await expect(page.getByTestId('sms-encoding').textContent()).resolves.toBe('Unicode (UCS-2)');
    await expect(page.getByTestId('sms-unicode-warning').textContent()).resolves.toContain('The character «’» makes the whole message Unicode (UCS-2)');
    await page.getByTestId('sms-typographic-hint').waitFor();
    await expect(page.getByTestId('sms-bubble').getAttribute('dir')).resolves.toBe('ltr');
    await expect(page.getByTestId('sms-opt-out').count()).resolves.toBe(0);
    await page.getByLabel('Message text (with Liquid)').fill("Your code is 1234. It's valid for 10 minutes.");
    await expect(page.getByTestId('sms-encoding').textContent()).resolves.toBe('GSM-7');
    await expect(page.getByTestId('sms-segments').textContent()).resolves.toBe('1 segment · 45/160');
  });

  it('saves the SMS settings, and refuses a country without a numbering plan at its field', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    const sms = page.getByTestId('sms-settings');
    await sms.getByLabel('Default country (for national numbers)').fill('XX');
    await sms.getByRole('button', { name: 'Save' }).click();
    await sms.getByRole('alert').filter({ hasText: 'defaultCountry' }).waitFor();
    await expect(sms.getByLabel('Default country (for national numbers)').getAttribute('aria-invalid')).resolves.toBe('true');

    await sms.getByLabel('Default country (for national numbers)').fill('SA');
    await sms.getByLabel('Most segments per message').fill('3');
    await sms.getByRole('button', { name: 'Add sender' }).click();
    await sms.getByLabel('Sender (up to 11 letters and digits, or a number)').fill('Qatra');
    await sms.getByLabel('Extra STOP words').fill('بس, خلاص');
    await sms.getByLabel('Replace typographic quotes and dashes when that keeps a message GSM-7').check();
    await sms.getByRole('button', { name: 'Save' }).click();
    await sms.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect(await api('GET', '/api/channels/sms/settings')).toMatchObject({
      defaultCountry: 'SA',
      maxSegments: 3,
      senderIds: { default: 'Qatra' },
      replaceTypographic: true,
      keywords: { stop: ['بس', 'خلاص'], start: [], help: [] },
      quietHours: { start: '21:00', end: '08:00' },
    });
  });

  it('offers only SMS templates to an SMS broadcast', async () => {
    await api('POST', '/api/templates', { id: 'news-email', name: 'News email', kind: 'transactional', content: { subject: 'News', body: '<p>News</p>' } });
    await page.getByRole('link', { name: 'Broadcasts' }).click();
    const template = page.locator('#bc-template');
    await template.locator('option[value="news-email"]').waitFor({ state: 'attached' });
    await expect(template.locator('option[value="offer-ar"]').count()).resolves.toBe(0);
    await page.locator('#bc-channel').selectOption('sms');
    await template.locator('option[value="offer-ar"]').waitFor({ state: 'attached' });
    await expect(template.locator('option[value="news-email"]').count()).resolves.toBe(0);
  });

  it("shows a contact's phone and SMS consent, and lets an admin change it", async () => {
    const contact = await api('POST', '/api/contacts', { email: 'layla@example.com', phone: '+966501234567', locale: 'ar' });
    await page.goto(`${q.url}/app/contacts/${contact.id}`);
    const sms = page.getByTestId('consent-sms');
    await expect(sms.textContent()).resolves.toContain('+966501234567');
    await expect(sms.getAttribute('data-status')).resolves.toBe('unknown');
    await sms.getByRole('button', { name: 'Subscribe', exact: true }).click();
    await page.locator('[data-testid="consent-sms"][data-status="subscribed"]').waitFor();
    await expect(sms.textContent()).resolves.toContain('admin');
    const current = (await api('GET', `/api/contacts/${contact.id}/consent`)).data;
    expect(current).toEqual(expect.arrayContaining([expect.objectContaining({ channel: 'sms', topic: '', status: 'subscribed', source: 'admin' })]));
    await sms.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.locator('[data-testid="consent-sms"][data-status="unsubscribed"]').waitFor();
  });
});
