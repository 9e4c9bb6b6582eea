/**
 * Contacts in a real Chromium against a real `qatra start`: a CSV with one bad row imported through
 * the import screen (a column mapped, a type chosen) until the progress bar reads 100 % and the bad
 * row is reported with its line; then a contact who signed up and got the welcome journey's email
 * opened, with the event and the message (status, opens, clicks) on its timeline, the message
 * itself opened, and the journey with its path; the same profile in Persian (right to left).
 * Last, the broadcasts list in pages of 50.
 * Screenshots: docs/screenshots/contacts-import.png, contacts-import-fa.png, contact-timeline.png,
 * contact-timeline-fa.png.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { openBrowser, type Browser } from './browser.js';
import { apiClient, chromiumGuard, newPage, setUpOwner } from './kit.js';
import { startQatra, type RunningQatra } from './server.js';

const SHOTS = path.resolve('docs/screenshots');
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
const missing = chromiumGuard('contacts in Chromium');

describe.skipIf(!!missing)('contacts in Chromium', () => {
  let q: RunningQatra;
  let browser: Browser;
  let page: Page;
  const { api, ingest } = apiClient(() => q);
  let contactId = '';

  beforeAll(async () => {
    q = await startQatra();
    await api('PATCH', '/api/workspace', { postalAddress: '1 Main St, Springfield' });
    await api('POST', '/api/lists', { name: 'Customers' });
    await api('POST', '/api/templates', {
      id: 'welcome',
      name: 'Welcome',
      kind: 'marketing',
      content: {
        subject: 'Welcome, {{ contact.first_name | default: "friend" }}',
        body: '<h1>Welcome {{ contact.first_name | default: "friend" }}</h1><p><a href="https://shop.example.com/">Visit the shop</a></p><p>{{ workspace.postal_address }} · <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
      },
    });
    await api('POST', '/api/journeys', {
      id: 'welcome',
      name: 'Welcome',
      status: 'live',
      trigger: { type: 'event', event: 'signed_up' },
      start: 'hello',
      nodes: [
        { id: 'hello', type: 'message', channel: 'email', template: 'welcome' },
        { id: 'done', type: 'exit' },
      ],
      edges: [{ from: 'hello', to: 'done' }],
    });
    await ingest('identify', { userId: 'layla', traits: { email: 'layla@example.com', first_name: 'Layla' } });
    await ingest('track', { userId: 'layla', event: 'signed_up', properties: { plan: 'pro' } });
    const mailTo = async (to: string) => (await api('GET', '/api/outbox')).data.find((e: { to: string }) => e.to === to);
    let mail = await mailTo('layla@example.com');
    for (const until = Date.now() + 30_000; !mail && Date.now() < until; mail = await mailTo('layla@example.com')) await new Promise((r) => setTimeout(r, 200));
    if (!mail) throw new Error('the journey email did not reach the outbox in 30 s');
    // Layla opens it and clicks (a person's browser), so the timeline has figures to show.
    const ua = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
    await fetch(q.url + /\/o\/[^"'\s>]+\.gif/.exec(mail.html)![0], { headers: { 'user-agent': ua } });
    await fetch(q.url + /\/c\/[^"'\s>]+/.exec(mail.html)![0], { headers: { 'user-agent': ua }, redirect: 'manual' });
    contactId = (await api('GET', '/api/contacts?userId=layla')).data[0].id;

    browser = await openBrowser({ height: 900 });
    page = await newPage(browser);
    await setUpOwner(page, q.setupLink);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await page?.screenshot({ path: path.join(os.tmpdir(), `qatra-e2e-failure-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}.png`) }).catch(() => {});
  });
  afterAll(async () => {
    await browser?.close();
    await q?.stop();
  });

  it('imports a CSV through the UI: progress reaches 100 % and the bad row is reported with its line', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qatra-csv-'));
    const file = path.join(dir, 'customers.csv');
    // Line 4 has a bad email; "Customer" is mapped to userId and "score" typed as a number.
    writeFileSync(file, 'Customer,email,first_name,score\nc-1,amal@example.com,Amal,10\nc-2,omar@example.com,Omar,7\nc-3,not-an-email,Huda,3\nc-4,reza@example.com,Reza,12\n');
    await page.getByRole('link', { name: 'Contacts' }).click();
    await page.getByRole('link', { name: 'Import CSV' }).click();
    await page.getByRole('heading', { name: 'Import contacts from CSV' }).waitFor();
    await page.getByLabel('CSV file').setInputFiles(file);
    await page.getByLabel('What column Customer becomes').selectOption('userId');
    await page.getByLabel('Type of column score').selectOption('number');
    await page.getByLabel('Also add to list').selectOption({ label: 'Customers' });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const bar = page.getByRole('progressbar', { name: 'Import progress' });
    await expect.poll(() => bar.getAttribute('aria-valuenow'), { timeout: 15_000 }).toBe('100');
    await expect.poll(() => page.getByTestId('import-counts').textContent()).toBe('4 rows: 3 created, 0 updated, 0 unchanged, 1 bad');
    const failures = page.getByTestId('import-failures');
    expect(await failures.locator('tbody tr').count()).toBe(1);
    expect(await failures.locator('tbody tr td').allTextContents()).toEqual(['4', 'invalid email "not-an-email": must contain exactly one @, like name@example.com']);
    await shot(page, 'contacts-import');
    await page.getByLabel('Language').selectOption('fa');
    await page.getByRole('heading', { name: 'ورود مخاطبان از CSV' }).waitFor();
    expect(await page.getByTestId('import-counts').textContent()).toBe('۴ ردیف: ۳ تازه، ۰ به‌روز، ۰ بی‌تغییر، ۱ نادرست');
    // The bar fills from the inline start: the right edge in Persian.
    const rtlBar = page.getByTestId('import-progress');
    const [track, fill] = [await rtlBar.boundingBox(), await rtlBar.locator('.progressbar-fill').boundingBox()];
    expect(Math.abs(track!.x + track!.width - (fill!.x + fill!.width))).toBeLessThan(1);
    await shot(page, 'contacts-import-fa');
    await page.getByLabel('زبان').selectOption('en');
    // The rows are really in: mapped, typed, on the list.
    const reza = (await api('GET', '/api/contacts?userId=c-4')).data[0];
    expect(reza).toMatchObject({ email: 'reza@example.com', attributes: { first_name: 'Reza', score: 12 } });
    expect((await api('GET', `/api/contacts/${reza.id}/lists`)).data).toHaveLength(1);
    expect((await api('GET', '/api/contacts?userId=c-3')).data).toEqual([]);
  });

  it("shows a contact's timeline with the event and the message (status, opens, clicks), the message itself and the journey path", async () => {
    await page.goto(`${q.url}/app/contacts/${contactId}`);
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    const timeline = page.getByTestId('timeline');
    const event = timeline.getByTestId('timeline-event').filter({ hasText: 'signed_up' });
    await event.waitFor();
    expect(await event.textContent()).toContain('"plan":"pro"');
    const message = timeline.getByTestId('timeline-message').first();
    expect(await message.textContent()).toContain('Welcome, Layla');
    expect(await message.getByTestId('timeline-message-status').textContent()).toBe('sent');
    const record = (await api('GET', `/api/messages?contactId=${contactId}`)).data[0];
    expect(record.clickCount).toBe(1);
    expect(record.openCount).toBeGreaterThanOrEqual(1);
    expect(await message.getByTestId('timeline-message-figures').textContent()).toBe(`${record.openCount} opens · 1 clicks`);
    // Newest first: the open and the click, then the message, then the sign-up that caused it.
    const order = await timeline.locator('> li').evaluateAll((lis) => lis.map((li) => `${li.className}:${li.querySelector('strong')?.textContent}`));
    expect(order).toEqual(['tl-event:email.clicked', 'tl-event:email.opened', 'tl-message:Welcome, Layla', 'tl-event:signed_up', 'tl-event:identify']);
    await message.getByRole('button', { name: 'View message' }).click();
    const frame = page.frameLocator('[data-testid="timeline-message-content"] iframe');
    await frame.getByRole('heading', { name: 'Welcome Layla' }).waitFor();
    expect(await page.getByTestId('timeline-message-content').textContent()).toContain('as it was sent');
    expect(await page.getByTestId('journey-path').textContent()).toContain('hello → done');
    await shot(page, 'contact-timeline');

    await page.getByLabel('Language').selectOption('fa');
    await page.getByRole('heading', { name: 'خط زمانی' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    expect(await message.getByTestId('timeline-message-status').textContent()).toBe('فرستاده شد');
    // Mirrored: the timeline's rule runs down the right side.
    const box = await timeline.boundingBox();
    const item = await timeline.locator('> li').first().boundingBox();
    const style = await timeline.evaluate((el) => getComputedStyle(el).borderRightWidth);
    expect(style).toBe('2px');
    // Event properties are JSON and stay left to right inside the mirrored layout.
    expect(await event.locator('code').evaluate((el) => getComputedStyle(el).direction)).toBe('ltr');
    expect(item!.x + item!.width).toBeLessThanOrEqual(box!.x + box!.width);
    await frame.getByRole('heading', { name: 'Welcome Layla' }).waitFor();
    await page.waitForTimeout(300); // let the frame paint after the re-layout
    await shot(page, 'contact-timeline-fa');
    await page.getByLabel('زبان').selectOption('en');
  });

  it('pages the broadcasts list 50 at a time', async () => {
    const list = (await api('GET', '/api/lists')).data.find((l: { name: string }) => l.name === 'Customers');
    for (let i = 0; i < 55; i++) await api('POST', '/api/broadcasts', { name: `Draft ${String(i).padStart(2, '0')}`, template: 'welcome', audience: { type: 'list', id: list.id } });
    await page.getByRole('link', { name: 'Broadcasts' }).click();
    const rows = page.getByTestId('broadcasts').locator('tbody tr');
    await page.getByTestId('broadcast-Draft 00').waitFor();
    expect(await rows.count()).toBe(50);
    expect(await page.getByTestId('broadcasts-page').textContent()).toBe('Page 1');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByTestId('broadcast-Draft 54').waitFor();
    expect(await rows.count()).toBe(5);
    expect(await page.getByTestId('broadcasts-page').textContent()).toBe('Page 2');
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous' }).click();
    await page.getByTestId('broadcast-Draft 00').waitFor();
    expect(await rows.count()).toBe(50);
  });
});
