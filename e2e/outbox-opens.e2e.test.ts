/**
 * Looking at a message in the web outbox is not an open, in a real Chromium against a real
 * `qatra start`: the message's frame shows the email without its open pixel, and its links do not
 * lead to the click recorder, so the message's open and click counts stay as they were. The pixel
 * itself still counts when a reader's client loads it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openBrowser, type Browser } from './browser.js';
import { apiClient, chromiumGuard, newPage, setUpOwner } from './kit.js';
import { startQatra, type RunningQatra } from './server.js';

const missing = chromiumGuard('the outbox viewer in Chromium');

describe.skipIf(!!missing)('the outbox viewer in Chromium', () => {
  let q: RunningQatra;
  let browser: Browser;
  let page: Page;
  const { api } = apiClient(() => q);

  beforeAll(async () => {
    q = await startQatra();
    // Transactional mail tracked too, so a message sent through /api/messages/send carries the pixel and /c/ links.
    await api('PUT', '/api/email/provider', { provider: 'outbox', from: { address: 'shop@example.com', name: 'Shop' }, tracking: { opens: true, clicks: true, transactional: true } });
    await api('POST', '/api/templates', {
      id: 'receipt',
      name: 'Receipt',
      kind: 'transactional',
      content: { subject: 'Receipt {{ data.order }}', body: '<p>Order {{ data.order }}</p><p><a href="https://shop.example.com/orders/{{ data.order }}">View your order</a></p>' },
    });
    browser = await openBrowser({ height: 900 });
    page = await newPage(browser);
    await setUpOwner(page, q.setupLink);
  });
  afterAll(async () => {
    await browser?.close();
    await q?.stop();
  });

  it('opening a message in the outbox leaves its opens and clicks unchanged; the real pixel still counts', async () => {
    const sent = await api('POST', '/api/messages/send', { templateId: 'receipt', email: 'reader@example.org', data: { order: '42' } });
    expect(sent.result.status).toBe('sent');
    const counts = async () => {
      const m = await api('GET', `/api/messages/${sent.message.id}`);
      return { opens: m.openCount, clicks: m.clickCount };
    };
    const entry = (await api('GET', '/api/outbox')).data.find((e: { messageId: string }) => e.messageId === sent.message.id);
    const pixel = /\/o\/[^"'\s>]+\.gif/.exec(entry.html)?.[0];
    expect(pixel, 'the sent email has an open pixel').toBeTruthy();
    expect(await counts()).toEqual({ opens: 0, clicks: 0 });

    const served: string[] = [];
    page.on('request', (r) => served.push(new URL(r.url()).pathname));
    await page.getByRole('link', { name: 'Outbox' }).click();
    await page.getByRole('button', { name: 'Receipt 42' }).click();
    const frame = page.frameLocator('iframe[title="Receipt 42"]');
    await frame.getByText('Order 42').waitFor();
    await frame.getByRole('link', { name: 'View your order' }).click();
    // Give a pixel request or a click navigation time to reach the server and be recorded.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(served.filter((p) => p.startsWith('/o/') || p.startsWith('/c/'))).toEqual([]);
    expect(await counts()).toEqual({ opens: 0, clicks: 0 });

    // The control: a mail client loading the real pixel is an open.
    await fetch(q.url + pixel);
    expect((await counts()).opens).toBe(1);
  });
});
