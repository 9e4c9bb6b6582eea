/**
 * The Insights screen in Chromium, in English and Arabic, on planted data (issue 22): the server's
 * SQLite file gets the planted generator's 42 days (loyalty_member doubles conversion,
 * favourite_colour does nothing, quieter weekends, a hard-bounce spike at inbox.gamma.test from day
 * 20), then the anomaly scan runs over the planted days. The screen must show the spike, its
 * drill-down naming the domain, and the correlations table with the planted attribute significant
 * and the null one not.
 *
 * Planting goes straight into the database (as a bulk import would): months of sends with bounces
 * cannot be made through the public API in a test's time. Everything shown is read through the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { openBrowser, type Browser } from './browser.js';
import { apiClient, chromiumGuard, newPage, setUpOwner } from './kit.js';
import { startQatra, type RunningQatra } from './server.js';
import { systemClock } from '../src/core/clock.js';
import { parseConfig } from '../src/config/config.js';
import { createMetrics } from '../src/metrics/metrics.js';
import { openStore, type Store } from '../src/store/store.js';
import { defaultSignals } from '../src/server/signal-sinks.js';
import { sqliteFile } from '../src/server/runtime.js';
import { DAY_MS, generatePlanted, PLANTED } from '../src/insights/planted.testkit.js';
import { scanWorkspace } from '../src/insights/scan.js';

const SHOTS = path.resolve('docs/screenshots');
const missing = chromiumGuard('the Insights screen in Chromium');

describe.skipIf(!!missing)('the Insights screen in Chromium', () => {
  let q: RunningQatra;
  let store: Store;
  let browser: Browser;
  let page: Page;
  const { api } = apiClient(() => q);

  beforeAll(async () => {
    q = await startQatra();
    const workspaceId: string = (await api('GET', '/api/workspace')).id;
    const config = parseConfig({ QATRA_DATA_DIR: q.dataDir });
    store = openStore({ sqliteFile: sqliteFile(config) });
    await generatePlanted(store, { workspaceId, contacts: 3000 });
    const deps = { store, clock: systemClock, signals: defaultSignals(store), log: pino({ level: 'silent' }), metrics: createMetrics(), config, email: undefined };
    const scanned = await scanWorkspace(deps, workspaceId, { from: PLANTED.start + 14 * DAY_MS, to: PLANTED.start + PLANTED.days * DAY_MS });
    expect(scanned.opened.some((a) => a.metric === 'hard_bounce_rate')).toBe(true);
    browser = await openBrowser();
    page = await newPage(browser);
    await setUpOwner(page, q.setupLink);
  });

  afterAll(async () => {
    await browser?.close();
    await store?.close();
    await q?.stop();
  });

  const spikeRow = () => page.locator('[data-testid="anomaly-row"][data-metric="hard_bounce_rate"]').first();

  it('in English: the planted bounce spike, its domain in the drill-down, and the correlations table', async () => {
    await page.getByRole('link', { name: 'Insights' }).click();
    await page.getByRole('heading', { name: 'Insights', level: 1 }).waitFor();
    const row = spikeRow();
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/Hard-bounce rate ▲/);
    await row.getByRole('button', { name: 'Explain' }).click();
    const domains = page.getByTestId('drill-down').locator('table[data-dimension="domain"]');
    await expect(domains.locator('caption').textContent()).resolves.toBe('Recipient domain');
    await expect(domains.locator('tbody tr').first().textContent()).resolves.toContain(PLANTED.spikeDomain);

    // The planted conversions are in the planted weeks: look back to their start.
    const days = Math.min(365, Math.ceil((Date.now() - PLANTED.start) / DAY_MS));
    await page.getByLabel('Conversions in the last (days)').fill(String(days));
    await page.getByRole('button', { name: 'Show' }).click();
    const table = page.getByTestId('correlations-table');
    await table.waitFor();
    await expect(page.getByTestId('association-note').textContent()).resolves.toMatch(/associations in past data, not causes/);
    await table.locator('tr[data-key="loyalty_member"][data-significant="true"]').first().waitFor();
    await expect(table.locator('tr[data-key="favourite_colour"][data-significant="true"]').count()).resolves.toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'insights-en.png'), fullPage: true });
  });

  it('in Arabic: the same anomaly and domain, the table, right to left', async () => {
    await page.getByLabel('Language').selectOption('ar');
    await page.getByRole('heading', { name: 'الرؤى', level: 1 }).waitFor();
    await expect(page.evaluate(() => document.documentElement.dir)).resolves.toBe('rtl');
    const row = spikeRow();
    await expect(row.textContent()).resolves.toMatch(/معدل الارتداد الدائم/);
    if (!(await page.getByTestId('drill-down').isVisible())) await row.getByRole('button', { name: 'فسّر' }).click();
    const domains = page.getByTestId('drill-down').locator('table[data-dimension="domain"]');
    await expect(domains.locator('caption').textContent()).resolves.toBe('نطاق المستلم');
    await expect(domains.locator('tbody tr').first().textContent()).resolves.toContain(PLANTED.spikeDomain);
    await expect(page.getByTestId('association-note').textContent()).resolves.toMatch(/ارتباطات في بيانات سابقة وليست أسبابًا/);
    await expect(page.getByTestId('correlations-table').locator('th').first().textContent()).resolves.toBe('المرشح');
    await expect(page.getByTestId('correlations-table').locator('tr[data-key="loyalty_member"]').count()).resolves.toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SHOTS, 'insights-ar.png'), fullPage: true });
  });
});
