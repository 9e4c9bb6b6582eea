/**
 * @module How fast the main screens load with 100k contacts (the issue's "< 1 s" bar): seeds a
 * real `qatra start` through /v1/batch, then times, in Chromium, from navigation until each
 * screen shows its data. Run: `npm run build && node --import tsx e2e/measure-screens.ts [contacts]`.
 * Prints one JSON line per figure.
 */
import { chromiumMissing, openBrowser } from './browser.js';
import { startQatra } from './server.js';

const total = Number(process.argv[2] ?? 100_000);
const missing = chromiumMissing();
if (missing) throw new Error(missing);
const q = await startQatra();
const auth = `Basic ${Buffer.from(`${q.writeKey}:`).toString('base64')}`;
try {
  const seedStart = Date.now();
  const perBatch = 500;
  for (let i = 0; i < total; i += perBatch) {
    const batch = Array.from({ length: Math.min(perBatch, total - i) }, (_, j) => ({ type: 'identify', userId: `u${i + j}`, traits: { email: `person${i + j}@example.com`, plan: j % 3 ? 'free' : 'pro' } }));
    const res = await fetch(`${q.url}/v1/batch`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
    if (!res.ok) throw new Error(`batch ${i}: ${res.status} ${await res.text()}`);
  }
  console.log(JSON.stringify({ figure: 'seed', contacts: total, ms: Date.now() - seedStart }));

  const browser = await openBrowser();
  const page = await browser.context.newPage();
  await page.goto(q.setupLink);
  await page.getByLabel('Email').fill('owner@example.com');
  await page.getByLabel('Password').fill('a long owner password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Journeys' }).waitFor();
  const time = async (name: string, path: string, ready: () => Promise<unknown>) => {
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = Date.now();
      await page.goto(q.url + path);
      await ready();
      runs.push(Date.now() - t0);
    }
    runs.sort((a, b) => a - b);
    console.log(JSON.stringify({ figure: name, contacts: total, medianMs: runs[2], maxMs: runs[4] }));
  };
  await time('contacts list', '/app/contacts', () => page.getByRole('link', { name: /^person\d+@example.com$/ }).first().waitFor());
  await time('journeys list', '/app/journeys', () => page.getByText('No journeys yet.').waitFor());
  await time('outbox', '/app/outbox', () => page.getByText('The outbox is empty.').waitFor());
  await time('settings', '/app/settings', () => Promise.all([page.getByTestId('email-source').waitFor(), page.getByText('No topics yet.').waitFor(), page.getByRole('heading', { name: 'Quiet hours and frequency cap' }).waitFor(), page.getByRole('heading', { name: 'API keys' }).waitFor()]));
  const t0 = Date.now();
  await page.getByRole('link', { name: 'Contacts' }).click();
  await page.getByLabel('Email or user id').fill(`person${total - 7}@example.com`);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: `person${total - 7}@example.com` }).waitFor();
  console.log(JSON.stringify({ figure: 'contact search by email (in-app)', contacts: total, ms: Date.now() - t0 }));
  await browser.close();
} finally {
  await q.stop();
}
