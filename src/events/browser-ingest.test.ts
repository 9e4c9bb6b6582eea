import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { fromJson } from '../core/json.js';
import { createKey, setKeyOrigins } from '../keys/keys.js';
import { MAX_BATCH_BYTES, MAX_CALL_BYTES } from './segment.js';

const SITE = 'https://shop.example.com';

describe.each(backends())('analytics.js from a browser on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  /** A request as analytics.js ≤ 1.83 sends it: text/plain, the key only in the body, from a page. */
  const beacon = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'POST', url, headers: { 'content-type': 'text/plain', origin: SITE, ...headers }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });
  const eventsNamed = (name: string, workspaceId = t.workspaceId) => h.deps.store.db.selectFrom('events').selectAll().where('workspace_id', '=', workspaceId).where('name', '=', name).execute();
  const expectCors = (res: { headers: Record<string, unknown> }, origin = SITE) => {
    expect(res.headers['access-control-allow-origin']).toBe(origin);
    expect(String(res.headers['vary'])).toMatch(/Origin/);
  };

  it('answers the preflight of analytics.js ≥ 1.84 (Authorization header) on short and long paths', async () => {
    for (const url of ['/v1/p', '/v1/b', '/v1/track']) {
      const res = await h.app.inject({
        method: 'OPTIONS',
        url,
        headers: { origin: SITE, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-retry-count' },
      });
      expect(res.statusCode, url).toBe(204);
      expectCors(res);
      expect(res.headers['access-control-allow-methods']).toContain('POST');
      expect(res.headers['access-control-allow-headers']).toBe('authorization,content-type,x-retry-count');
      expect(Number(res.headers['access-control-max-age'])).toBeGreaterThan(0);
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    }
    const odd = await h.app.inject({ method: 'OPTIONS', url: '/v1/t', headers: { origin: SITE, 'access-control-request-headers': 'x\r\ny: 1' } });
    expect(odd.headers['access-control-allow-headers']).toBe('Content-Type, Authorization, X-Retry-Count, X-Requested-With');
  });

  it('stores a text/plain call with the write key only in the body, on every short path', async () => {
    const calls: [string, object][] = [
      ['/v1/i', { userId: 'u-short', traits: { plan: 'pro' } }],
      ['/v1/t', { userId: 'u-short', event: 'Short Track', properties: { sku: 'A1' } }],
      ['/v1/p', { userId: 'u-short', name: 'Short Page', properties: { path: '/pricing' } }],
      ['/v1/s', { userId: 'u-short', name: 'Short Screen' }],
      ['/v1/g', { userId: 'u-short', groupId: 'acme-short' }],
      ['/v1/a', { userId: 'u-short-2', previousId: 'u-short' }],
    ];
    for (const [url, call] of calls) {
      const res = await beacon(url, { ...call, writeKey: t.writeKey });
      expect(res.statusCode, `${url} ${res.body}`).toBe(200);
      expect(res.json()).toEqual({ success: true });
      expectCors(res);
    }
    const [track] = await eventsNamed('Short Track');
    expect(fromJson(track!.properties)).toEqual({ sku: 'A1' });
    expect((await eventsNamed('Short Page')).length).toBe(1);
    expect((await eventsNamed('Short Screen')).length).toBe(1);
  });

  it('stores an analytics.js batch (/v1/b, writeKey in the body, Basic auth too as 1.84 sends it)', async () => {
    const batch = {
      writeKey: t.writeKey,
      sentAt: '2026-01-05T12:00:00.000Z',
      batch: [
        { type: 'page', anonymousId: 'anon-b', name: 'Batch Page', writeKey: t.writeKey, messageId: 'ajs-b-1', properties: { url: 'https://shop.example.com/' } },
        { type: 'track', anonymousId: 'anon-b', event: 'Batch Track', writeKey: t.writeKey, messageId: 'ajs-b-2', properties: { total: 3 } },
      ],
    };
    const onlyBody = await beacon('/v1/b', batch);
    expect(onlyBody.statusCode, onlyBody.body).toBe(200);
    expectCors(onlyBody);
    const both = await beacon('/v1/b', { ...batch, batch: batch.batch.map((c) => ({ ...c, messageId: `${c.messageId}-again` })) }, t.write);
    expect(both.statusCode, both.body).toBe(200);
    expect((await eventsNamed('Batch Track')).map((e) => fromJson(e.properties))).toEqual([{ total: 3 }, { total: 3 }]);
  });

  it('an unknown or missing write key is 401 with the CORS headers, and stores nothing', async () => {
    const unknown = await beacon('/v1/t', { userId: 'u-401', event: 'Nope 401', writeKey: 'qw_not-a-key' });
    expect(unknown.statusCode).toBe(401);
    expectCors(unknown);
    expect(unknown.json().error.code).toBe('unauthorized');
    const missing = await beacon('/v1/b', { batch: [{ type: 'track', userId: 'u-401', event: 'Nope 401' }] });
    expect(missing.statusCode).toBe(401);
    expectCors(missing);
    expect(missing.json().error.message).toContain('writeKey');
    const wrongType = await beacon('/v1/t', { userId: 'u-401', event: 'Nope 401', writeKey: { $ne: 1 } });
    expect(wrongType.statusCode).toBe(401);
    expect(await eventsNamed('Nope 401')).toEqual([]);
  });

  it('a key that lists origins works from them (exact and *.domain) and from servers, and is 403 elsewhere', async () => {
    const key = await createKey(h.deps, { workspaceId: t.workspaceId, kind: 'write', allowedOrigins: ['https://shop.example.com', 'https://*.example.org'] });
    const call = { userId: 'u-origin', event: 'Origin Call', writeKey: key.secret };
    for (const origin of [SITE, 'https://a.example.org', 'https://b.c.example.org']) {
      const res = await beacon('/v1/t', call, { origin });
      expect(res.statusCode, origin).toBe(200);
      expectCors(res, origin);
    }
    const server = await h.app.inject({ method: 'POST', url: '/v1/t', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(call) });
    expect(server.statusCode).toBe(200);
    const stored = (await eventsNamed('Origin Call')).length;
    for (const origin of ['https://evil.example.net', 'http://shop.example.com', 'https://example.org', 'https://shop.example.com.evil.net', 'null']) {
      const res = await beacon('/v1/t', call, { origin });
      expect(res.statusCode, origin).toBe(403);
      expectCors(res, origin);
      expect(res.json().error.code).toBe('forbidden');
    }
    // Key in the Authorization header: the same rule.
    const basic = { authorization: `Basic ${Buffer.from(`${key.secret}:`).toString('base64')}` };
    expect((await beacon('/v1/t', { userId: 'u-origin', event: 'Origin Call' }, { ...basic, origin: 'https://evil.example.net' })).statusCode).toBe(403);
    expect((await eventsNamed('Origin Call')).length).toBe(stored);
    // Cleared, the key works from any origin again.
    await setKeyOrigins(h.deps, t.workspaceId, key.id, null);
    expect((await beacon('/v1/t', call, { origin: 'https://evil.example.net' })).statusCode).toBe(200);
  });

  it('an admin key never works from a browser: 403 in the body or with an Origin, still 200 from a server header', async () => {
    const inBody = await beacon('/v1/t', { userId: 'u-admin', event: 'Admin Call', writeKey: t.adminKey }, { origin: '' });
    expect(inBody.statusCode).toBe(403);
    expect(inBody.json().error.message).toContain('admin key');
    const fromPage = await beacon('/v1/t', { userId: 'u-admin', event: 'Admin Call' }, { ...t.admin });
    expect(fromPage.statusCode).toBe(403);
    expectCors(fromPage);
    expect(await eventsNamed('Admin Call')).toEqual([]);
    const server = await h.app.inject({ method: 'POST', url: '/v1/track', headers: { 'content-type': 'application/json', ...t.admin }, payload: { userId: 'u-admin', event: 'Admin Call' } });
    expect(server.statusCode, server.body).toBe(200);
  });

  it('a text/plain body over the limit is 413 with a small body and CORS headers, by Content-Length or as it streams', async () => {
    const big = (bytes: number) => JSON.stringify({ userId: 'u-big', event: 'Big Call', writeKey: t.writeKey, properties: { pad: 'x'.repeat(bytes) } });
    const call = await beacon('/v1/t', big(MAX_CALL_BYTES));
    expect(call.statusCode).toBe(413);
    expectCors(call);
    expect(call.body.length).toBeLessThan(300);
    expect(call.json().error).toMatchObject({ code: 'payload_too_large', issues: [{ path: 'body' }] });
    const batch = await beacon('/v1/b', JSON.stringify({ writeKey: t.writeKey, batch: [], pad: 'x'.repeat(MAX_BATCH_BYTES) }));
    expect(batch.statusCode).toBe(413);
    // Without a Content-Length (chunked), refused once the limit is passed.
    const streamed = await h.app.inject({
      method: 'POST',
      url: '/v1/t',
      headers: { 'content-type': 'text/plain', origin: SITE },
      payload: Readable.from([Buffer.from(big(MAX_CALL_BYTES).slice(0, 20_000)), Buffer.from(big(MAX_CALL_BYTES).slice(20_000))]),
    });
    expect(streamed.statusCode).toBe(413);
    expectCors(streamed);
    expect(await eventsNamed('Big Call')).toEqual([]);
    // Just under the limit is fine.
    const fits = await beacon('/v1/t', big(MAX_CALL_BYTES - 200));
    expect(fits.statusCode, fits.body).toBe(200);
  });

  it('malformed text/plain JSON is 400 naming the body and the reason, with CORS headers', async () => {
    const res = await beacon('/v1/t', '{"userId":"u-bad","event":"Bad JSON",');
    expect(res.statusCode).toBe(400);
    expectCors(res);
    expect(res.json().error.issues[0].path).toBe('body');
    expect(res.json().error.message).toMatch(/JSON/i);
    const deep = await beacon('/v1/t', `${'['.repeat(100)}${']'.repeat(100)}`);
    expect(deep.statusCode).toBe(400);
    expect(deep.json().error.issues[0]).toMatchObject({ path: 'body', message: expect.stringContaining('nested') });
    const invalid = await beacon('/v1/t', { writeKey: t.writeKey, userId: 'u-bad', event: 7 });
    expect(invalid.statusCode).toBe(400);
    expectCors(invalid);
    expect(invalid.json().error.issues[0].path).toBe('event');
    expect(await eventsNamed('Bad JSON')).toEqual([]);
  });

  it('an unknown /v1 path is 404 with CORS headers; the rest of the API sends none', async () => {
    const res = await beacon('/v1/nope', { writeKey: t.writeKey });
    expect(res.statusCode).toBe(404);
    expectCors(res);
    const api = await h.app.inject({ method: 'GET', url: '/api/keys', headers: { ...t.admin, origin: SITE } });
    expect(api.statusCode).toBe(200);
    expect(api.headers['access-control-allow-origin']).toBeUndefined();
  });
});
