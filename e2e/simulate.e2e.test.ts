/**
 * Simulate in a real Chromium against a real `qatra start`: the owner opens a seeded journey,
 * presses Simulate, picks an existing Persian contact by email, adds an event, runs, and sees the
 * three steps on the timeline and the rendered message (right to left) in its sandboxed frame.
 * The screenshot goes to docs/screenshots/simulate.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { openBrowser, type Browser } from './browser.js';
import { apiClient, chromiumGuard, newPage, setUpOwner } from './kit.js';
import { startQatra, type RunningQatra } from './server.js';

const SHOTS = path.resolve('docs/screenshots');
const missing = chromiumGuard('simulate in Chromium');

describe.skipIf(!!missing)('simulate in Chromium', () => {
  let q: RunningQatra;
  let browser: Browser;
  let page: Page;
  const { api } = apiClient(() => q);

  beforeAll(async () => {
    q = await startQatra();
    browser = await openBrowser();
    page = await newPage(browser);
    await api('PATCH', '/api/workspace', { postalAddress: '1 Main St, Springfield' });
    await api('POST', '/api/templates', {
      id: 'welcome-1',
      name: 'Welcome',
      kind: 'marketing',
      content: {
        subject: 'Welcome, {{ contact.first_name | default: "friend" }}',
        body: '<h1>Welcome {{ contact.first_name | default: "friend" }}</h1><p>{{ workspace.postal_address }} · <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
        locales: {
          fa: { subject: 'خوش آمدید {{ contact.first_name }}', body: '<h1>سلام {{ contact.first_name }}</h1><p>{{ workspace.postal_address }} · <a href="{{ unsubscribe_url }}">لغو اشتراک</a></p>' },
        },
      },
    });
    await api('POST', '/api/contacts', { email: 'sara@example.com', userId: 'sara', locale: 'fa', timezone: 'Asia/Tehran', attributes: { first_name: 'سارا' } });
    await api('POST', '/api/journeys', {
      id: 'welcome',
      name: 'Welcome',
      status: 'live',
      trigger: { type: 'event', event: 'signed_up' },
      start: 'hello',
      nodes: [
        { id: 'hello', type: 'message', channel: 'email', template: 'welcome-1' },
        { id: 'pause', type: 'delay', duration: '1d' },
        { id: 'done', type: 'exit' },
      ],
      edges: [
        { from: 'hello', to: 'pause' },
        { from: 'pause', to: 'done' },
      ],
    });
    await setUpOwner(page, q.setupLink);
  });
  afterAll(async () => {
    await browser?.close();
    await q?.stop();
  });

  it('simulates an existing contact through a seeded journey: 3 steps and the rendered message', async () => {
    await page.goto(q.url + '/app/journeys/welcome');
    await page.getByRole('button', { name: 'Simulate' }).click();
    await page.getByRole('heading', { name: 'Simulate: Welcome' }).waitFor();
    // A typed-in contact with broken JSON is refused in place.
    await page.getByLabel('Attributes (JSON)').fill('{ "first_name": ');
    await page.getByText('This is not a JSON object.').waitFor();
    await page.getByLabel('An existing contact').check();
    await page.getByRole('searchbox').fill('sara@example.com');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('sara@example.com').waitFor();
    await page.getByRole('button', { name: 'Add event' }).click();
    await page.getByLabel('Event', { exact: true }).fill('page_viewed');
    await page.getByLabel('At', { exact: true }).fill('+2h');
    await page.getByRole('button', { name: 'Run simulation' }).click();
    await page.getByTestId('sim-path').waitFor();
    const steps = page.getByTestId('sim-step');
    await expect(steps.count()).resolves.toBe(3);
    await expect(steps.nth(0).textContent()).resolves.toContain('hello');
    await expect(steps.nth(1).textContent()).resolves.toContain('pause');
    await expect(steps.nth(2).textContent()).resolves.toContain('done');
    await expect(page.getByTestId('sim-end').textContent()).resolves.toContain('completed');
    const message = page.getByTestId('sim-message');
    await expect(message.textContent()).resolves.toContain('dir=rtl');
    await expect(message.locator('iframe').getAttribute('sandbox')).resolves.toBe('');
    await expect(page.frameLocator('[data-testid="sim-message"] iframe').locator('h1').textContent()).resolves.toBe('سلام سارا');
    // Nothing was stored: the contact is in no journey and the outbox is empty.
    const runs = await api('GET', '/api/journeys/welcome/runs');
    expect(runs.runs).toHaveLength(0);
    await page.screenshot({ path: path.join(SHOTS, 'simulate.png'), fullPage: true });
  });
});
