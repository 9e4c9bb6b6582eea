/**
 * Contact search and the analytics overview (issue 21, points 4 and 7) in a real Chromium against a
 * real `qatra start`. Seeded through the API: contacts named in Arabic and in Latin letters (and one
 * with a phone number), an email sent, and purchases in two currencies. In the browser: the Arabic
 * name, the Latin one and a phone number typed with spaces each find their contact with the total,
 * the profile is headed by the name; the overview shows the sent count, revenue per currency
 * (separately) and its charts; then the same screens in Arabic, right to left.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { openBrowser, type Browser } from './browser.js';
import { apiClient, chromiumGuard, newPage, setUpOwner } from './kit.js';
import { startQatra, type RunningQatra } from './server.js';

const SHOTS = path.resolve('docs/screenshots');
const missing = chromiumGuard('contact search and the analytics overview in Chromium');
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

describe.skipIf(!!missing)('contact search and the analytics overview in Chromium', () => {
  let q: RunningQatra;
  let browser: Browser;
  let page: Page;
  const { api, ingest } = apiClient(() => q);

  beforeAll(async () => {
    q = await startQatra();
    await api('PATCH', '/api/workspace', { postalAddress: '1 Main St, Springfield' });
    await api('POST', '/api/templates', {
      id: 'news',
      name: 'News',
      kind: 'marketing',
      content: { subject: 'News', body: '<p>Hello.</p><p>{{ workspace.postal_address }} <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>' },
    });
    await api('POST', '/api/contacts', { email: 'a.hasan@example.com', attributes: { first_name: 'أحمد', last_name: 'الحسن' } });
    await api('POST', '/api/contacts', { email: 'karim@example.org', attributes: { name: 'Ahmed Karim' } });
    await api('POST', '/api/contacts', { email: 'sara@example.net', phone: '+966501112233', attributes: { firstName: 'Sara', lastName: 'Mansour' } });
    for (let i = 0; i < 3; i++) await api('POST', '/api/contacts', { email: `other${i}@example.com` });
    await api('POST', '/api/messages/send', { templateId: 'news', email: 'sara@example.net' });
    await ingest('identify', { userId: 'buyer', traits: { email: 'buyer@example.com' } });
    await ingest('track', { userId: 'buyer', event: 'Order Completed', properties: { revenue: 100, currency: 'SAR' } });
    await ingest('track', { userId: 'buyer', event: 'Order Completed', properties: { revenue: 20, currency: 'USD' } });
    browser = await openBrowser({ height: 900 });
    page = await newPage(browser);
    await setUpOwner(page, q.setupLink);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) await page.screenshot({ path: path.join(os.tmpdir(), `qatra-e2e-failure-search-${Date.now()}.png`) });
  });
  afterAll(async () => {
    await browser?.close();
    await q?.stop();
  });

  const search = async (label: string, text: string) => {
    await page.getByLabel(label).fill(text);
    await page.getByRole('search').getByRole('button').first().click();
  };

  it('finds contacts by Arabic name, Latin name and phone, with the total; the profile is headed by the name', async () => {
    await page.getByRole('link', { name: 'Contacts' }).click();
    await expect.poll(() => page.getByTestId('contacts-total').textContent()).toBe('7 contacts');
    await search('Name, email, phone or user id', 'احمد');
    await expect.poll(() => page.getByTestId('contacts-total').textContent()).toBe('1 contact');
    await page.getByRole('link', { name: 'أحمد الحسن' }).waitFor();
    await search('Name, email, phone or user id', 'ahmed');
    await expect.poll(() => page.getByTestId('contacts-total').textContent()).toBe('1 contact');
    await search('Name, email, phone or user id', '050 111 2233');
    await page.getByRole('link', { name: 'Sara Mansour' }).waitFor();
    await shot(page, 'contacts-search');
    await page.getByRole('link', { name: 'Sara Mansour' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sara Mansour' }).waitFor();
  });

  it('the overview shows the period, the previous one, revenue per currency and its charts from one request', async () => {
    const overviewRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/stats/workspace')) overviewRequests.push(r.url());
    });
    await page.getByRole('link', { name: 'Analytics' }).click();
    const overview = page.getByTestId('overview');
    await expect.poll(() => overview.getByTestId('ov-sent').locator('td').first().textContent()).toBe('1');
    expect(await overview.getByTestId('ov-sent').locator('td').nth(1).textContent()).toBe('0');
    expect(await overview.getByTestId('ov-revenue-SAR').textContent()).toMatch(/100/);
    expect(await overview.getByTestId('ov-revenue-USD').textContent()).toMatch(/\$20/);
    expect(await overview.locator('[data-testid="ov-trend"] title').textContent()).toBe('Sent, opened by people and clicked per day');
    expect(await overview.locator('[data-testid="ov-funnel"] desc').textContent()).toMatch(/^Sent 1, Delivered/);
    expect(overviewRequests).toHaveLength(1);
    await shot(page, 'analytics-overview');
  });

  it('in Arabic: right to left, the search label and the overview translated, the Arabic name found', async () => {
    await page.getByLabel('Language').selectOption('ar');
    await expect.poll(() => page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await page.getByRole('heading', { name: 'نظرة عامة على مساحة العمل' }).waitFor();
    await shot(page, 'analytics-overview-ar');
    await page.getByRole('link', { name: 'جهات الاتصال' }).click();
    await search('الاسم أو البريد أو الهاتف أو معرّف المستخدم', 'أحمد');
    await page.getByRole('link', { name: 'أحمد الحسن' }).waitFor();
    await shot(page, 'contacts-search-ar');
  });
});
