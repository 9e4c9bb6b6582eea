/**
 * The social channels in a real Chromium against a real `qatra start`:
 *  - a Telegram template's url buttons: added, checked at the field as typed (a link that is not
 *    http(s) is named under its field and blocks saving), reordered, saved in order;
 *  - a WhatsApp template written in the Arabic interface: the approved template's name, language
 *    and Liquid body parameters, a bad name refused at its field, saved as `content.whatsapp`;
 *  - the posts screen: a dated series on a connected webhook account, its calendar.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openBrowser, type Browser } from './browser.js';
import { apiClient, chromiumGuard, newPage, setUpOwner } from './kit.js';
import { startQatra, type RunningQatra } from './server.js';

const missing = chromiumGuard('Telegram and WhatsApp editors and the posts screen in Chromium');

describe.skipIf(!!missing)('Telegram and WhatsApp editors and the posts screen in Chromium', () => {
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

  it('edits Telegram buttons: a bad link is named at its field and blocks saving; rows keep their order', async () => {
    await page.getByRole('link', { name: 'Templates' }).click();
    await page.getByRole('link', { name: 'New template' }).click();
    await page.getByRole('radio', { name: 'Telegram' }).check();
    await page.getByLabel('Template id').fill('tg-sale');
    await page.getByLabel('Name', { exact: true }).fill('Sale on Telegram');
    await page.getByLabel('Message', { exact: true }).fill('Hi <b>{{ contact.first_name }}</b>, the sale is on.');
    await page.getByRole('button', { name: 'Add button' }).click();
    await page.getByLabel('Button 1 text').fill('Shop');
    await page.getByLabel('Button 1 link').fill('ftp://shop.example.com');
    const urlField = page.getByLabel('Button 1 link');
    await expect(urlField.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#tg-b0-url-error').textContent()).resolves.toBe('A link starting with https:// or http:// (Liquid allowed).');
    await expect(page.getByRole('button', { name: 'Save' }).isDisabled()).resolves.toBe(true);

    await urlField.fill('https://shop.example.com/sale?c={{ contact.id }}');
    await expect(urlField.getAttribute('aria-invalid')).resolves.toBeNull();
    await page.getByRole('button', { name: 'Add button' }).click();
    await page.getByLabel('Button 2 text').fill('Stores');
    await page.getByLabel('Button 2 link').fill('https://shop.example.com/stores');
    await page.getByRole('button', { name: 'Move button 2 up' }).click();
    await expect(page.getByLabel('Button 1 text').inputValue()).resolves.toBe('Stores');
    await page.getByRole('button', { name: 'Save' }).click();
    // A loaded machine took 20 s to save here once: wait longer than the page's default.
    await page.waitForURL(/\/app\/templates\/tg-sale$/, { timeout: 30_000 });
    const saved = await api('GET', '/api/templates/tg-sale');
    expect(saved).toMatchObject({ channel: 'telegram', current: { content: { body: 'Hi <b>{{ contact.first_name }}</b>, the sale is on.' } } });
    expect(saved.current.content.buttons).toEqual([
      { text: 'Stores', url: 'https://shop.example.com/stores' },
      { text: 'Shop', url: 'https://shop.example.com/sale?c={{ contact.id }}' },
    ]);
    // Opened again, it is the Telegram editor with its buttons.
    await page.reload();
    await expect(page.getByLabel('Button 2 text').inputValue()).resolves.toBe('Shop');
  });

  it('writes a WhatsApp template in the Arabic interface: name, language, Liquid parameters, a media header and a URL button; a bad name refused at its field', async () => {
    await page.getByLabel('Language', { exact: true }).selectOption('ar');
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await page.goto(`${q.url}/app/templates/new`);
    await page.getByRole('radio', { name: 'واتساب' }).check();
    await page.getByLabel('معرّف القالب').fill('wa-order');
    await page.getByLabel('اسم القالب المعتمد').fill('Order Shipped');
    await expect(page.getByLabel('اسم القالب المعتمد').getAttribute('aria-invalid')).resolves.toBe('true');
    await page.locator('#wa-name-error').waitFor();
    await expect(page.getByRole('button', { name: 'حفظ' }).isDisabled()).resolves.toBe(true);
    await page.getByLabel('اسم القالب المعتمد').fill('order_shipped');
    await page.getByLabel('لغة القالب').fill('ar');
    await page.getByRole('button', { name: 'إضافة معامل' }).click();
    await page.getByLabel('المعامل 1').fill('{{ contact.first_name | default: "عميلنا" }}');
    await page.getByRole('button', { name: 'إضافة معامل' }).click();
    await page.getByLabel('المعامل 2').fill('{{ data.order }}');
    await page.getByLabel('متغير الترويسة').selectOption('image');
    await page.getByLabel('رابط الوسائط (https، يُسمح بـ Liquid)').fill('https://cdn.example.com/{{ data.order }}.png');
    await page.getByRole('button', { name: 'إضافة زر رابط' }).click();
    await page.getByLabel('نهاية العنوان').fill('track/{{ data.order }}');
    await page.getByRole('button', { name: 'حفظ' }).click();
    await page.waitForURL(/\/app\/templates\/wa-order$/);
    const saved = await api('GET', '/api/templates/wa-order');
    expect(saved).toMatchObject({
      channel: 'whatsapp',
      current: {
        content: {
          whatsapp: {
            name: 'order_shipped',
            language: 'ar',
            parameters: ['{{ contact.first_name | default: "عميلنا" }}', '{{ data.order }}'],
            header: { type: 'image', link: 'https://cdn.example.com/{{ data.order }}.png' },
            buttons: [{ index: 0, urlSuffix: 'track/{{ data.order }}' }],
          },
        },
      },
    });
    await page.getByLabel('اللغة', { exact: true }).selectOption('en');
  });

  it('creates a dated post series on the posts screen and shows its calendar', async () => {
    await api('POST', '/api/post-accounts', {
      kind: 'webhook',
      name: 'Brand hook',
      settings: { url: 'https://hooks.example.com/posts' },
      secrets: { signingSecret: 'a-signing-secret-of-32-characters' },
    });
    await page.getByRole('link', { name: 'Social posts' }).click();
    await page.getByRole('heading', { name: 'Post series' }).waitFor();
    await page.getByRole('button', { name: 'New series' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Launch week');
    await page.getByLabel('Time zone').fill('Asia/Riyadh');
    await page.getByRole('checkbox', { name: 'Brand hook' }).check();
    await page.getByRole('radio', { name: 'Dated posts' }).check();
    await page.getByLabel(/^Text/).first().fill('We launch on {{ post.date }}');
    await page.getByLabel('Date and time').first().fill('2031-03-01T10:00');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: /Launch week · Calendar \(Asia\/Riyadh\)/ }).waitFor();
    await page.getByRole('cell', { name: 'We launch on {{ post.date }}' }).waitFor();
    const list = await api('GET', '/api/post-series');
    expect(list.data).toEqual([expect.objectContaining({ name: 'Launch week', timezone: 'Asia/Riyadh', posts: 1 })]);
  });
});
