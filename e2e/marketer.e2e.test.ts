/**
 * Issue 21, points 1, 2, 3 and 8, in a real Chromium against a real `qatra start`:
 *  - names, not ids: the journey's id is made from its name (under "Advanced"), a step reads
 *    "Send: Welcome email", the template picker lists names;
 *  - a draft with an unconnected step saves; its problem is listed in words, the step is marked,
 *    and publishing is refused;
 *  - the same editor in Arabic (right to left, Arabic words);
 *  - an invitation is emailed (the outbox) and listed as pending; disabled fields look disabled;
 *    a signed-out load logs no console error.
 * Screenshots: docs/screenshots/journey-draft-problems(.ar).png, settings-invitations.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { openBrowser, type Browser } from './browser.js';
import { apiClient, chromiumGuard, newPage, setUpOwner } from './kit.js';
import { startQatra, type RunningQatra } from './server.js';

const SHOTS = path.resolve('docs/screenshots');
const missing = chromiumGuard('the web app a marketer reads: names, drafts, Arabic, admin');

describe.skipIf(!!missing)('the web app a marketer reads: names, drafts, Arabic, admin', () => {
  let q: RunningQatra;
  let browser: Browser;
  let page: Page;
  const { api } = apiClient(() => q);
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });

  beforeAll(async () => {
    q = await startQatra();
    browser = await openBrowser({ height: 900 });
    page = await newPage(browser);
    await api('PATCH', '/api/workspace', { postalAddress: '1 Main St, Springfield' });
    await api('POST', '/api/templates', {
      id: 'welcome-1',
      name: 'Welcome email',
      kind: 'marketing',
      content: { subject: 'Welcome', body: '<p>Hi</p><p>{{ workspace.postal_address }} <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>' },
    });
  });
  afterAll(async () => {
    await browser?.close();
    await q?.stop();
  });

  it('a signed-out load logs no console error for the session check', async () => {
    const errors: string[] = [];
    const onConsole = (m: { type(): string; text(): string }) => void (m.type() === 'error' && errors.push(m.text()));
    page.on('console', onConsole);
    await page.goto(`${q.url}/app/journeys`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    page.off('console', onConsole);
    expect(errors).toEqual([]);
    await setUpOwner(page, q.setupLink);
  });

  it('names the journey and its steps, and saves an unfinished draft with its problem in words', async () => {
    await page.getByRole('link', { name: 'New journey' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Spring welcome');
    await page.getByText('Advanced', { exact: true }).click();
    await expect(page.getByLabel('Journey id').inputValue()).resolves.toBe('spring-welcome');
    await page.getByTestId('node-trigger').click();
    await page.getByLabel('Event name').fill('signed_up');
    await page.getByRole('button', { name: 'Message', exact: true }).click();
    const step = page.getByTestId('node-message');
    await expect.poll(() => step.locator('.flow-node-id').textContent()).toBe('Message');
    await expect(page.getByLabel('Template').locator('option', { hasText: 'Welcome email' }).count()).resolves.toBe(1);
    await page.getByLabel('Template').selectOption('welcome-1');
    await expect.poll(() => step.locator('.flow-node-id').textContent()).toBe('Send: Welcome email');

    // Its "next" output goes nowhere yet: a problem in words, the step marked; saving still works.
    const problem = page.getByTestId('problems').getByRole('button', { name: '“Send: Welcome email” is not connected to a next step (output “next”).' });
    await problem.waitFor();
    await page.getByTestId('node-problem-message').waitFor();
    await page.getByRole('button', { name: 'Save draft' }).click();
    // A new journey's page opens at its id once saved; the problem is still listed there.
    await page.waitForURL(/\/app\/journeys\/spring-welcome$/);
    await problem.waitFor();
    await page.getByTestId('node-problem-message').waitFor();
    const saved = await api('GET', '/api/journeys/spring-welcome');
    expect(saved).toMatchObject({ name: 'Spring welcome', status: 'draft', version: 1 });
    expect(saved.document.nodes).toEqual([expect.objectContaining({ id: 'message', name: 'Send: Welcome email', template: 'welcome-1' })]);
    await shot('journey-draft-problems');

    // Publishing is refused with the same problem; the journey stays a draft.
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByRole('alert').first().waitFor();
    expect((await api('GET', '/api/journeys/spring-welcome')).status).toBe('draft');

    // Saving again on the journey's own page says what is left to do.
    await page.getByLabel('Name', { exact: true }).fill('Spring welcome series');
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.getByText('Draft saved (version 2). Fix 1 problem before publishing.').waitFor();
  });

  it('reads the same editor in Arabic, right to left', async () => {
    await page.getByLabel('Language').selectOption('ar');
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await page.getByTestId('problems').getByRole('button', { name: '«Send: Welcome email» غير متصل بخطوة تالية (المخرج «next»).' }).waitFor();
    await page.getByText('هذه تمنع النشر فقط: المسودة تُحفظ كما هي.').waitFor();
    await shot('journey-draft-problems.ar');
    await page.getByLabel('اللغة').selectOption('en');
  });

  it('emails an invitation, lists it as pending, and shows disabled fields as disabled', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Email', { exact: true }).last().fill('sara@example.com');
    await page.getByRole('button', { name: 'Invite' }).click();
    await page.getByText('We emailed the link to sara@example.com.').waitFor();
    await page.getByTestId('invitation').filter({ hasText: 'sara@example.com' }).waitFor();
    const outbox = await api('GET', '/api/outbox');
    const mail = (outbox.data ?? outbox.messages ?? outbox).find((m: { to?: string; toAddress?: string }) => (m.to ?? m.toAddress) === 'sara@example.com');
    expect(mail, JSON.stringify(outbox).slice(0, 500)).toBeDefined();
    await shot('settings-invitations');

    // styles.css: a disabled field is greyed and dashed, not a white box inviting a click.
    const look = await page.evaluate(() => {
      const input = document.createElement('input');
      input.disabled = true;
      document.body.append(input);
      const s = getComputedStyle(input);
      const out = { background: s.backgroundColor, border: s.borderTopStyle, cursor: s.cursor };
      input.remove();
      return out;
    });
    expect(look).toEqual({ background: 'rgb(241, 242, 244)', border: 'dashed', cursor: 'not-allowed' });
  });
});
