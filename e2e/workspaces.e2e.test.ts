/**
 * The workspace switcher in a real Chromium against a real `qatra start`: the owner creates a
 * second workspace from the top bar and lands in it as its owner, the switcher lists both with the
 * role, and switching back shows the first workspace's data again, all without signing in again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openBrowser, type Browser } from './browser.js';
import { apiClient, chromiumGuard, newPage, setUpOwner } from './kit.js';
import { startQatra, type RunningQatra } from './server.js';

const missing = chromiumGuard('the workspace switcher in Chromium');

describe.skipIf(!!missing)('the workspace switcher in Chromium', () => {
  let q: RunningQatra;
  let browser: Browser;
  let page: Page;
  const { api } = apiClient(() => q);

  beforeAll(async () => {
    q = await startQatra();
    browser = await openBrowser();
    page = await newPage(browser);
    await api('POST', '/api/journeys', {
      id: 'welcome-series',
      name: 'Welcome series',
      trigger: { type: 'event', event: 'Signed Up' },
      start: 'done',
      nodes: [{ id: 'done', type: 'exit' }],
      edges: [],
    });
    await setUpOwner(page, q.setupLink);
  });
  afterAll(async () => {
    await browser?.close();
    await q?.stop();
  });

  it('creates a workspace from the top bar, lists both with the role, and switches without signing in again', async () => {
    const switcher = page.getByRole('combobox', { name: 'Workspace' });
    await expect.poll(() => switcher.locator('option').allTextContents()).toEqual(['Default (owner)']);
    await page.getByRole('link', { name: 'Welcome series', exact: true }).waitFor();

    await page.getByRole('button', { name: 'New workspace' }).click();
    await page.getByLabel('Name of the new workspace').fill('Acme Europe');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    // The session is in the new workspace now: its (empty) journeys, the owner's role.
    await expect.poll(() => switcher.locator('option:checked').textContent()).toBe('Acme Europe (owner)');
    await page.getByRole('heading', { name: 'No journeys yet' }).waitFor();
    expect(await page.getByRole('link', { name: 'Welcome series', exact: true }).count()).toBe(0);
    await expect.poll(() => switcher.locator('option').allTextContents()).toEqual(['Acme Europe (owner)', 'Default (owner)']);
    const inNew = await page.evaluate(() => fetch('/api/auth/session').then((r) => r.json()));
    expect(inNew).toMatchObject({ workspace: { name: 'Acme Europe' }, role: 'owner' });

    // Back to the first one: its journey shows again, the same cookie throughout.
    const cookies = await browser.context.cookies();
    await switcher.selectOption({ label: 'Default (owner)' });
    await page.getByRole('link', { name: 'Welcome series', exact: true }).waitFor();
    expect(await browser.context.cookies()).toEqual(cookies);
    const back = await page.evaluate(() => fetch('/api/auth/session').then((r) => r.json()));
    expect(back).toMatchObject({ workspace: { id: 'ws_default' }, role: 'owner' });
  });
});
