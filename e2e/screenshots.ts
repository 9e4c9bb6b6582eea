/**
 * @module Screenshots of every screen (issue 21): the showcase workspace (`showcase.ts`) in a real
 * `qatra start`, each signed-in screen plus sign-in, at desktop (1280×800) and narrow (390×844)
 * width, in English and Arabic, into `docs/screenshots/screens/<screen>.<lang>.<width>.png`.
 * Run: `npm run build && node --import tsx e2e/screenshots.ts`.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromiumMissing, openBrowser } from './browser.js';
import { apiClient, setUpOwner } from './kit.js';
import { startQatra } from './server.js';
import { screensOf, seedShowcase } from './showcase.js';

const OUT = path.resolve('docs/screenshots/screens');
const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'narrow', width: 390, height: 844 },
];
const missing = chromiumMissing();
if (missing) throw new Error(missing);
mkdirSync(OUT, { recursive: true });
const q = await startQatra();
try {
  const showcase = await seedShowcase(apiClient(() => q));
  const browser = await openBrowser();
  const page = await browser.context.newPage();
  const slug = (name: string) => name.replace(/\s+/g, '-');
  const setLang = async (lang: string) => {
    await page.setViewportSize(SIZES[0]!);
    await page.goto(`${q.url}/app/journeys`);
    await page.evaluate((l) => localStorage.setItem('qatra.lang', l), lang);
  };
  for (const lang of ['en', 'ar']) {
    await setLang(lang);
    await page.reload();
    await page.getByRole('button').first().waitFor();
    for (const size of SIZES) {
      await page.setViewportSize(size);
      await page.screenshot({ path: path.join(OUT, `sign-in.${lang}.${size.name}.png`) });
    }
  }
  await setLang('en');
  await setUpOwner(page, q.setupLink);
  for (const lang of ['en', 'ar']) {
    await setLang(lang);
    for (const [name, to] of screensOf(showcase)) {
      for (const size of SIZES) {
        await page.setViewportSize(size);
        await page.goto(`${q.url}/app${to}`);
        await page.waitForLoadState('networkidle');
        await page.locator('main h1, main h2').first().waitFor();
        await page.screenshot({ path: path.join(OUT, `${slug(name)}.${lang}.${size.name}.png`), fullPage: size.name === 'desktop' });
      }
      console.log(JSON.stringify({ screen: name, lang }));
    }
  }
  await browser.close();
} finally {
  await q.stop();
}
