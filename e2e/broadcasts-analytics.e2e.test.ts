/**
 * The Broadcasts and Analytics screens in a real Chromium against a real `qatra start`. Seeded
 * through the API: a template, a list of 3 contacts, a journey that emails a contact who signs up,
 * with a human open, a machine open and a click through the email's real /o/ and /c/ links. In the
 * browser: a field error from the server shown in place, a broadcast to the list created and
 * scheduled until its progress reads sent 3, its figures; the journey's figures (with the split by
 * channel), funnel and per-day chart, in English and in Persian (right to left). Screenshots go to docs/screenshots/.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { openBrowser, type Browser } from './browser.js';
import { apiClient, chromiumGuard, newPage, setUpOwner } from './kit.js';
import { startQatra, type RunningQatra } from './server.js';

const SHOTS = path.resolve('docs/screenshots');
const missing = chromiumGuard('broadcasts and analytics in Chromium');
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
const HUMAN_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

describe.skipIf(!!missing)('broadcasts and analytics in Chromium', () => {
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
      content: {
        subject: 'News for {{ contact.first_name | default: "you" }}',
        body: '<p>Hello.</p><p><a href="https://shop.example.com/sale">See the sale</a></p><p>{{ workspace.postal_address }} · <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
      },
    });
    const list = await api('POST', '/api/lists', { name: 'Newsletter' });
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push((await api('POST', '/api/contacts', { email: `reader${n}@example.com`, userId: `reader-${n}` })).id);
    await api('POST', `/api/lists/${list.id}/members`, { contactIds: ids, status: 'subscribed' });
    await api('POST', '/api/journeys', {
      id: 'onboard',
      name: 'Onboarding',
      status: 'live',
      trigger: { type: 'event', event: 'joined' },
      start: 'hello',
      nodes: [
        { id: 'hello', type: 'message', channel: 'email', template: 'news' },
        { id: 'done', type: 'exit' },
      ],
      edges: [{ from: 'hello', to: 'done' }],
    });
    await ingest('identify', { userId: 'jo', traits: { email: 'jo@example.com', first_name: 'Jo' } });
    await ingest('track', { userId: 'jo', event: 'joined' });
    const mailTo = async (to: string) => (await api('GET', '/api/outbox')).data.find((e: { to: string }) => e.to === to);
    // expect.poll works only inside a test, so the setup waits by hand.
    let mail = await mailTo('jo@example.com');
    for (const until = Date.now() + 30_000; !mail && Date.now() < until; mail = await mailTo('jo@example.com')) await new Promise((r) => setTimeout(r, 200));
    if (!mail) throw new Error('the journey email did not reach the outbox in 30 s');
    const pixel = /\/o\/[^"'\s>]+\.gif/.exec(mail.html)?.[0];
    const click = /\/c\/[^"'\s>]+/.exec(mail.html)?.[0];
    expect(pixel, 'open pixel in the email').toBeTruthy();
    expect(click, 'tracked link in the email').toBeTruthy();
    // A proxy's fetch (bare Mozilla/5.0) is a machine open; a person opens later and clicks.
    await fetch(q.url + pixel, { headers: { 'user-agent': 'Mozilla/5.0' } });
    await new Promise((r) => setTimeout(r, 2_200));
    await fetch(q.url + pixel, { headers: { 'user-agent': HUMAN_UA } });
    const res = await fetch(q.url + click, { headers: { 'user-agent': HUMAN_UA }, redirect: 'manual' });
    expect(res.status).toBeGreaterThanOrEqual(300);
    expect(res.headers.get('location')).toContain('shop.example.com/sale');

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

  it('creates a broadcast to a list (a server error shown at its field first), schedules it and sees sent reach 3', async () => {
    await page.getByRole('link', { name: 'Broadcasts' }).click();
    await page.getByText('No broadcasts yet.').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('December news');
    await page.getByLabel('Template', { exact: true }).selectOption('news');
    await page.getByLabel('Audience', { exact: true }).selectOption({ label: 'Newsletter' });
    await page.getByLabel('Throttle (messages per second; empty: no limit)').fill('0');
    await page.getByRole('button', { name: 'Create draft' }).click();
    // The server's validation message, under the throttle field and tied to it.
    const rate = page.getByLabel('Throttle (messages per second; empty: no limit)');
    await expect.poll(() => rate.getAttribute('aria-invalid')).toBe('true');
    await expect(page.locator('#bc-err-ratePerSecond').textContent()).resolves.toMatch(/1|small|least/i);
    await rate.fill('50');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.getByRole('status').filter({ hasText: 'Draft created' }).waitFor();
    const row = page.getByTestId('broadcast-December news');
    await expect.poll(() => row.getByTestId('broadcast-status').textContent()).toBe('draft');
    await row.getByRole('button', { name: 'Schedule' }).click();
    // The review: the count the send will reach, a preview as the first recipient, a test send, then the confirmation.
    const review = page.getByTestId('broadcast-review');
    await expect.poll(() => review.getByTestId('review-count').textContent()).toBe('It will go to 3 contacts now.');
    await review.getByTestId('review-preview').waitFor();
    await review.getByLabel('Send a test to (email or phone)').fill('tester@example.com');
    await review.getByRole('button', { name: 'Send test' }).click();
    await expect.poll(() => review.getByTestId('review-test-result').textContent()).toMatch(/^Test sent to tester@example.com/);
    await shot(page, 'broadcast-review');
    await review.getByRole('button', { name: 'Schedule for 3 contacts' }).click();
    // The list polls every 2 s while the broadcast is scheduled or sending.
    await expect.poll(() => row.getByTestId('progress-sent').textContent(), { timeout: 30_000 }).toBe('sent 3');
    await expect.poll(() => row.getByTestId('broadcast-status').textContent(), { timeout: 15_000 }).toBe('completed');
    expect(await row.getByTestId('progress-total').textContent()).toBe('total 3');
    expect(await row.getByTestId('progress-remaining').textContent()).toBe('remaining 0');
    const outbox = (await api('GET', '/api/outbox')).data.map((e: { to: string }) => e.to);
    for (const n of [1, 2, 3]) expect(outbox).toContain(`reader${n}@example.com`);
    await row.getByRole('button', { name: 'Figures' }).click();
    await expect.poll(() => page.getByTestId('broadcast-figures').getByTestId('fig-sent').locator('dd').first().textContent()).toBe('3');
    await shot(page, 'broadcasts');
  });

  it('a broadcast for later, in local time, is scheduled, paused, resumed and cancelled', async () => {
    await page.getByLabel('Name', { exact: true }).fill('New year');
    await page.getByLabel('At a time').check();
    await page.getByLabel('Start at').fill('2030-01-01T09:00');
    await page.getByLabel("In each contact's local time").check();
    await page.getByLabel('Time of day').fill('9am');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await expect.poll(() => page.getByLabel('Time of day').getAttribute('aria-invalid')).toBe('true');
    await page.locator('#bc-err-localTime').waitFor();
    await page.getByLabel('Time of day').fill('10:30');
    await page.getByRole('button', { name: 'Create draft' }).click();
    const row = page.getByTestId('broadcast-New year');
    await expect.poll(() => row.getByTestId('broadcast-status').textContent()).toBe('draft');
    const stored = (await api('GET', '/api/broadcasts')).data.find((b: { name: string }) => b.name === 'New year');
    expect(stored).toMatchObject({ localTime: '10:30', ratePerSecond: 50, sendAt: await page.evaluate(() => new Date('2030-01-01T09:00').getTime()) });
    await row.getByRole('button', { name: 'Edit' }).click();
    await page.getByTestId('broadcast-edit').getByLabel('Messages per second').fill('20');
    await page.getByTestId('broadcast-edit').getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await api('GET', `/api/broadcasts/${stored.id}`)).ratePerSecond).toBe(20);
    await row.getByRole('button', { name: 'Schedule' }).click();
    await page
      .getByTestId('broadcast-review')
      .getByRole('button', { name: /^Schedule for \d+ contacts?$/ })
      .click();
    await expect.poll(() => row.getByTestId('broadcast-status').textContent()).toBe('scheduled');
    await row.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => row.getByTestId('broadcast-status').textContent()).toBe('paused');
    await row.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => row.getByTestId('broadcast-status').textContent()).toBe('scheduled');
    await row.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => row.getByTestId('broadcast-status').textContent()).toBe('cancelled');
    expect((await api('GET', `/api/broadcasts/${stored.id}`)).status).toBe('cancelled');
    expect(await row.getByRole('button', { name: 'Cancel' }).count()).toBe(0);
  });

  it("shows a journey's figures, funnel and per-day chart, and mirrors them in Persian", async () => {
    await page.getByRole('link', { name: 'Analytics' }).click();
    await page.getByLabel('Journey', { exact: true }).selectOption('onboard');
    const figs = page.getByTestId('journey-figures');
    const value = (id: string) => figs.getByTestId(`fig-${id}`).locator('dd').first().textContent();
    await expect.poll(() => value('sent')).toBe('1');
    expect(await value('entered')).toBe('1');
    expect(await value('human-opens')).toBe('1');
    expect(await value('machine-opens')).toBe('0'); // the message was opened by a person, so it is not "machine only"
    expect(await value('clicks')).toBe('1');
    await expect(figs.getByTestId('fig-human-opens').textContent()).resolves.toContain('100% of delivered');
    // The split by channel: one email row (the journey sends only email), and the step's row.
    const email = page.getByTestId('journey-figures-channels').getByTestId('channel-email');
    await expect(email.locator('td').first().textContent()).resolves.toBe('1');
    await expect(email.textContent()).resolves.toMatch(/^Email1.*100%/);
    expect(await page.getByTestId('journey-figures-channels').getByTestId('step-hello-email').count()).toBe(1);
    await expect(page.getByTestId('funnel-channel-hello').textContent()).resolves.toBe('Email');
    const hello = page.getByTestId('funnel-hello');
    // Funnel rows read the step's name (its template's), not its id (issue 21).
    await expect(hello.textContent()).resolves.toMatch(/^Send: News Email.*1.*sent\s*1/);
    await expect(page.getByTestId('series-chart').getAttribute('aria-label')).resolves.toMatch(/Sent 1, Opened \(people\) 1, Clicked 1/);
    expect(await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href')).toBe('/api/journeys/onboard/stats?format=csv');
    const csv = await page.evaluate(async () => (await fetch('/api/journeys/onboard/stats?format=csv')).text());
    expect(csv.split('\n').length).toBeGreaterThan(1);
    await page.getByLabel('Choose a template').selectOption('news');
    await expect.poll(() => page.getByTestId('template-figures').getByTestId('fig-sent').locator('dd').first().textContent()).toBe('4');
    await shot(page, 'analytics');
    await page.getByLabel('Language').selectOption('fa');
    await page.getByRole('heading', { name: 'آمار و تحلیل' }).waitFor();
    await expect(page.evaluate(() => document.documentElement.dir)).resolves.toBe('rtl');
    await expect.poll(() => value('sent')).toBe('۱');
    const nav = (await page.getByRole('navigation').boundingBox())!;
    expect(nav.x).toBeGreaterThan(1000);
    await shot(page, 'analytics-fa');
    await page.getByLabel('زبان').selectOption('en');
  });
});
