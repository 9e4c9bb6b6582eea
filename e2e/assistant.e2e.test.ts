/**
 * The writing assistant in the template editor, in Chromium, against a local server speaking the
 * chat-completions API (src/assistant/chat-server.testkit.ts): Assist lists the suggestions, greys the
 * one that breaks the template's Liquid, "Use this" fills the form without saving, a Persian draft
 * becomes the fa tab, and only the person's Save makes a new version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openBrowser, type Browser } from './browser.js';
import { apiClient, chromiumGuard, newPage, setUpOwner } from './kit.js';
import { startQatra, type RunningQatra } from './server.js';
import { startChatServer, type ChatServer } from '../src/assistant/chat-server.testkit.js';

const missing = chromiumGuard('the writing assistant in Chromium');

describe.skipIf(!!missing)('the writing assistant in Chromium', () => {
  let q: RunningQatra;
  let chat: ChatServer;
  let browser: Browser;
  let page: Page;
  const { api } = apiClient(() => q);

  beforeAll(async () => {
    q = await startQatra();
    chat = await startChatServer();
    await api('PUT', '/api/assistant/settings', { enabled: true, baseUrl: chat.baseUrl, model: 'local-e2e', apiKey: 'sk-e2e-secret', allowPrivateEndpoint: true });
    await api('POST', '/api/templates', {
      id: 'welcome',
      name: 'Welcome',
      kind: 'transactional',
      content: { subject: 'Welcome, {{ contact.first_name }}', body: '<p>Hi {{ contact.first_name }}</p>' },
    });
    browser = await openBrowser();
    page = await newPage(browser);
    await setUpOwner(page, q.setupLink);
  });

  afterAll(async () => {
    await browser?.close();
    await chat?.close();
    await q?.stop();
  });

  it('offers subject ideas, greys the one that breaks Liquid, and fills the form without saving', async () => {
    await page.goto(`${q.url}/app/templates/welcome`);
    const subject = page.getByLabel('Subject', { exact: true });
    await expect.poll(() => subject.inputValue()).toBe('Welcome, {{ contact.first_name }}');
    chat.reply({ content: JSON.stringify({ suggestions: ['{{ contact.first_name }}, you are in', 'Welcome {{ name }}', 'Good to see you'] }) });
    await page.getByRole('button', { name: 'Assist' }).click();
    await page.getByRole('button', { name: 'Suggest' }).click();
    const items = page.getByTestId('assist').locator('ol.assist-suggestions > li');
    await expect.poll(() => items.count()).toBe(3);
    await expect(items.nth(1).getAttribute('data-usable')).resolves.toBe('false');
    await expect(items.nth(1).textContent()).resolves.toMatch(/Not offered: it would break the template.*\{\{ name \}\}/);
    await expect(items.nth(1).getByRole('button', { name: 'Use this' }).count()).resolves.toBe(0);
    await items.nth(0).getByRole('button', { name: 'Use this' }).click();
    await expect.poll(() => subject.inputValue()).toBe('{{ contact.first_name }}, you are in');
    // Only the template text went to the endpoint, with the key; nothing was saved.
    const call = chat.calls.at(-1)!;
    expect(call.authorization).toBe('Bearer sk-e2e-secret');
    expect(JSON.stringify(call.body.messages)).toContain('Welcome, {{ contact.first_name }}');
    expect((await api('GET', '/api/templates/welcome')).currentVersion).toBe(1);
  });

  it('puts a Persian draft in the fa tab, and the usual Save makes it a new version', async () => {
    chat.reply({ content: JSON.stringify({ suggestions: [{ subject: 'خوش آمدید {{ contact.first_name }}', body: '<p>سلام {{ contact.first_name }}</p>' }] }) });
    await page.getByLabel('Draft a translation').check();
    await page.getByLabel('Into').selectOption('fa');
    await page.getByRole('button', { name: 'Suggest' }).click();
    const item = page.getByTestId('assist').locator('ol.assist-suggestions > li').first();
    await item.getByRole('button', { name: 'Use this' }).click();
    await expect.poll(() => page.getByRole('tab', { selected: true }).textContent()).toContain('fa');
    await expect.poll(() => page.getByLabel('Subject', { exact: true }).inputValue()).toBe('خوش آمدید {{ contact.first_name }}');
    expect(JSON.stringify(chat.calls.at(-1)!.body.messages)).toMatch(/Persian/);
    expect((await api('GET', '/api/templates/welcome')).currentVersion).toBe(1);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const saved = await api('GET', '/api/templates/welcome');
    expect(saved.currentVersion).toBe(2);
    expect(saved.current.content.locales.fa).toEqual({ subject: 'خوش آمدید {{ contact.first_name }}', body: '<p>سلام {{ contact.first_name }}</p>' });
    expect(saved.current.content.subject).toBe('{{ contact.first_name }}, you are in');
  });
});
