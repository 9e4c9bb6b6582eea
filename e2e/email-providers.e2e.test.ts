/**
 * The email provider list editor (Settings › Email providers and routing) in a real Chromium
 * against a real `qatra start`: a first and a second SMTP provider and a rule sending gmail.com
 * through the second are added and saved; a domain throttle with a bad domain is refused at its
 * field (the API's path) and nothing is saved; the password typed is never shown back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openBrowser, type Browser } from './browser.js';
import { apiClient, chromiumGuard, newPage, setUpOwner } from './kit.js';
import { startQatra, type RunningQatra } from './server.js';
import { startSmtpSink, type SmtpSink } from '../test/smtp-sink.js';

const missing = chromiumGuard('the email provider list editor in Chromium');

describe.skipIf(!!missing)('the email provider list editor in Chromium', () => {
  let q: RunningQatra;
  let sink: SmtpSink;
  let browser: Browser;
  let page: Page;
  const { api } = apiClient(() => q);

  beforeAll(async () => {
    sink = await startSmtpSink();
    q = await startQatra();
    browser = await openBrowser({ height: 1400 });
    page = await newPage(browser);
    await setUpOwner(page, q.setupLink);
  });
  afterAll(async () => {
    await browser?.close();
    await q?.stop();
    await sink?.close();
  });

  it('adds a second provider and a domain rule and saves them; a bad domain is refused at its field and saves nothing', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    const routing = page.locator('[aria-labelledby="routing-title"]');
    await routing.getByRole('button', { name: 'Add provider' }).click();
    const first = routing.getByTestId('provider-0');
    await first.getByLabel('Name', { exact: true }).fill('Own relay');
    await first.getByLabel('SMTP host').fill('127.0.0.1');
    await first.getByLabel('SMTP port').fill(String(sink.port));
    await first.getByLabel('SMTP password (write-only)').fill('relay secret');
    await routing.getByRole('button', { name: 'Add provider' }).click();
    const second = routing.getByTestId('provider-1');
    await second.getByLabel('Id', { exact: true }).fill('backup');
    await second.getByLabel('Name', { exact: true }).fill('Backup relay');
    await second.getByLabel('SMTP host').fill('127.0.0.1');
    await second.getByLabel('SMTP port').fill(String(sink.port));
    await second.getByLabel('Throttle (messages)').fill('20');
    await second.getByLabel('Connections at once').fill('4');
    await routing.getByRole('button', { name: 'Add rule' }).click();
    const rule = routing.getByTestId('rule-0');
    await rule.getByLabel('Recipient domains').fill('gmail.com, googlemail.com');
    await rule.getByLabel('Providers (id:weight, in failover order)').fill('backup, primary');
    await routing.getByRole('button', { name: 'Add domain throttle' }).click();
    const throttle = routing.getByTestId('throttle-0');
    await throttle.getByLabel('Recipient domains').fill('gmail.com, not a domain');
    await throttle.getByLabel('Throttle (messages)').fill('50');
    await throttle.getByLabel('Connections at once').fill('2');

    await routing.getByRole('button', { name: 'Save providers and routing' }).click();
    await throttle.getByRole('alert').filter({ hasText: 'must be a domain' }).waitFor();
    await expect(throttle.getByLabel('Recipient domains').getAttribute('aria-invalid')).resolves.toBe('true');
    await routing.getByTestId('routing-issues').filter({ hasText: 'body.throttles.0.domains.1' }).waitFor();
    expect((await api('GET', '/api/email/providers')).providers).toEqual([]);

    await throttle.getByLabel('Recipient domains').fill('gmail.com');
    await routing.getByRole('button', { name: 'Save providers and routing' }).click();
    await routing.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const saved = await api('GET', '/api/email/providers');
    expect(saved.providers.map((p: { id: string; name: string }) => [p.id, p.name])).toEqual([
      ['primary', 'Own relay'],
      ['backup', 'Backup relay'],
    ]);
    expect(saved.providers[0]).toMatchObject({ settings: { smtp: { host: '127.0.0.1', port: sink.port } }, secretsSet: { password: true } });
    expect(saved.providers[1]).toMatchObject({ throttle: { limit: 20, per: 'second' }, connections: 4 });
    expect(saved.rules).toEqual([{ domains: ['gmail.com', 'googlemail.com'], providers: [{ id: 'backup' }, { id: 'primary' }] }]);
    expect(saved.throttles).toEqual([{ domains: ['gmail.com'], limit: 50, per: 'minute', connections: 2 }]);
    expect(JSON.stringify(saved)).not.toContain('relay secret');
    // The saved list is shown, the password field empty and saying it is set.
    await routing.getByRole('cell', { name: 'Backup relay backup' }).waitFor();
    await expect(routing.getByTestId('provider-0').getByLabel('SMTP password (write-only)').inputValue()).resolves.toBe('');
    await expect(routing.getByTestId('provider-0').getByLabel('SMTP password (write-only)').getAttribute('placeholder')).resolves.toBe('set; leave empty to keep');
  });
});
