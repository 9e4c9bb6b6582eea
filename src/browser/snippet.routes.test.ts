import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { SNIPPET_FILE, loadSnippet } from './snippet-file.js';

describe.each(backends())('the website snippet and its settings, served on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  const source = readFileSync(SNIPPET_FILE, 'utf8');
  const { hash } = loadSnippet();

  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  const get = (url: string, headers: Record<string, string> = {}) => h.app.inject({ method: 'GET', url, headers });

  it('serves the snippet readable from any origin, gzipped when asked, revalidated by ETag', async () => {
    const plain = await get('/js/qatra.js');
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('public, max-age=300');
    expect(plain.headers['access-control-allow-origin']).toBe('*');
    expect(plain.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(plain.body).toBe(source);
    const zipped = await get('/js/qatra.js', { 'accept-encoding': 'gzip, br' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(zipped.rawPayload).toString('utf8')).toBe(source);
    expect(zipped.rawPayload.length).toBeLessThan(4096);
    const again = await get('/js/qatra.js', { 'if-none-match': String(plain.headers.etag) });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('serves the same bytes under their content hash, cached for a year; another hash is not found', async () => {
    const pinned = await get(`/js/qatra.${hash}.js`);
    expect(pinned.statusCode).toBe(200);
    expect(pinned.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(pinned.body).toBe(source);
    const stale = await get('/js/qatra.000000000000.js');
    expect(stale.statusCode).toBe(404);
    expect(stale.headers['access-control-allow-origin']).toBe('*');
  });

  it('tells the snippet whether the workspace waits for consent, by write key only', async () => {
    const settings = () => get(`/js/settings?writeKey=${encodeURIComponent(t.writeKey)}`);
    expect((await settings()).json()).toEqual({ consentRequired: false });
    const put = await h.app.inject({ method: 'PUT', url: '/api/workspace/tracking', headers: t.admin, payload: { consentRequired: true } });
    expect(put.statusCode).toBe(200);
    const required = await settings();
    expect(required.json()).toEqual({ consentRequired: true });
    expect(required.headers['access-control-allow-origin']).toBe('*');
    // Errors are readable by the page too (the header is on them), and say what is wrong.
    for (const [url, status] of [
      [`/js/settings?writeKey=${encodeURIComponent(t.adminKey)}`, 403],
      ['/js/settings?writeKey=nope', 401],
      ['/js/settings', 400],
      [`/js/settings?writeKey=${'x'.repeat(500)}`, 400],
    ] as const) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(status);
      expect(res.headers['access-control-allow-origin'], url).toBe('*');
    }
  });

  it('workspace tracking settings refuse what is not a host name, and keep the workspace’s other settings', async () => {
    for (const clickIdDomains of [['https://shop.example'], ['shop.example/path'], ['*.'], ['a b'], Array(51).fill('a.example')]) {
      const res = await h.app.inject({ method: 'PUT', url: '/api/workspace/tracking', headers: t.admin, payload: { clickIdDomains } });
      expect(res.statusCode, JSON.stringify(clickIdDomains)).toBe(400);
      expect(res.json().error.issues[0].path).toMatch(/^body\.clickIdDomains/);
    }
    const unknown = await h.app.inject({ method: 'PUT', url: '/api/workspace/tracking', headers: t.admin, payload: { consentRequired: 'yes' } });
    expect(unknown.statusCode).toBe(400);
    const messaging = await h.app.inject({ method: 'GET', url: '/api/workspace/messaging', headers: t.admin });
    await h.app.inject({ method: 'PUT', url: '/api/workspace/tracking', headers: t.admin, payload: { clickIdDomains: ['*.shop.example'] } });
    expect((await h.app.inject({ method: 'GET', url: '/api/workspace/messaging', headers: t.admin })).json()).toEqual(messaging.json());
    expect((await h.app.inject({ method: 'GET', url: '/api/workspace/tracking', headers: t.admin })).json()).toEqual({ consentRequired: false, clickIdDomains: ['*.shop.example'] });
    expect((await h.app.inject({ method: 'GET', url: '/api/workspace/tracking', headers: t.write })).statusCode).toBe(403);
  });
});
