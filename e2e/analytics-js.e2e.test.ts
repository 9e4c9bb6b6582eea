/**
 * Segment's analytics.js, unmodified (`@segment/analytics-next` 1.83.0 and the latest, installed as
 * `analytics-next-1-83` and `analytics-next-latest`), in a real Chromium, on a page served from one
 * 127.0.0.1 port and pointed at a real `qatra start` on another (so every call is cross-origin):
 *  - page, identify and track with each delivery strategy (one request per call to /v1/p, /v1/i,
 *    /v1/t; batching to /v1/b), and the events stored with their properties;
 *  - 1.83 posts `text/plain` with the key only in the body; 1.84 adds `Authorization: Basic` (a
 *    CORS preflight); the latest generation uses a key restricted to the page's origin;
 *  - a refusal (unknown key 401, unlisted origin 403) is readable by the page (CORS on errors);
 *  - the Settings screen sets, normalises and clears a write key's origins and names a refused one.
 * The library's browser bundle (dist/umd/index.js) and its lazily loaded chunks are served by the
 * page's server; requests elsewhere than 127.0.0.1 are counted: there are none.
 *
 * Batching goes through a TLS proxy in front of Qatra (a self-signed certificate the browser is told
 * to accept): 1.83's batched dispatcher ignores the `protocol` setting and always posts to
 * `https://${apiHost}/b` (src/plugins/segmentio/batched-dispatcher.ts), as a site in production
 * does to a Qatra behind TLS. The proxy passes requests through unchanged, Origin included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ARGS, CHROMIUM } from './browser.js';
import { apiClient, chromiumGuard, setUpOwner } from './kit.js';
import { startQatra, type RunningQatra } from './server.js';

const missing = chromiumGuard('analytics.js from a page on another origin in Chromium');
const GENERATIONS = { '1.83': 'analytics-next-1-83', latest: 'analytics-next-latest' } as const;
type Generation = keyof typeof GENERATIONS;

/** Serves /GEN/index.js (the UMD bundle), its chunks (/GEN/analytics-next/bundles/…) and /GEN.html. */
function pageServer(): Promise<{ origin: string; server: Server }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const page = /^\/(1\.83|latest)\.html$/.exec(url.pathname);
    if (page) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      // The bundle finds its chunks at <_cdn>/analytics-next/bundles/ (src/browser/browser-umd.ts).
      res.end(`<!doctype html><html><head><title>Shop ${page[1]}</title>
<script>window.analytics = { _cdn: location.origin + '/${page[1]}' };</script>
<script src="/${page[1]}/index.js"></script></head><body><h1>Shop</h1></body></html>`);
      return;
    }
    const file = /^\/(1\.83|latest)\/(?:analytics-next\/bundles\/)?([\w.-]+\.js)$/.exec(url.pathname);
    const full = file ? path.resolve('node_modules', GENERATIONS[file[1] as Generation], 'dist/umd', file[2]!) : null;
    if (!full || !existsSync(full)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/javascript' });
    createReadStream(full).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server })));
}

/** An HTTPS server on 127.0.0.1 that passes every request to `target` (http) as it came. */
function tlsProxy(target: URL): Promise<{ port: number; server: Server }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qatra-tls-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    { stdio: 'ignore' },
  );
  const server = createTlsServer({ key: readFileSync(`${dir}/key.pem`), cert: readFileSync(`${dir}/cert.pem`) }, (req, res) => {
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  rmSync(dir, { recursive: true, force: true });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as { port: number }).port, server: server as unknown as Server })));
}

interface Seen {
  method: string;
  path: string;
  contentType: string | undefined;
  authorization: boolean;
  bodyKey: boolean;
}

