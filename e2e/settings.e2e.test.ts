/**
 * Settings and template locale variants in a real Chromium against a real `qatra start`:
 *  - SMTP settings pointing at an in-process SMTP sink (test/smtp-sink.ts, with a login), saved
 *    without the password ever coming back; "Send test" reaches the sink and the UI shows the
 *    message id; a recipient the server refuses shows the server's own error text;
 *  - a topic created, renamed, and refused deletion while a journey uses it;
 *  - workspace quiet hours set;
 *  - a Persian variant added to a template, saved, previewed right to left.
 * Screenshots: docs/screenshots/settings-providers(.fa).png, settings-topics(.fa).png,
 * template-locale-variant(-fa).png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { openBrowser, type Browser } from './browser.js';
import { apiClient, chromiumGuard, newPage, setUpOwner } from './kit.js';
import { startQatra, type RunningQatra } from './server.js';
import { startSmtpSink, type SmtpSink } from '../test/smtp-sink.js';

const SHOTS = path.resolve('docs/screenshots');
const missing = chromiumGuard('settings and template variants in Chromium');

describe.skipIf(!!missing)('settings and template variants in Chromium', () => {
  let q: RunningQatra;
  let sink: SmtpSink;
  let browser: Browser;
  let page: Page;
  const { api } = apiClient(() => q);
  const section = (titleId: string) => page.locator(`[aria-labelledby="${titleId}"]`);
  // Not full-page: resizing the page for the shot reflows the preview's right-to-left frame mid-capture.
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });

  beforeAll(async () => {
    sink = await startSmtpSink({ auth: { user: 'relay-user', pass: 'relay secret' } });
    q = await startQatra();
    browser = await openBrowser({ height: 900 });
    page = await newPage(browser);
    await api('PATCH', '/api/workspace', { postalAddress: '1 Main St, Springfield' });
    await api('POST', '/api/templates', {
      id: 'welcome-1',
      name: 'Welcome',
      kind: 'marketing',
      content: { subject: 'Welcome', body: '<h1>Welcome {{ contact.first_name | default: "friend" }}</h1><p>{{ workspace.postal_address }} · <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>' },
    });
    await setUpOwner(page, q.setupLink);
  });
  afterAll(async () => {
    await browser?.close();
    await q?.stop();
    await sink?.close();
  });

  it('saves SMTP settings pointing at a real SMTP server and "Send test" delivers there', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    const email = section('email-title');
    await email.getByText('This workspace uses the server defaults.').waitFor();
    await email.getByLabel('SMTP').check();
    await email.getByLabel('From address').fill('news@example.com');
    await email.getByLabel('From name').fill('Example News');
    await email.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await email.getByLabel('Port', { exact: true }).fill(String(sink.port));
    await email.getByLabel('User name').fill('relay-user');
    await email.locator('input[type=password]').fill('relay secret');
    await email.getByLabel('Rate limit (messages per second)').fill('20');
    await email.getByRole('note').filter({ hasText: 'the test uses the saved settings' }).waitFor();
    await email.getByRole('button', { name: 'Save' }).click();
    await email.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    // The password is stored but never comes back: the field is empty and says "set".
    await expect(email.getByTestId('password-state').textContent()).resolves.toContain('A password is set');
    await expect(email.locator('input[type=password]').inputValue()).resolves.toBe('');
    const stored = await api('GET', '/api/email/provider');
    expect(stored).toMatchObject({
      source: 'workspace',
      provider: 'smtp',
      from: { address: 'news@example.com', name: 'Example News' },
      smtp: { host: '127.0.0.1', port: sink.port, user: 'relay-user', hasPassword: true, rateLimitPerSecond: 20 },
    });
    expect(JSON.stringify(stored)).not.toContain('relay secret');

    await email.getByLabel('Send a test to').fill('me@example.org');
    await email.getByRole('button', { name: 'Send test' }).click();
    const [mail] = await sink.waitFor(1);
    expect(mail!.user).toBe('relay-user');
    expect(mail!.envelope.rcptTo).toEqual(['me@example.org']);
    expect(mail!.parsed.subject).toBe('Qatra test email');
    const result = email.getByTestId('test-result');
    await result.filter({ hasText: 'Sent through the saved settings' }).waitFor();
    await expect(result.textContent()).resolves.toContain(mail!.parsed.messageId!);
    await email.screenshot({ path: path.join(SHOTS, 'settings-providers.png') });

    // A recipient the server refuses: its own error text is shown.
    sink.rejectRecipient('nobody@example.org', 550, '5.1.1 <nobody@example.org>: Recipient address rejected');
    await email.getByLabel('Send a test to').fill('nobody@example.org');
    await email.getByRole('button', { name: 'Send test' }).click();
    await result.filter({ hasText: 'The provider refused' }).waitFor();
    await expect(result.textContent()).resolves.toContain('5.1.1 <nobody@example.org>: Recipient address rejected');
    expect(sink.mails).toHaveLength(1);
  });

  it('creates and renames a topic; one in use by a journey is not deleted', async () => {
    const topics = section('topics-title');
    await topics.getByText('No topics yet.').waitFor();
    await topics.getByLabel('Id', { exact: true }).fill('product-news');
    await topics.getByLabel('Name', { exact: true }).fill('Product news');
    await topics.getByRole('button', { name: 'Add topic' }).click();
    await topics.getByTestId('topic-product-news').waitFor();
    await topics.getByLabel('Name product-news').fill('Product updates');
    await topics.getByTestId('topic-product-news').getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await api('GET', '/api/email/topics')).data).toEqual([{ id: 'product-news', name: 'Product updates' }]);
    // A duplicate id is refused at the field.
    await topics.getByLabel('Id', { exact: true }).fill('product-news');
    await topics.getByLabel('Name', { exact: true }).fill('Again');
    await topics.getByRole('button', { name: 'Add topic' }).click();
    await topics.getByRole('alert').filter({ hasText: 'already exists' }).waitFor();
    await expect(topics.getByLabel('Id', { exact: true }).getAttribute('aria-invalid')).resolves.toBe('true');
    // In use by a journey: the delete is refused and says by what.
    await api('POST', '/api/journeys', {
      id: 'news',
      name: 'Monthly news',
      status: 'draft',
      trigger: { type: 'event', event: 'subscribed' },
      start: 'm',
      nodes: [
        { id: 'm', type: 'message', channel: 'email', template: 'welcome-1', config: { topic: 'product-news' } },
        { id: 'e', type: 'exit' },
      ],
      edges: [{ from: 'm', to: 'e' }],
    });
    await topics.getByRole('button', { name: 'Delete product-news' }).click();
    await topics.getByTestId('topic-product-news').getByRole('alert').filter({ hasText: 'journey "Monthly news"' }).waitFor();
    expect((await api('GET', '/api/email/topics')).data).toHaveLength(1);
  });

  it('sets workspace quiet hours and a frequency cap', async () => {
    const guards = section('guards-title');
    await guards.getByLabel("Quiet hours (in each contact's time zone)").check();
    await guards.getByLabel('From', { exact: true }).fill('21:30');
    await guards.getByLabel('Until', { exact: true }).fill('07:45');
    await guards.getByLabel('Frequency cap').check();
    await guards.getByLabel('At most').fill('2');
    await guards.getByLabel('messages per').fill('weekly');
    await guards.getByRole('button', { name: 'Save' }).click();
    // The server's field error, in place.
    await guards.getByRole('alert').filter({ hasText: 'frequencyCap.per' }).waitFor();
    await expect(guards.getByLabel('messages per').getAttribute('aria-invalid')).resolves.toBe('true');
    expect(await api('GET', '/api/workspace/messaging')).toEqual({ quietHours: null, frequencyCap: null });
    await guards.getByLabel('messages per').fill('1w');
    await guards.getByRole('button', { name: 'Save' }).click();
    await guards.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    expect(await api('GET', '/api/workspace/messaging')).toEqual({ quietHours: { start: '21:30', end: '07:45', outcome: 'defer' }, frequencyCap: { max: 2, per: '1w', outcome: 'defer' } });
    await page.reload();
    await expect(section('guards-title').getByLabel('From', { exact: true }).inputValue()).resolves.toBe('21:30');
    await page.screenshot({ path: path.join(SHOTS, 'settings-topics.png'), fullPage: true, clip: await clipOf(page, ['topics-title', 'guards-title']) });
    await page.getByLabel('Language', { exact: true }).selectOption('fa');
    await page.getByRole('heading', { name: 'موضوع‌ها' }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'settings-topics-fa.png'), fullPage: true, clip: await clipOf(page, ['topics-title', 'guards-title']) });
    await section('email-title').screenshot({ path: path.join(SHOTS, 'settings-providers-fa.png') });
    await page.getByLabel('زبان', { exact: true }).selectOption('en');
  });

  it('adds a Persian variant to a template; the preview renders it right to left', async () => {
    await page.getByRole('link', { name: 'Templates' }).click();
    await page.getByRole('link', { name: 'Welcome' }).click();
    await expect.poll(() => page.getByTestId('preview-device').getAttribute('data-direction')).toBe('ltr');
    await page.getByLabel('Locale of the new variant').fill('fa');
    await page.getByRole('button', { name: 'Add variant' }).click();
    await expect(page.getByTestId('locale-tab-fa').getAttribute('aria-selected')).resolves.toBe('true');
    // An empty variant field shows the default's text as its placeholder.
    await expect(page.getByLabel('Subject').getAttribute('placeholder')).resolves.toBe('Welcome');
    await page.getByLabel('Subject').fill('خوش آمدید');
    await page.getByLabel('Body (HTML or MJML, with Liquid)').fill('<h1>سلام {{ contact.first_name }}</h1>\n<p>{{ workspace.postal_address }} · <a href="{{ unsubscribe_url }}">لغو اشتراک</a></p>');
    await expect(page.getByLabel('Subject').getAttribute('dir')).resolves.toBe('rtl');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await expect.poll(() => page.getByTestId('preview-device').getAttribute('data-direction')).toBe('rtl');
    await expect(page.getByTestId('preview-meta').textContent()).resolves.toContain('fa');
    await expect.poll(() => page.frameLocator('[data-testid="preview-frame"]').locator('h1').textContent()).toBe('سلام Sam');
    await expect(page.frameLocator('[data-testid="preview-frame"]').locator('html').getAttribute('dir')).resolves.toBe('rtl');
    const stored = await api('GET', '/api/templates/welcome-1');
    expect(stored.current.content.subject).toBe('Welcome');
    expect(stored.current.content.locales.fa.subject).toBe('خوش آمدید');
    await shot('template-locale-variant');

    // The default tab still edits and previews the default content; arrow keys move between tabs.
    await page.getByTestId('locale-tab-fa').focus();
    await page.keyboard.press('ArrowLeft');
    await expect(page.getByRole('tab', { name: 'Default (en)' }).getAttribute('aria-selected')).resolves.toBe('true');
    await expect(page.getByLabel('Subject').inputValue()).resolves.toBe('Welcome');
    await expect.poll(() => page.getByTestId('preview-device').getAttribute('data-direction')).toBe('ltr');

    // An Arabic variant added, saved, then removed and saved: gone from the template.
    await page.getByLabel('Locale of the new variant').fill('ar');
    await page.getByRole('button', { name: 'Add variant' }).click();
    await page.getByLabel('Subject').fill('مرحبا');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(async () => Object.keys((await api('GET', '/api/templates/welcome-1')).current.content.locales)).toEqual(['fa', 'ar']);
    await page.getByRole('button', { name: 'Remove the ar variant' }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(async () => Object.keys((await api('GET', '/api/templates/welcome-1')).current.content.locales)).toEqual(['fa']);

    await page.getByTestId('locale-tab-fa').click();
    await page.getByLabel('Language', { exact: true }).selectOption('fa');
    await expect.poll(() => page.getByTestId('preview-device').getAttribute('data-direction')).toBe('rtl');
    await page.getByRole('tab', { name: 'پیش‌فرض (en)' }).waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('template-locale-variant-fa');
    await page.getByLabel('زبان', { exact: true }).selectOption('en');
  });
});

/** The area of the page (document coordinates) covering the sections with these title ids. */
async function clipOf(page: Page, titleIds: string[]): Promise<{ x: number; y: number; width: number; height: number }> {
  const boxes = await page.evaluate(
    (ids) =>
      ids.map((id) => {
        const r = document.querySelector(`[aria-labelledby="${id}"]`)!.getBoundingClientRect();
        return { x: r.x + window.scrollX, y: r.y + window.scrollY, width: r.width, height: r.height };
      }),
    titleIds,
  );
  const x = Math.min(...boxes.map((b) => b.x));
  const y = Math.min(...boxes.map((b) => b.y));
  const right = Math.max(...boxes.map((b) => b.x + b.width));
  const bottom = Math.max(...boxes.map((b) => b.y + b.height));
  return { x: x - 8, y: y - 8, width: right - x + 16, height: bottom - y + 16 };
}
