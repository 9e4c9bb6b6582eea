/**
 * Issue 21, point 10: accessibility, in a real Chromium against a real `qatra start`.
 *  - axe-core (the engine behind Lighthouse and the axe browser extensions) runs on every screen of
 *    the app, signed out and signed in, in English, Arabic and Persian, with data in every list;
 *    no violation of impact "serious" or "critical" is allowed (WCAG 2.1 A and AA rules, plus
 *    best practices). A failure lists each rule, where and why, in one line per node.
 *  - at a phone's width (390 px) no screen scrolls sideways (WCAG 1.4.10, reflow);
 *  - the skip link is the first thing the keyboard reaches and moves focus to the screen's content;
 *  - the journey canvas works by keyboard: a step is reached with Tab and opened with Enter.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openBrowser, type Browser } from './browser.js';
import { apiClient, chromiumGuard, newPage, setUpOwner } from './kit.js';
import { startQatra, type RunningQatra } from './server.js';
import { screensOf, seedShowcase, type Showcase } from './showcase.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const missing = chromiumGuard('accessibility of every screen');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** Runs axe on the page as it is; returns "screen [lang] rule (impact): target — why" lines for serious and critical findings. */
async function audit(page: Page, screen: string, lang: string): Promise<string[]> {
  // Evaluated through the debugging protocol: the app's Content-Security-Policy (rightly) refuses an inline script tag.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(`${AXE};0`);
  const violations = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, options: object): Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, resultTypes: ['violations'] });
    return result.violations;
  })) as Violation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${screen} [${lang}] ${v.id} (${v.impact}): ${JSON.stringify(n.target)} — ${v.help}; ${(n.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 200)}`));
}

describe.skipIf(!!missing)('accessibility of every screen', () => {
  let q: RunningQatra;
  let browser: Browser;
  let page: Page;
  const client = apiClient(() => q);
  let showcase: Showcase;

  beforeAll(async () => {
    q = await startQatra();
    browser = await openBrowser({ height: 900 });
    page = await newPage(browser);
    // Something in every list, so the audit sees rows, badges and links and not only empty states.
    showcase = await seedShowcase(client);
  });
  afterAll(async () => {
    await browser?.close();
    await q?.stop();
  });

  it('the sign-in and set-up screens have no serious or critical violation', async () => {
    const found: string[] = [];
    await page.goto(q.setupLink);
    await page.getByRole('button', { name: 'Create account' }).waitFor();
    found.push(...(await audit(page, 'setup', 'en')));
    await page.goto(`${q.url}/app/journeys`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    found.push(...(await audit(page, 'sign-in', 'en')));
    expect(found).toEqual([]);
  });

  it.each(['en', 'ar', 'fa'])('every signed-in screen in %s has no serious or critical violation and fits a phone width', { timeout: 400_000 }, async (lang) => {
    if (lang === 'en') await setUpOwner(page, q.setupLink);
    await page.evaluate((l) => localStorage.setItem('qatra.lang', l), lang);
    const found: string[] = [];
    for (const [name, path] of screensOf(showcase)) {
      await page.goto(`${q.url}/app${path}`);
      await page.waitForLoadState('networkidle');
      await page.locator('main h1, main h2').first().waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe(lang);
      found.push(...(await audit(page, name, lang)));
      // At a phone's width (390 px, WCAG 1.4.10 reflow) the page itself never scrolls sideways.
      await page.setViewportSize({ width: 390, height: 844 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (overflow > 0) found.push(`${name} [${lang}] wider than 390 px by ${overflow} px`);
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    await page.evaluate(() => localStorage.setItem('qatra.lang', 'en'));
    expect(found).toEqual([]);
  });

  it('the first Tab reaches a skip link that moves focus to the screen content', async () => {
    await page.goto(`${q.url}/app/contacts`);
    await page.waitForLoadState('networkidle');
    await page.keyboard.press('Tab');
    const focused = page.locator(':focus');
    expect(await focused.textContent()).toBe('Skip to content');
    expect(await focused.isVisible()).toBe(true);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
  });

  it('a step on the journey canvas is reached with Tab and opened with Enter', async () => {
    await page.goto(`${q.url}/app/journeys/welcome`);
    await page.waitForLoadState('networkidle');
    const step = page.locator('.react-flow__node').first();
    await step.waitFor();
    let reached = false;
    for (let i = 0; i < 60 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => !!document.activeElement?.closest('.react-flow__node')?.querySelector('[data-testid^="node-"][aria-label]'));
    }
    expect(reached).toBe(true);
    // The step's label reads "<kind>: <name>"; its side panel is the region named by the kind.
    const kind = (await page.evaluate(() => document.activeElement?.closest('.react-flow__node')?.querySelector('[aria-label]')?.getAttribute('aria-label') ?? '')).split(':')[0]!;
    expect(await page.getByRole('region', { name: kind, exact: true }).count()).toBe(0);
    await page.keyboard.press('Enter');
    await page.getByRole('region', { name: kind, exact: true }).waitFor();
  });
});
