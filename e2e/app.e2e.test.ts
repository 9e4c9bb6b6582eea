/**
 * The web app in a real Chromium against a real `qatra start`: the owner sets up and signs in,
 * builds a three-step welcome journey on the canvas and publishes it; identify + track through
 * /v1 make a contact enter it and an email reach the outbox; a template preview for a Persian
 * contact is right-to-left; the YAML export loads back unchanged; a viewer cannot edit.
 * Screenshots of each main screen go to docs/screenshots/.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { openBrowser, type Browser } from './browser.js';
import { OWNER, apiClient, chromiumGuard, dragUntil, newPage } from './kit.js';
import { startQatra, type RunningQatra } from './server.js';

const SHOTS = path.resolve('docs/screenshots');
const missing = chromiumGuard('web app in Chromium');

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });

describe.skipIf(!!missing)('web app in Chromium', () => {
  let q: RunningQatra;
  let owner: Browser;
  let page: Page;

  const { api, ingest } = apiClient(() => q);

  beforeAll(async () => {
    q = await startQatra();
    owner = await openBrowser();
    page = await newPage(owner);
    await api('PATCH', '/api/workspace', { postalAddress: '1 Main St, Springfield' });
    await api('POST', '/api/templates', {
      id: 'welcome-1',
      name: 'Welcome',
      kind: 'marketing',
      content: {
        subject: 'Welcome, {{ contact.first_name | default: "friend" }}',
        body: '<h1>Welcome {{ contact.first_name | default: "friend" }}</h1><p>Glad you are here.</p><p>{{ workspace.postal_address }} · <a href=\"{{ unsubscribe_url }}\">Unsubscribe</a></p>',
        locales: {
          fa: {
            subject: 'خوش آمدید {{ contact.first_name }}',
            body: '<h1>سلام {{ contact.first_name }}</h1><p>از آمدنتان خوشحالیم.</p><p>{{ workspace.postal_address }} · <a href=\"{{ unsubscribe_url }}\">Unsubscribe</a></p>',
          },
        },
      },
    });
    await api('POST', '/api/templates', {
      id: 'welcome-2',
      name: 'Tips',
      kind: 'marketing',
      content: { subject: 'Three tips', body: '<p>Tips</p><p>{{ workspace.postal_address }} · <a href=\"{{ unsubscribe_url }}\">Unsubscribe</a></p>' },
    });
    await api('POST', '/api/contacts', { email: 'sara@example.com', userId: 'sara', locale: 'fa', attributes: { first_name: 'سارا', plan: 'free' } });
  });
  afterEach(async (ctx) => {
    // A failed step leaves a picture of the page behind, for the person reading the CI log.
    if (ctx.task.result?.state === 'fail') await page.screenshot({ path: path.join(os.tmpdir(), `qatra-e2e-failure-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}.png`) }).catch(() => {});
  });
  afterAll(async () => {
    await owner?.close();
    await q?.stop();
  });

  it('the owner sets up an account from the printed link, signs out and signs in', async () => {
    await page.goto(q.url + '/app/');
    await page.getByRole('heading', { name: 'Sign in to Qatra' }).waitFor();
    await shot(page, 'sign-in');
    await page.goto(q.setupLink);
    await page.getByText('You are joining as owner.').waitFor();
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Your name').fill('Olive Owner');
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Journeys' }).waitFor();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('wrong email or password');
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('whoami').textContent()).resolves.toContain('owner@example.com · owner');
  });

  it('builds a three-step welcome journey on the canvas and publishes it', async () => {
    await page.getByRole('link', { name: 'New journey' }).click();
    await page.getByText('Advanced', { exact: true }).click();
    await page.getByLabel('Journey id').fill('welcome');
    await page.getByLabel('Name', { exact: true }).fill('Welcome series');
    await page.getByTestId('node-trigger').click();
    await expect(page.getByLabel('Event name').inputValue()).resolves.toBe('signed_up');
    await page.getByRole('button', { name: 'Message', exact: true }).click();
    await page.getByLabel('Template').selectOption('welcome-1');
    await page.getByRole('button', { name: 'Delay', exact: true }).click();
    await page.getByLabel('Wait for (e.g. 2d, 4h)').fill('2x');
    // The server's validator answers in place, under the field.
    await page.getByText('a duration like 30m, 4h, 3d or 2w').first().waitFor();
    await page.getByLabel('Wait for (e.g. 2d, 4h)').fill('2d');
    await page.getByRole('button', { name: 'Message', exact: true }).click();
    await page.getByLabel('Template').selectOption('welcome-2');
    // The exit is dragged from the palette and its input connected by hand.
    const canvas = page.locator('.react-flow__pane');
    const box = (await canvas.boundingBox())!;
    await page.getByRole('button', { name: 'Exit', exact: true }).dragTo(canvas, { targetPosition: { x: box.width * 0.85, y: box.height * 0.5 } });
    await page.getByTestId('node-exit').waitFor();
    await page.getByRole('button', { name: 'Fit View' }).click();
    await dragUntil(page.getByTestId('handle-message-2-next'), page.locator('[data-testid="node-exit"] .react-flow__handle-top'), page.getByRole('heading', { name: 'No problems found.' }));
    // The side panel shows (and can change, without a mouse) where each output leads.
    await page.getByTestId('node-message-2').click();
    await expect(page.getByLabel('After “next”').inputValue()).resolves.toBe('exit');
    await shot(page, 'journey-canvas');
    await page.getByRole('button', { name: 'Publish' }).click();
    await expect.poll(() => page.getByTestId('journey-status').textContent()).toContain('live');
    const stored = await api('GET', '/api/journeys/welcome');
    expect(stored.status).toBe('live');
    expect(stored.document.start).toBe('message');
    expect(stored.document.nodes.map((n: { type: string }) => n.type)).toEqual(['message', 'delay', 'message', 'exit']);
    expect(stored.document.edges).toEqual([
      { from: 'message', to: 'delay', output: 'next' },
      { from: 'delay', to: 'message-2', output: 'next' },
      { from: 'message-2', to: 'exit', output: 'next' },
    ]);
  });

  it('identify and track make a contact enter the journey and an email reach the outbox', async () => {
    await ingest('identify', { userId: 'u-42', traits: { email: 'new.person@example.com', first_name: 'Nia' } });
    await ingest('track', { userId: 'u-42', event: 'signed_up' });
    await expect.poll(async () => (await api('GET', '/api/outbox')).data.map((e: { to: string }) => e.to), { timeout: 30_000 }).toContain('new.person@example.com');
    await page.getByRole('link', { name: 'Outbox' }).click();
    await page.getByRole('button', { name: 'Welcome, Nia' }).click();
    await page.getByRole('heading', { name: 'Welcome, Nia' }).waitFor();
    await shot(page, 'outbox');
    await page.getByRole('link', { name: 'Journeys' }).click();
    await page.getByRole('cell', { name: /Welcome series/ }).waitFor();
    await shot(page, 'journeys-list');
  });

  it('previews a template right-to-left for a Persian contact, at desktop and mobile widths', async () => {
    await page.getByRole('link', { name: 'Templates' }).click();
    await shot(page, 'templates-list');
    await page.getByRole('link', { name: 'Welcome' }).click();
    await expect.poll(() => page.getByTestId('preview-device').getAttribute('data-direction')).toBe('ltr');
    await page.getByLabel('Preview as contact (id or email)').fill('sara@example.com');
    await expect.poll(() => page.getByTestId('preview-device').getAttribute('data-direction')).toBe('rtl');
    await expect(page.getByTestId('preview-device').getAttribute('dir')).resolves.toBe('rtl');
    const body = await page.frameLocator('[data-testid="preview-frame"]').locator('h1').textContent();
    expect(body).toBe('سلام سارا');
    await shot(page, 'template-preview-rtl-desktop');
    await page.getByRole('button', { name: 'Mobile' }).click();
    expect((await page.getByTestId('preview-device').boundingBox())!.width).toBeLessThanOrEqual(376);
    await shot(page, 'template-preview-rtl-mobile');
    // A test email goes out through the transactional path and lands in the outbox.
    await page.getByLabel('Send a test to').fill('tester@example.com');
    await page.getByRole('button', { name: 'Send test email' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'sent' }).count()).toBe(1);
    await expect.poll(async () => (await api('GET', '/api/outbox')).data.map((e: { to: string }) => e.to)).toContain('tester@example.com');
    // A Liquid syntax error is reported at its line.
    await page.getByLabel('Body (HTML or MJML, with Liquid)').fill('<p>one</p>\n<p>{% if %}</p>');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByTestId('template-issues').textContent()).resolves.toMatch(/line 2/);
    await shot(page, 'template-error-at-line');
  });

  it('finds a contact and shows the profile; the interface switches to Persian, right to left', async () => {
    await page.getByRole('link', { name: 'Contacts' }).click();
    await page.getByLabel('Name, email, phone or user id').fill('new.person@example.com');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'Nia', exact: true }).click(); // the list names people by name (issue 21)
    await page.getByRole('heading', { name: 'Journeys' }).waitFor();
    await page.getByText(/^welcome · /).waitFor();
    await shot(page, 'contact-profile');
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'API keys' }).waitFor();
    await shot(page, 'settings');
    await page.getByLabel('Language').selectOption('fa');
    await page.getByRole('link', { name: 'سفرها' }).click();
    await expect(page.evaluate(() => [document.documentElement.dir, document.documentElement.lang])).resolves.toEqual(['rtl', 'fa']);
    const nav = (await page.getByRole('navigation').boundingBox())!;
    expect(nav.x).toBeGreaterThan(1000); // the sidebar moved to the right
    await shot(page, 'journeys-list-fa');
    await page.getByLabel('زبان').selectOption('en');
  });

  it('builds a segment with a live count from the server', async () => {
    await page.getByRole('link', { name: 'Segments' }).click();
    await page.getByRole('link', { name: 'New segment' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Free plan');
    await page.getByLabel('Attribute', { exact: true }).fill('plan');
    await page.getByLabel('Value').fill('free');
    await expect.poll(() => page.getByTestId('segment-count').textContent()).toBe('1 contact matches now');
    await page.getByLabel('Value').fill('pro');
    await expect.poll(() => page.getByTestId('segment-count').textContent()).toBe('0 contacts match now');
    await page.getByRole('button', { name: 'Add condition' }).click();
    await page.getByLabel('Condition type').nth(1).selectOption('event');
    await page.getByLabel('Event name').fill('signed_up');
    await page.getByLabel('Match').selectOption('any');
    await expect.poll(() => page.getByTestId('segment-count').textContent()).toBe('1 contact matches now');
    await page.getByRole('link', { name: 'new.person@example.com' }).waitFor();
    await shot(page, 'segment-builder');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await api('GET', '/api/segments')).data.map((x: { name: string }) => x.name)).toContain('Free plan');
  });

  it('exports the journey as YAML and loads it back unchanged; pauses and resumes it', async () => {
    await page.getByRole('link', { name: 'Journeys' }).click();
    await page.getByRole('link', { name: 'Welcome series' }).click();
    await page.getByTestId('node-exit').waitFor();
    await page.setViewportSize({ width: 1024, height: 768 });
    await shot(page, 'journey-canvas-tablet');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('button', { name: 'Export YAML' }).click();
    const yaml = await page.getByLabel(/Journey as YAML/).inputValue();
    expect(yaml).toContain('id: welcome');
    expect(yaml).toContain('template: welcome-2');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Import YAML' }).click();
    await page.getByLabel(/Journey as YAML/).fill(yaml);
    await page.getByRole('button', { name: 'Load into canvas' }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('(unchanged)');
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => page.getByTestId('journey-status').textContent()).toContain('paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => page.getByTestId('journey-status').textContent()).toContain('live');
    expect((await api('GET', '/api/journeys/welcome')).versions).toHaveLength(1);
  });

  it('a viewer sees journeys but cannot change them', async () => {
    const invite = await api('POST', '/api/users/invites', { email: 'vera@example.com', role: 'viewer' });
    const viewer = await openBrowser();
    try {
      const vp = await viewer.context.newPage();
      await vp.goto(invite.setupUrl);
      await vp.getByText('You are joining as viewer.').waitFor();
      await vp.getByLabel('Password').fill('a long viewer password');
      await vp.getByRole('button', { name: 'Create account' }).click();
      await vp.getByRole('link', { name: 'Welcome series' }).click();
      await vp.getByTestId('node-message').waitFor();
      await vp.getByRole('note').getByText('You can view but not change this').waitFor();
      expect(await vp.getByRole('button', { name: 'Save draft' }).count()).toBe(0);
      expect(await vp.getByRole('button', { name: 'Delay', exact: true }).count()).toBe(0);
      await vp.getByTestId('node-delay').click();
      expect(await vp.getByLabel('Wait for (e.g. 2d, 4h)').isDisabled()).toBe(true);
      await shot(vp, 'viewer-read-only');
      // Even a hand-made request with the session's own CSRF token is refused by the server.
      const status = await vp.evaluate(async () => {
        const s = await (await fetch('/api/auth/session')).json();
        const doc = await (await fetch('/api/journeys/welcome')).json();
        const res = await fetch('/api/journeys/welcome', {
          method: 'PUT',
          headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrfToken },
          body: JSON.stringify({ ...doc.document, name: 'hacked' }),
        });
        return res.status;
      });
      expect(status).toBe(403);
      expect((await api('GET', '/api/journeys/welcome')).name).toBe('Welcome series');
    } finally {
      await viewer.close();
    }
  });
});