describe.skipIf(!!missing)('analytics.js from a page on another origin in Chromium', () => {
  let q: RunningQatra;
  let site: { origin: string; server: Server };
  let tls: { port: number; server: Server };
  let browser: Browser;
  let apiHost: string;
  const offsite: string[] = [];
  const { api } = apiClient(() => q);

  beforeAll(async () => {
    q = await startQatra();
    site = await pageServer();
    const qatra = new URL(q.url);
    qatra.hostname = '127.0.0.1';
    apiHost = `${qatra.host}/v1`;
    tls = await tlsProxy(qatra);
    // e2e/browser.ts's Chromium and flags; a fresh context (cookies, storage) per visitor below.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => site?.server.close(r));
    await new Promise((r) => tls?.server.close(r));
    await q?.stop();
  });

  /**
   * Opens the generation's page for a new visitor (analytics.js keeps the user id in cookies and
   * storage per host, so a second visit in the same context would carry the first one's) and
   * records what it sends to Qatra. The context accepts the TLS proxy's self-signed certificate.
   */
  async function openSite(generation: Generation): Promise<{ page: Page; seen: Seen[] }> {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    // Watched, not intercepted: with request interception on, Playwright answers CORS preflights
    // itself, and they must reach Qatra. (This machine has no network beyond 127.0.0.1 anyway.)
    page.on('request', (r) => {
      if (new URL(r.url()).hostname !== '127.0.0.1') offsite.push(r.url());
    });
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    const seen: Seen[] = [];
    page.on('request', (r) => {
      if (!r.url().includes('/v1/')) return;
      const body = r.postData() ?? '';
      seen.push({ method: r.method(), path: new URL(r.url()).pathname, contentType: r.headers()['content-type'], authorization: 'authorization' in r.headers(), bodyKey: body.includes('"writeKey"') });
    });
    await page.goto(`${site.origin}/${generation}.html`);
    await page.waitForFunction(() => typeof (window as unknown as { AnalyticsNext?: unknown }).AnalyticsNext === 'object');
    return { page, seen };
  }

  /** Loads analytics.js pointed at Qatra and makes the calls; resolves when the library says they were delivered. */
  async function track(page: Page, writeKey: string, userId: string, batching: boolean): Promise<void> {
    await page.evaluate(
      async ({ writeKey, apiHost, tlsHost, userId, batching }) => {
        const { AnalyticsBrowser } = (window as unknown as { AnalyticsNext: { AnalyticsBrowser: any } }).AnalyticsNext;
        const segmentIo = batching
          ? { apiKey: writeKey, apiHost: tlsHost, protocol: 'https', deliveryStrategy: { strategy: 'batching', config: { size: 3, timeout: 300 } } }
          : { apiKey: writeKey, apiHost, protocol: 'http' };
        const [analytics] = await AnalyticsBrowser.load({ writeKey, cdnSettings: { integrations: { 'Segment.io': segmentIo } } });
        await analytics.page('Docs', 'Pricing', { plan: 'pro' });
        await analytics.identify(userId, { email: `${userId}@example.com`, plan: 'pro' });
        await analytics.track('Order Completed', { total: 42, sku: 'A-1', items: [{ id: 1 }] });
      },
      { writeKey, apiHost, tlsHost: `127.0.0.1:${tls.port}/v1`, userId, batching },
    );
  }

  /** The contact's stored events, once all `names` are there (the batching mode sends after its timeout). */
  async function storedEvents(userId: string, names: string[]): Promise<{ type: string; name: string; properties: Record<string, unknown> }[]> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const contact = (await api('GET', `/api/contacts?userId=${encodeURIComponent(userId)}`)).data[0];
      if (contact) {
        const entries = (await api('GET', `/api/contacts/${contact.id}/timeline`)).data.filter((e: { kind: string }) => e.kind === 'event');
        if (names.every((n) => entries.some((e: { name: string }) => e.name === n))) return entries;
      }
      if (Date.now() > deadline) throw new Error(`events of ${userId} not stored in 20 s (have contact: ${!!contact})`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** CORS preflights Qatra answered so far, from its own request counter. */
  async function preflights(): Promise<number> {
    const text = await (await fetch(`${q.url}/metrics`)).text();
    return [...text.matchAll(/^qatra_http_requests_total\{[^}]*method="OPTIONS"[^}]*status="204"[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  }

  async function expectStored(userId: string, generation: Generation): Promise<void> {
    const events = await storedEvents(userId, ['identify', 'Order Completed', 'Pricing']);
    const track = events.find((e) => e.name === 'Order Completed')!;
    expect(track).toMatchObject({ type: 'track', properties: { total: 42, sku: 'A-1', items: [{ id: 1 }] } });
    // The page view, sent before identify under the anonymous id, is the contact's too; analytics.js
    // adds the page's path, title and URL to its properties.
    const page = events.find((e) => e.name === 'Pricing')!;
    expect(page).toMatchObject({ type: 'page', properties: { plan: 'pro', category: 'Docs', path: `/${generation}.html`, title: `Shop ${generation}`, url: `${site.origin}/${generation}.html` } });
    expect(events.find((e) => e.type === 'identify')!.properties).toMatchObject({ email: `${userId}@example.com`, plan: 'pro' });
    const contact = (await api('GET', `/api/contacts?userId=${encodeURIComponent(userId)}`)).data[0];
    expect(contact.email).toBe(`${userId}@example.com`);
  }

  for (const generation of Object.keys(GENERATIONS) as Generation[]) {
    it(`${generation}: page, identify and track, one request each and batched, are stored with their properties`, async () => {
      // The latest generation uses a key restricted to the page's origin (the 1.83 one: any origin).
      const key = generation === 'latest' ? (await api('POST', '/api/keys', { kind: 'write', name: 'shop', allowedOrigins: [site.origin] })).secret : q.writeKey;
      const preflightsBefore = await preflights();
      const standard = await openSite(generation);
      await track(standard.page, key, `ajs-${generation}-standard`, false);
      await expectStored(`ajs-${generation}-standard`, generation);
      // 1.83 sends "simple" requests; 1.84's Authorization header makes the browser ask first.
      if (generation === '1.83') expect(await preflights()).toBe(preflightsBefore);
      else expect(await preflights()).toBeGreaterThan(preflightsBefore);
      expect(standard.seen.map((s) => s.path)).toEqual(expect.arrayContaining(['/v1/p', '/v1/i', '/v1/t']));
      for (const s of standard.seen) {
        expect(s.method).toBe('POST');
        expect(s.contentType).toMatch(/^text\/plain/);
        expect(s.bodyKey).toBe(true);
        expect(s.authorization).toBe(generation !== '1.83');
      }
      await standard.page.context().close();

      const batched = await openSite(generation);
      await track(batched.page, key, `ajs-${generation}-batched`, true);
      await expectStored(`ajs-${generation}-batched`, generation);
      expect(new Set(batched.seen.map((s) => s.path))).toEqual(new Set(['/v1/b']));
      await batched.page.context().close();
      expect(offsite).toEqual([]);
    });
  }

  it('a refusal is readable by the page: unknown key 401, unlisted origin 403 (CORS on errors)', async () => {
    const elsewhere = (await api('POST', '/api/keys', { kind: 'write', allowedOrigins: ['https://shop.example.com'] })).secret;
    const { page } = await openSite('latest');
    const statuses = await page.evaluate(
      async ({ url, keys }) => {
        const out: number[] = [];
        for (const writeKey of keys) {
          const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ writeKey, anonymousId: 'a-1', event: 'Refused' }) });
          out.push(res.status);
        }
        return out;
      },
      { url: `http://${apiHost}/t`, keys: ['qw_unknown', elsewhere, q.writeKey] },
    );
    expect(statuses).toEqual([401, 403, 200]);
    await page.context().close();
  });

  it("Settings → API keys: a write key's origins set (normalised), a refused entry named, cleared again", async () => {
    const key = await api('POST', '/api/keys', { kind: 'write', name: 'shop-web' });
    const originsOf = async () => (await api('GET', '/api/keys')).data.find((k: { id: string }) => k.id === key.id).allowedOrigins;
    const { page } = await openSite('latest');
    await setUpOwner(page, q.setupLink);
    await page.getByRole('link', { name: 'Settings' }).click();
    const field = page.getByLabel('Browser origins shop-web');
    await field.fill('https://shop.example.com\nhttps://x.example.com/path');
    await page.getByRole('button', { name: 'Save origins' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'https://x.example.com/path:' }).textContent()).resolves.toMatch(/not an origin/);
    expect(await originsOf()).toBeNull();
    await field.fill('HTTPS://Shop.Example.com:443, https://*.example.org');
    await page.getByRole('button', { name: 'Save origins' }).click();
    await expect.poll(originsOf).toEqual(['https://shop.example.com', 'https://*.example.org']);
    await expect(page.getByLabel('Browser origins shop-web').inputValue()).resolves.toBe('https://shop.example.com\nhttps://*.example.org');
    await expect(page.getByText('never from browsers').first().isVisible()).resolves.toBe(true);
    await page.getByLabel('Browser origins shop-web').fill('');
    await page.getByRole('button', { name: 'Save origins' }).click();
    await expect.poll(originsOf).toBeNull();
    await page.context().close();
  });
});
