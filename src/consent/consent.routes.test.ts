import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';

describe.each(backends())('consent API on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let n = 0;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  const contact = async (tenant: Tenant = t): Promise<string> => (await h.app.inject({ method: 'POST', url: '/api/contacts', headers: tenant.admin, payload: { userId: `k-${n++}` } })).json().id;
  const put = (id: string, channel: string, payload: object, tenant: Tenant = t) =>
    h.app.inject({ method: 'PUT', url: `/api/contacts/${id}/consent/${channel}`, headers: { ...tenant.admin, 'user-agent': 'qatra-test/1' }, payload });
  const get = (url: string, tenant: Tenant = t) => h.app.inject({ method: 'GET', url, headers: tenant.admin });

  it('records a change with IP, user agent and text version, and shows the current state', async () => {
    const id = await contact();
    const res = await put(id, 'email', { status: 'subscribed', source: 'signup-form', textVersion: 'tos-3' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ channel: 'email', topic: '', status: 'subscribed', source: 'signup-form', updatedAt: h.clock.now() });
    await put(id, 'email', { status: 'unsubscribed', topic: 'newsletter' });
    const current = (await get(`/api/contacts/${id}/consent`)).json().data;
    expect(current.map((c: { topic: string; status: string }) => [c.topic, c.status])).toEqual([
      ['', 'subscribed'],
      ['newsletter', 'unsubscribed'],
    ]);
    const history = (await get(`/api/contacts/${id}/consent/history`)).json();
    expect(history.nextCursor).toBeNull();
    expect(history.data[0]).toMatchObject({ channel: 'email', topic: '', status: 'subscribed', source: 'signup-form', textVersion: 'tos-3', ip: '127.0.0.1', userAgent: 'qatra-test/1' });
  });

  it('history grows by exactly one row per change while the current state follows the last', async () => {
    const id = await contact();
    const changes = ['subscribed', 'unsubscribed', 'pending', 'subscribed', 'unsubscribed'];
    for (const [i, status] of changes.entries()) {
      h.clock.advance(60_000);
      expect((await put(id, 'sms', { status })).statusCode).toBe(200);
      const history = (await get(`/api/contacts/${id}/consent/history`)).json().data;
      expect(history.map((e: { status: string }) => e.status)).toEqual(changes.slice(0, i + 1));
      expect((await get(`/api/contacts/${id}/consent`)).json().data).toEqual([{ channel: 'sms', topic: '', status, source: null, updatedAt: h.clock.now() }]);
    }
  });

  it('pages the history exactly once each and filters it by channel', async () => {
    const id = await contact();
    for (let i = 0; i < 7; i++) await put(id, i % 2 ? 'email' : 'push', { status: i % 3 ? 'subscribed' : 'unsubscribed' });
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: { id: number }[]; nextCursor: string | null } = (await get(`/api/contacts/${id}/consent/history?limit=3${cursor ? `&cursor=${cursor}` : ''}`)).json();
      seen.push(...page.data.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(7);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(new Set(seen).size).toBe(7);
    const email = (await get(`/api/contacts/${id}/consent/history?channel=email`)).json().data;
    expect(email.map((e: { channel: string }) => e.channel)).toEqual(['email', 'email', 'email']);
  });

  it('rejects a bad channel, status or cursor with the field path, and changes nothing', async () => {
    const id = await contact();
    const channel = await put(id, 'E%20Mail', { status: 'subscribed' });
    expect(channel.statusCode).toBe(400);
    expect(channel.json().error.issues.map((i: { path: string }) => i.path)).toEqual(['params.channel']);
    const status = await put(id, 'email', { status: 'maybe', topic: 't'.repeat(101) });
    expect(status.statusCode).toBe(400);
    expect(
      status
        .json()
        .error.issues.map((i: { path: string }) => i.path)
        .sort(),
    ).toEqual(['body.status', 'body.topic']);
    const cursor = Buffer.from('c1:abc').toString('base64url');
    const bad = await get(`/api/contacts/${id}/consent/history?cursor=${cursor}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues[0].path).toBe('querystring.cursor');
    expect((await get(`/api/contacts/${id}/consent/history`)).json().data).toEqual([]);
  });

  it('answers 404 for unknown and foreign contacts and 403 for a write key', async () => {
    const id = await contact();
    await put(id, 'email', { status: 'subscribed' });
    expect((await put('ct_missing', 'email', { status: 'subscribed' })).statusCode).toBe(404);
    const other = await h.tenant();
    expect((await put(id, 'email', { status: 'unsubscribed' }, other)).statusCode).toBe(404);
    expect((await get(`/api/contacts/${id}/consent`, other)).statusCode).toBe(404);
    expect((await get(`/api/contacts/${id}/consent/history`, other)).statusCode).toBe(404);
    expect((await get(`/api/contacts/${id}/consent`)).json().data[0].status).toBe('subscribed');
    const w = await h.app.inject({ method: 'PUT', url: `/api/contacts/${id}/consent/email`, headers: t.write, payload: { status: 'unsubscribed' } });
    expect(w.statusCode).toBe(403);
  });

  it('lists its endpoints in the OpenAPI document', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.paths['/api/contacts/{id}/consent'].get).toBeDefined();
    expect(doc.paths['/api/contacts/{id}/consent/{channel}'].put.requestBody).toBeDefined();
    expect(doc.paths['/api/contacts/{id}/consent/history'].get).toBeDefined();
  });
});
