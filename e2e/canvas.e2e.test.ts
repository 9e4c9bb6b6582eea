/**
 * The journey canvas's structured editors in a real Chromium against a real `qatra start`: the
 * owner builds a branch whose condition is made of rows ("plan is pro" AND "opened any email in
 * the last 7 days") and sees a wrong row's error beside the row; checks a wait's filters and
 * timeout and a split's percentages in place; sets entry, goal, exit and delivery limits in Journey
 * settings, and publishes. Then contacts — one pro who opened a real email (its tracking pixel
 * fetched), one pro who did not, one free who did — trigger the journey through /v1, and the runs
 * API shows each took the branch the condition says.
 * Screenshots: docs/screenshots/journey-branch-editor.png (and -fa, right to left), journey-settings.png.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { parse } from 'yaml';
import { openBrowser, type Browser } from './browser.js';
import { apiClient, chromiumGuard, newPage, setUpOwner } from './kit.js';
import { startQatra, type RunningQatra } from './server.js';

const SHOTS = path.resolve('docs/screenshots');
const missing = chromiumGuard('journey canvas editors in Chromium');
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
const BROWSER_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';

describe.skipIf(!!missing)('journey canvas editors in Chromium', () => {
  let q: RunningQatra;
  let browser: Browser;
  let page: Page;
  const { api, ingest } = apiClient(() => q);
  const contacts: Record<'ana' | 'ben' | 'cy', string> = { ana: '', ben: '', cy: '' };

  beforeAll(async () => {
    q = await startQatra();
    browser = await openBrowser();
    page = await newPage(browser);
    await api('PATCH', '/api/workspace', { postalAddress: '1 Main St, Springfield' });
    await api('POST', '/api/templates', {
      id: 'hello',
      name: 'Hello',
      kind: 'marketing',
      content: { subject: 'Hello {{ contact.first_name }}', body: '<p>Hello {{ contact.first_name }}</p><p>{{ workspace.postal_address }} · <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>' },
    });
    // A journey that mails everyone who signs up, so that some can open a real email first.
    await api('POST', '/api/journeys', {
      id: 'welcome',
      name: 'Welcome',
      status: 'live',
      trigger: { type: 'event', event: 'signed_up' },
      start: 'hello',
      nodes: [
        { id: 'hello', type: 'message', channel: 'email', template: 'hello' },
        { id: 'done', type: 'exit' },
      ],
      edges: [{ from: 'hello', to: 'done' }],
    });
    for (const [name, plan] of [
      ['ana', 'pro'],
      ['ben', 'pro'],
      ['cy', 'free'],
    ] as const) {
      contacts[name] = (await api('POST', '/api/contacts', { email: `${name}@example.com`, userId: name, attributes: { first_name: name, plan } })).id;
      await ingest('track', { userId: name, event: 'signed_up' });
    }
    await setUpOwner(page, q.setupLink);
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') await page.screenshot({ path: path.join(os.tmpdir(), `qatra-e2e-failure-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}.png`) }).catch(() => {});
  });
  afterAll(async () => {
    await browser?.close();
    await q?.stop();
  });

  it('ana and cy open their welcome email (a person, not a mail scanner, fetches the pixel)', async () => {
    const mailed = async () => ((await api('GET', '/api/outbox')).data as { to: string }[]).map((m) => m.to).sort();
    await expect.poll(mailed, { timeout: 30_000 }).toEqual(['ana@example.com', 'ben@example.com', 'cy@example.com']);
    const outbox = (await api('GET', '/api/outbox')).data as { to: string; html: string }[];
    // Opens within 2 s of sending are taken for a scanner's prefetch (src/tracking/machine.ts).
    await new Promise((r) => setTimeout(r, 2_100));
    for (const name of ['ana', 'cy']) {
      const html = outbox.find((m) => m.to === `${name}@example.com`)!.html;
      const pixel = /src="([^"]*\/o\/[^"]+\.gif)"/.exec(html)?.[1];
      expect(pixel, html).toBeDefined();
      const res = await fetch(new URL(new URL(pixel!).pathname, q.url), { headers: { 'user-agent': BROWSER_UA } });
      expect(res.status).toBe(200);
    }
  });

  it("builds a branch from condition rows, with a wrong row's error shown beside it", async () => {
    await page.getByRole('link', { name: 'New journey' }).click();
    await page.getByText('Advanced', { exact: true }).click();
    await page.getByLabel('Journey id').fill('upgrade');
    await page.getByLabel('Name', { exact: true }).fill('Upgrade offer');
    await page.getByTestId('node-trigger').click();
    await page.getByLabel('Event name').fill('trial_ended');
    await page.getByRole('button', { name: 'Branch', exact: true }).click();
    await page.getByLabel('Output name').fill('engaged');

    const row1 = page.getByRole('group', { name: 'Condition 1', exact: true });
    const row2 = page.getByRole('group', { name: 'Condition 2', exact: true });
    // Row 1: the attribute left empty is refused by the server, and the message sits in the row.
    await row1.getByLabel('Condition 1 type').selectOption('attribute');
    await row1.getByLabel('Condition 1 attribute').fill('');
    await expect.poll(() => row1.getByRole('alert').textContent()).toContain('contact.*, trigger.*, event.* or journey.*');
    expect(await row1.getByLabel('Condition 1 attribute').getAttribute('aria-invalid')).toBe('true');
    await row1.getByLabel('Condition 1 attribute').fill('plan');
    await row1.getByLabel('Condition 1 operator').selectOption('eq');
    await row1.getByLabel('Condition 1 value').fill('pro');
    await expect.poll(() => row1.getByRole('alert').count()).toBe(0);

    // Row 2, by keyboard: "opened any email" within a window; a bad window is shown in row 2 only.
    await page.getByRole('button', { name: 'Add condition' }).first().focus();
    await page.keyboard.press('Enter');
    await row2.getByLabel('Condition 2 type').selectOption('email_opened');
    await row2.getByLabel('Condition 2 within (e.g. 7d)').fill('7 days');
    await expect.poll(() => row2.getByRole('alert').textContent()).toContain('a duration like 30m, 4h, 3d or 2w');
    expect(await row1.getByRole('alert').count()).toBe(0);
    await row2.getByLabel('Condition 2 within (e.g. 7d)').fill('7d');
    await expect.poll(() => row2.getByRole('alert').count()).toBe(0);
    expect(await row2.getByLabel('Condition 2 email').inputValue()).toBe('');

    // Both outputs lead to an exit: the palette connects the selected step's first free output.
    await page.getByRole('button', { name: 'Exit', exact: true }).click();
    await page.getByTestId('node-branch').click();
    await page.getByRole('button', { name: 'Exit', exact: true }).click();
    await page.getByTestId('node-branch').click();
    await expect(page.getByLabel('After “engaged”').inputValue()).resolves.toBe('exit');
    await expect(page.getByLabel('After “else”').inputValue()).resolves.toBe('exit-2');
    await page.getByRole('heading', { name: 'No problems found.' }).waitFor();
    await shot(page, 'journey-branch-editor');

    // The same panel in Persian: the side panel mirrors, the graph does not.
    await page.getByLabel('Language').selectOption('fa');
    await page.getByRole('group', { name: 'شرط ۲', exact: true }).waitFor();
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await shot(page, 'journey-branch-editor-fa');
    await page.getByLabel('زبان').selectOption('en');
  });

  it('a wait for event takes an event, property filters and a timeout, each checked in place', async () => {
    await page.getByRole('button', { name: 'Wait for event', exact: true }).click();
    await page.getByLabel('Event name', { exact: true }).fill('purchased');
    await page.getByRole('button', { name: 'Add filter' }).click();
    const filter = page.getByRole('group', { name: 'Filter 1', exact: true });
    await filter.getByLabel('Filter 1 property').fill('');
    await expect.poll(() => filter.getByRole('alert').count()).toBe(1);
    await filter.getByLabel('Filter 1 property').fill('total');
    await filter.getByLabel('Filter 1 operator').selectOption('gt');
    await filter.getByLabel('Filter 1 value').fill('0');
    await expect.poll(() => filter.getByRole('alert').count()).toBe(0);
    await page.getByLabel('Timeout (e.g. 3d)').fill('soon');
    await page.getByText('a duration like 30m, 4h, 3d or 2w').first().waitFor();
    await page.getByLabel('Timeout (e.g. 3d)').fill('2d');
    await page.getByRole('button', { name: 'Delete step' }).click();
    await expect.poll(() => page.getByTestId('node-wait-for-event').count()).toBe(0);
  });

  it('a split must add up to 100, said in place', async () => {
    await page.getByRole('button', { name: 'A/B split', exact: true }).click();
    await page.getByLabel('Variant 1 percent').fill('60');
    await expect.poll(() => page.getByTestId('split-total').textContent()).toBe('The percentages must add up to 100 (now 110).');
    expect(await page.getByTestId('split-total').getAttribute('role')).toBe('alert');
    await page.getByLabel('Variant 2 percent').fill('40');
    await expect.poll(() => page.getByTestId('split-total').textContent()).toBe('Total 100%');
    await page.getByRole('button', { name: 'Delete step' }).click();
    await expect.poll(() => page.getByTestId('node-split').count()).toBe(0);
  });

  it('sets a goal and an exit event in Journey settings and publishes', async () => {
    await page.getByRole('button', { name: 'Journey settings' }).click();
    const settings = page.getByTestId('journey-settings');
    await settings.getByLabel('A contact may enter').selectOption('after_exit');
    await settings.getByRole('button', { name: 'Set a goal' }).click();
    await settings.getByLabel('Conversion event').fill('purchased');
    await settings.getByRole('button', { name: 'Add filter' }).first().click();
    await settings.getByLabel('Filter 1 property').fill('total');
    await settings.getByLabel('Filter 1 operator').selectOption('gte');
    await settings.getByLabel('Filter 1 value').fill('10');
    await settings.getByLabel('Event property holding the value (optional)').fill('total');
    await settings.getByRole('button', { name: 'Add exit event' }).click();
    await settings.getByLabel('Exit event 1 name').fill('');
    await expect.poll(() => settings.getByRole('group', { name: 'Exit event 1' }).getByRole('alert').count()).toBeGreaterThan(0);
    await settings.getByLabel('Exit event 1 name').fill('unsubscribed');
    await settings.getByLabel('Quiet hours (contact’s local time)').check();
    await settings.getByLabel('Quiet from').fill('22:00');
    await settings.getByLabel('Frequency cap').check();
    await settings.getByLabel('At most (messages)').fill('2');
    await settings.getByLabel('Longest a run may last').fill('30d');
    await page.getByRole('heading', { name: 'No problems found.' }).waitFor();
    // Tall enough to show the whole panel from its top.
    await page.setViewportSize({ width: 1280, height: 1300 });
    await page.locator('.side').evaluate((el) => el.scrollTo(0, 0));
    await shot(page, 'journey-settings');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('button', { name: 'Publish' }).click();
    await expect.poll(() => page.getByTestId('journey-status').textContent()).toContain('live');

    const stored = (await api('GET', '/api/journeys/upgrade')).document;
    expect(stored.nodes.find((n: { id: string }) => n.id === 'branch').branches).toEqual([
      {
        output: 'engaged',
        condition: { all: [{ field: 'contact.plan', op: 'eq', value: 'pro' }, { performed: { event: 'email.opened', where: [{ property: 'machine', op: 'neq', value: true }], within: '7d' } }] },
      },
    ]);
    expect(stored.goal).toEqual({ event: 'purchased', where: [{ property: 'total', op: 'gte', value: 10 }], valueProperty: 'total' });
    expect(stored.exitWhen).toEqual([{ event: 'unsubscribed' }]);
    expect(stored.entry.reentry.mode).toBe('after_exit');
    expect(stored.settings).toEqual({ quietHours: { start: '22:00', end: '08:00', outcome: 'defer' }, frequencyCap: { max: 2, per: '7d', outcome: 'defer' }, maxDuration: '30d' });
  });

  it('each contact takes the branch the condition built in the editor says', async () => {
    for (const name of ['ana', 'ben', 'cy']) await ingest('track', { userId: name, event: 'trial_ended' });
    const pathOf = async (name: keyof typeof contacts) => {
      const runs = (await api('GET', `/api/contacts/${contacts[name]}/journeys`)).runs as { journeyId: string; status: string; steps: { node: string; outcome: string }[] }[];
      const run = runs.find((r) => r.journeyId === 'upgrade');
      return run && run.status !== 'active' && run.status !== 'waiting' ? `${run.status}: ${run.steps.map((s) => `${s.node}=${s.outcome}`).join(' ')}` : null;
    };
    await expect.poll(() => pathOf('ana'), { timeout: 30_000 }).toMatch(/^completed: (.* )?branch=engaged exit=completed$/);
    await expect.poll(() => pathOf('ben'), { timeout: 30_000 }).toMatch(/^completed: (.* )?branch=else exit-2=completed$/);
    await expect.poll(() => pathOf('cy'), { timeout: 30_000 }).toMatch(/^completed: (.* )?branch=else exit-2=completed$/);
  });

  it('the journey opens on the canvas again with its rows and settings as built', async () => {
    await page.reload();
    await page.getByTestId('node-branch').click();
    await expect(page.getByLabel('Condition 1 attribute').inputValue()).resolves.toBe('plan');
    await expect(page.getByLabel('Condition 2 type').inputValue()).resolves.toBe('email_opened');
    await page.getByRole('button', { name: 'Journey settings' }).click();
    await expect(page.getByLabel('Conversion event').inputValue()).resolves.toBe('purchased');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('(unchanged)');
    // The YAML the canvas exports is the document `qatra journeys apply` takes: applied, nothing changes.
    await page.getByRole('button', { name: 'Export YAML' }).click();
    const text = await page.getByLabel(/Journey as YAML/).inputValue();
    expect(text).toContain('event: email.opened');
    expect(text).toContain('valueProperty: total');
    const applied = await api('PUT', '/api/journeys/upgrade', parse(text));
    expect(applied.outcome).toBe('unchanged');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Import YAML' }).click();
    await page.getByLabel(/Journey as YAML/).fill(text);
    await page.getByRole('button', { name: 'Load into canvas' }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('(unchanged)');
    expect((await api('GET', '/api/journeys/upgrade')).versions).toHaveLength(1);
  });
});
