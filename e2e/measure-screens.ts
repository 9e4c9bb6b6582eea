/**
 * @module How fast the main screens load with 100k contacts (the issue's "< 1 s" bar): seeds a
 * real `qatra start` through /v1/batch, then times, in Chromium, from navigation until each
 * screen shows its data. Run: `npm run build && node --import tsx e2e/measure-screens.ts [contacts]`.
 * Prints one JSON line per figure.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
    const batch = Array.from({ length: Math.min(perBatch, total - i) }, (_, j) => ({
      type: 'identify',
      userId: `u${i + j}`,
      traits: { email: `person${i + j}@example.com`, plan: j % 3 ? 'free' : 'pro' },
    }));
    const res = await fetch(`${q.url}/v1/batch`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
    if (!res.ok) throw new Error(`batch ${i}: ${res.status} ${await res.text()}`);
  }
  console.log(JSON.stringify({ figure: 'seed', contacts: total, ms: Date.now() - seedStart }));

  // One contact with a long history: 5,000 events and a journey email; 120 broadcast drafts (3 pages).
  const admin = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(q.url + url, {
      method,
      headers: { authorization: `Bearer ${q.adminKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  await admin('PATCH', '/api/workspace', { postalAddress: '1 Main St, Springfield' });
  await admin('POST', '/api/templates', {
    id: 'hello',
    name: 'Hello',
    kind: 'marketing',
    content: { subject: 'Hello', body: '<p>Hello</p><p>{{ workspace.postal_address }} · <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>' },
  });
  await admin('POST', '/api/journeys', {
    id: 'hello',
    name: 'Hello',
    status: 'live',
    trigger: { type: 'event', event: 'signed_up' },
    start: 'send',
    nodes: [
      { id: 'send', type: 'message', channel: 'email', template: 'hello' },
      { id: 'done', type: 'exit' },
    ],
    edges: [{ from: 'send', to: 'done' }],
  });
  // 100 journeys in all (the issue's bar): 99 drafts beside the live one.
  for (let i = 1; i < 100; i++) {
    const id = `drip-${String(i).padStart(3, '0')}`;
    await admin('POST', '/api/journeys', {
      id,
      name: `Drip ${String(i).padStart(3, '0')}`,
      status: 'draft',
      trigger: { type: 'event', event: `event_${i}` },
      start: 'send',
      nodes: [
        { id: 'send', type: 'message', channel: 'email', template: 'hello' },
        { id: 'wait', type: 'delay', duration: '3d' },
        { id: 'again', type: 'message', channel: 'email', template: 'hello' },
        { id: 'done', type: 'exit' },
      ],
      edges: [
        { from: 'send', to: 'wait' },
        { from: 'wait', to: 'again' },
        { from: 'again', to: 'done' },
      ],
    });
  }
  const busy = 'u7';
  for (let i = 0; i < 5000; i += 500) {
    const batch = Array.from({ length: 500 }, (_, j) => ({
      type: 'track',
      userId: busy,
      event: `viewed_${(i + j) % 20}`,
      properties: { n: i + j },
      timestamp: new Date(Date.UTC(2026, 0, 1) + (i + j) * 60_000).toISOString(),
    }));
    const res = await fetch(`${q.url}/v1/batch`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
    if (!res.ok) throw new Error(`events: ${res.status} ${await res.text()}`);
  }
  await fetch(`${q.url}/v1/track`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ userId: busy, event: 'signed_up' }) });
  const busyId = (await admin('GET', `/api/contacts?userId=${busy}`)).data[0].id as string;
  for (let i = 0; i < 200 && (await admin('GET', `/api/messages?contactId=${busyId}`)).data.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  const list = await admin('POST', '/api/lists', { name: 'Everyone' });
  for (let i = 0; i < 120; i++)
    await admin('POST', '/api/broadcasts', { name: `Broadcast ${String(i).padStart(3, '0')}`, channel: 'email', template: 'hello', audience: { type: 'list', id: list.id } });

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
  await time('contacts list', '/app/contacts', () =>
    page
      .getByRole('link', { name: /^person\d+@example.com$/ })
      .first()
      .waitFor(),
  );
  await time('contact profile with timeline (5,000 events)', `/app/contacts/${busyId}`, () => page.getByTestId('timeline-message').first().waitFor());
  await time('contacts import screen', '/app/contacts/import', () => page.getByRole('option', { name: 'Everyone' }).waitFor({ state: 'attached' }));
  await time('broadcasts list (first page of 120)', '/app/broadcasts', () => page.getByText('Broadcast 049').waitFor());
  await time('journeys list (100 journeys)', '/app/journeys', () => Promise.all([page.getByRole('link', { name: 'Hello' }).first().waitFor(), page.getByRole('link', { name: 'Drip 099' }).waitFor()]));
  await time('outbox', '/app/outbox', () => page.getByRole('button', { name: 'Hello' }).first().waitFor());
  await time('settings', '/app/settings', () =>
    Promise.all([
      page.getByTestId('email-source').waitFor(),
      page.getByText('No topics yet.').waitFor(),
      page.getByRole('heading', { name: 'Quiet hours and frequency cap' }).waitFor(),
      page.getByRole('heading', { name: 'API keys' }).waitFor(),
    ]),
  );
  const t0 = Date.now();
  await page.getByRole('link', { name: 'Contacts' }).click();
  await page.getByLabel('Name, email, phone or user id').fill(`person${total - 7}@example.com`);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: `person${total - 7}@example.com` }).waitFor();
  console.log(JSON.stringify({ figure: 'contact search by email (in-app)', contacts: total, ms: Date.now() - t0 }));

  // An import through the screen: a 20,000-row CSV (every 1000th row bad) into the 100k workspace.
  const rows = 20_000;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qatra-measure-'));
  const csv = path.join(dir, 'import.csv');
  writeFileSync(csv, 'user_id,email,plan\n' + Array.from({ length: rows }, (_, i) => `imp${i},${i % 1000 === 999 ? 'bad' : `imp${i}@example.com`},pro`).join('\n') + '\n');
  await page.goto(q.url + '/app/contacts/import');
  await page.getByLabel('CSV file').setInputFiles(csv);
  await page.getByLabel('What column plan becomes').waitFor();
  const t1 = Date.now();
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.locator('[role=progressbar][aria-valuenow="100"]').waitFor({ timeout: 300_000 });
  const importMs = Date.now() - t1;
  const counts = await page.getByTestId('import-counts').textContent();
  console.log(JSON.stringify({ figure: 'CSV import through the screen', rows, contacts: total, ms: importMs, rowsPerS: Math.round(rows / (importMs / 1000)), counts }));
  rmSync(dir, { recursive: true, force: true });
  await browser.close();
} finally {
  await q.stop();
}
