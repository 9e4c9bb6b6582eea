/**
 * The website snippet in a real Chromium, on a page of another origin (a site on 127.0.0.1, Qatra on
 * localhost), loaded with the one tag the web app shows, against a real `qatra start`: page views with
 * their UTM campaign (the tag copied from the web app's panel), identify from a marked form (the anonymous history joins the contact), the
 * click id from a real tracked email click (the site's events then belong to the clicked contact),
 * and consent: nothing sent and nothing stored in the browser before `qatra.consent(true)`.
 * Stored rows are read from the server's SQLite file (read-only), as the API shows no event context.
 */
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page, Response } from 'playwright-core';
import { openBrowser, type Browser } from './browser.js';
import { apiClient, chromiumGuard, newPage, setUpOwner } from './kit.js';
import { startQatra, type RunningQatra } from './server.js';

const missing = chromiumGuard('the website snippet in Chromium');

describe.skipIf(!!missing)('the website snippet in Chromium', () => {
  let q: RunningQatra;
  let site: Server;
  let siteUrl: string;
  let siteKey: string;
  /** The tag as the web app's "Track your website" panel shows it, for a write key created there. */
  let panelTag: string;
  let panelKey: string;
  let browser: Browser;
  let page: Page;
  const { api } = apiClient(() => q);

  /** The customer's site: every path is a page with the tag; /signup has a form marked for identify. */
  const html = (pathname: string) => {
    const form = pathname === '/signup' ? '<form data-qatra-identify action="/thanks" method="get"><label>Email <input type="email" name="email"></label><button>Sign up</button></form>' : '';
    const tag = siteKey === panelKey ? panelTag : `<script src="${q.url}/js/qatra.js" data-write-key="${siteKey}" async></script>`;
    return `<!doctype html><html><head><meta charset="utf-8"><title>Shop ${pathname}</title>
${tag}</head><body><h1>${pathname}</h1>${form}</body></html>`;
  };

  const events = (where: string, ...params: unknown[]) => {
    const db = new Database(path.join(q.dataDir, 'qatra.db'), { readonly: true, fileMustExist: true });
    try {
      return db.prepare(`SELECT contact_id, type, name, properties, context FROM events WHERE ${where} ORDER BY id`).all(...params) as {
        contact_id: string;
        type: string;
        name: string;
        properties: string;
        context: string;
      }[];
    } finally {
      db.close();
    }
  };
  const answered = (kind: 'p' | 'i' | 't') => page.waitForResponse((r) => r.url() === `${q.url}/v1/${kind}` && r.request().method() === 'POST');
  const bodyOf = (r: Response) => JSON.parse(r.request().postData() ?? 'null');
  const timeline = async (contactId: string) => (await api('GET', `/api/contacts/${contactId}/timeline?limit=200`)).data as { kind: string; name?: string; properties?: Record<string, unknown> }[];
  const contactByEmail = async (email: string) => {
    for (let i = 0; i < 50; i++) {
      const found = (await api('GET', `/api/contacts?email=${encodeURIComponent(email)}`)).data[0];
      if (found) return found as { id: string };
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no contact ${email}`);
  };

  beforeAll(async () => {
    q = await startQatra();
    // The owner creates a write key in Settings and copies the tag the panel shows with it.
    const owner = await openBrowser();
    try {
      await owner.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: q.url });
      const app = await newPage(owner);
      await setUpOwner(app, q.setupLink);
      await app.getByRole('link', { name: 'Settings' }).click();
      const shown = app.getByTestId('website-tag');
      expect(await shown.textContent()).toContain('data-write-key="YOUR_WRITE_KEY"');
      await app.getByRole('button', { name: 'New key' }).click();
      siteKey = (await app.getByTestId('new-key-secret').textContent())!;
      await app.locator('[data-testid="website-tag"]', { hasText: siteKey }).waitFor();
      expect(await shown.textContent()).toBe(`<script src="${q.url}/js/qatra.js" data-write-key="${siteKey}" async></script>`);
      await app.getByRole('button', { name: 'Copy' }).click();
      await app.getByRole('button', { name: 'Copied' }).waitFor();
      panelTag = await app.evaluate(() => navigator.clipboard.readText());
      expect(panelTag).toBe(await shown.textContent());
    } finally {
      await owner.close();
    }
    panelKey = siteKey;
    site = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://site');
      if (url.pathname === '/favicon.ico') return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html(url.pathname));
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => site?.close(r));
    await q?.stop();
  });
  beforeEach(async () => {
    browser = await openBrowser();
    page = await newPage(browser);
  });
  afterEach(async () => browser?.close());

  it('a page view with UTM parameters lands with its campaign, page fields and the first-party anonymous id', async () => {
    const sent = answered('p');
    await page.goto(`${siteUrl}/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=spring&utm_term=shoes&utm_content=hero`);
    const response = await sent;
    expect(response.status()).toBe(200);
    const call = bodyOf(response);
    expect(response.request().headers()['content-type']).toMatch(/^text\/plain/);
    expect(call.writeKey).toBe(siteKey);
    const [stored] = events('message_id = ?', call.messageId);
    expect(stored!.type).toBe('page');
    expect(JSON.parse(stored!.properties)).toMatchObject({ path: '/pricing', title: 'Shop /pricing', url: expect.stringContaining('/pricing?utm_source=newsletter') });
    expect(JSON.parse(stored!.context).campaign).toEqual({ name: 'spring', source: 'newsletter', medium: 'email', term: 'shoes', content: 'hero' });
    const cookie = (await browser.context.cookies(siteUrl)).find((c) => c.name === 'qatra_aid');
    expect(cookie?.value).toBe(call.anonymousId);
    expect(cookie?.sameSite).toBe('Lax');
  });

  it('a call made as the page goes away leaves by sendBeacon and is stored', async () => {
    const viewed = answered('p');
    await page.goto(`${siteUrl}/cart`);
    const first = bodyOf(await viewed);
    // Requests of a document being unloaded are not all reported to the test, so the page notes its beacons itself.
    await page.evaluate(() => {
      const send = navigator.sendBeacon.bind(navigator);
      navigator.sendBeacon = (url, data) => {
        sessionStorage.setItem('beacons', `${sessionStorage.getItem('beacons') ?? ''} ${String(url)}`);
        return send(url, data);
      };
      addEventListener('pagehide', () => (window as unknown as { qatra: { track(n: string, p: object): void } }).qatra.track('Left Cart', { items: 2 }));
    });
    await page.goto(`${siteUrl}/elsewhere`);
    expect((await page.evaluate(() => sessionStorage.getItem('beacons')))?.trim()).toBe(`${q.url}/v1/t`);
    let stored: ReturnType<typeof events> = [];
    for (let i = 0; i < 50 && stored.length === 0; i++) {
      stored = events(`name = 'Left Cart'`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(stored.map((e) => JSON.parse(e.properties))).toEqual([{ items: 2 }]);
    // The same browser: the same contact as the page view before it.
    expect(stored[0]!.contact_id).toBe(events('message_id = ?', first.messageId)[0]!.contact_id);
  });

  it('submitting a marked form identifies the visitor by its email; the visit before it joins the contact', async () => {
    const viewed = answered('p');
    await page.goto(`${siteUrl}/signup`);
    expect((await viewed).status()).toBe(200);
    const identified = page.waitForRequest((r) => r.url() === `${q.url}/v1/i`);
    await page.getByLabel('Email').fill('Signup@Example.org');
    await page.getByRole('button', { name: 'Sign up' }).click();
    expect(JSON.parse((await identified).postData() ?? 'null')).toMatchObject({ type: 'identify', traits: { email: 'Signup@Example.org' } });
    await page.waitForURL(/\/thanks/);
    const contact = await contactByEmail('signup@example.org');
    const seen = await timeline(contact.id);
    expect(seen.some((e) => e.kind === 'event' && e.name === 'identify')).toBe(true);
    expect(seen.some((e) => e.kind === 'event' && e.name === 'page' && e.properties?.path === '/signup')).toBe(true);
  });

  it('a tracked email click hands the browser to the contact: the click id is stripped from the address bar and the site’s events are the contact’s', async () => {
    await api('PUT', '/api/email/provider', { provider: 'outbox', from: { address: 'shop@example.com', name: 'Shop' }, tracking: { opens: true, clicks: true, transactional: true } });
    await api('PUT', '/api/workspace/tracking', { clickIdDomains: ['127.0.0.1'] });
    await api('POST', '/api/templates', {
      id: 'spring',
      name: 'Spring',
      kind: 'transactional',
      content: { subject: 'Spring is here', body: `<p>New shoes</p><p><a href="${siteUrl}/welcome?from=mail">Have a look</a></p>` },
    });
    const sent = await api('POST', '/api/messages/send', { templateId: 'spring', email: 'reader@example.org' });
    expect(sent.result.status).toBe('sent');
    const entry = (await api('GET', '/api/outbox')).data.find((e: { messageId: string }) => e.messageId === sent.message.id);
    const link = /href="([^"]*\/c\/[^"]+)"/.exec(entry.html)![1]!;
    expect(link.startsWith(q.url)).toBe(true);

    const viewed = answered('p');
    await page.goto(link);
    const response = await viewed;
    expect(response.status()).toBe(200);
    expect(bodyOf(response).context.qatra.cid).toMatch(/^msg_/);
    expect(page.url()).toBe(`${siteUrl}/welcome?from=mail`);
    const reader = await contactByEmail('reader@example.org');
    const [stored] = events('message_id = ?', bodyOf(response).messageId);
    expect(stored!.contact_id).toBe(reader.id);
    expect(JSON.parse(stored!.context).qatra).toEqual({ clickId: { status: 'verified', messageId: sent.message.id } });

    const tracked = answered('t');
    await page.evaluate(() => (window as unknown as { qatra: { track(n: string, p: object): void } }).qatra.track('Viewed Product', { sku: 'A1' }));
    expect((await tracked).status()).toBe(200);
    const seen = await timeline(reader.id);
    expect(seen.some((e) => e.kind === 'event' && e.name === 'page' && e.properties?.path === '/welcome')).toBe(true);
    expect(seen.some((e) => e.kind === 'event' && e.name === 'Viewed Product')).toBe(true);
  });

  it('when the workspace requires consent, nothing is sent or stored before qatra.consent(true), and the choice is remembered', async () => {
    siteKey = (await api('POST', '/api/keys', { kind: 'write', name: 'consent test' })).secret;
    await api('PUT', '/api/workspace/tracking', { consentRequired: true, clickIdDomains: ['127.0.0.1'] });
    const calls: string[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(`${q.url}/v1/`)) calls.push(r.url());
    });
    const settings = page.waitForResponse((r) => r.url().startsWith(`${q.url}/js/settings`));
    await page.goto(`${siteUrl}/landing`);
    expect((await settings).status()).toBe(200);
    await page.evaluate(() => (window as unknown as { qatra: { track(n: string): void } }).qatra.track('Clicked Banner'));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(calls).toEqual([]);
    expect(await browser.context.cookies(siteUrl)).toEqual([]);
    expect(await page.evaluate(() => Object.keys(localStorage))).toEqual([]);

    const viewed = answered('p');
    const tracked = answered('t');
    await page.evaluate(() => (window as unknown as { qatra: { consent(v: boolean): void } }).qatra.consent(true));
    expect((await viewed).status()).toBe(200);
    expect((await tracked).status()).toBe(200);
    expect((await browser.context.cookies(siteUrl)).map((c) => c.name).sort()).toEqual(['qatra_aid', 'qatra_consent']);

    const again = answered('p');
    await page.goto(`${siteUrl}/landing-2`);
    expect((await again).status()).toBe(200);

    await page.evaluate(() => (window as unknown as { qatra: { consent(v: boolean): void } }).qatra.consent(false));
    expect(await browser.context.cookies(siteUrl)).toEqual([]);
    const before = calls.length;
    await page.evaluate(() => (window as unknown as { qatra: { track(n: string): void } }).qatra.track('After Refusal'));
    await new Promise((r) => setTimeout(r, 500));
    expect(calls.length).toBe(before);
    await api('PUT', '/api/workspace/tracking', { consentRequired: false, clickIdDomains: ['127.0.0.1'] });
  });
});
