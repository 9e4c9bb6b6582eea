import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import type { Signal } from '../events/signals.js';
import { SignalTap } from '../../test/signal-tap.js';
import { toJson } from '../core/json.js';

describe.each(backends())('contacts API on %s', (kind) => {
  const tap = new SignalTap();
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind, {}, { extraSinks: [tap] });
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  afterEach(() => tap.stop());
  function recordSignals(): Signal[] {
    return tap.collect();
  }

  const post = (tenant: Tenant, payload: object) => h.app.inject({ method: 'POST', url: '/api/contacts', headers: tenant.admin, payload });
  const get = (tenant: Tenant, url: string) => h.app.inject({ method: 'GET', url, headers: tenant.admin });

  it('creates a contact with a normalized email and returns it in camelCase', async () => {
    const res = await post(t, { userId: 'u-create', email: ' Sara@Example.COM ', timezone: 'Asia/Riyadh', locale: 'ar-SA', attributes: { plan: 'pro', seats: 3, gone: null } });
    expect(res.statusCode).toBe(201);
    const c = res.json();
    expect(c).toMatchObject({ userId: 'u-create', email: 'sara@example.com', timezone: 'Asia/Riyadh', locale: 'ar-SA', attributes: { plan: 'pro', seats: 3 } });
    expect(c.id).toMatch(/^ct_/);
    expect(c.createdAt).toBe(h.clock.now());
    expect(c).not.toHaveProperty('workspace_id');
    expect((await get(t, `/api/contacts/${c.id}`)).json()).toEqual(c);
  });

  it('rejects bad fields with their path and stores nothing', async () => {
    const res = await post(t, { userId: 'u-bad', timezone: 'Mars/Olympus', phone: 'call me maybe', email: 'not-an-email' });
    expect(res.statusCode).toBe(400);
    const paths = res
      .json()
      .error.issues.map((i: { path: string }) => i.path)
      .sort();
    expect(paths).toEqual(['body.email', 'body.phone', 'body.timezone']);
    expect((await get(t, '/api/contacts?userId=u-bad')).json().data).toEqual([]);
    const typo = await post(t, { userId: 'u-typo', emial: 'x@example.com' });
    expect(typo.statusCode).toBe(400);
    expect(typo.json().error.issues[0]).toEqual({ path: 'body', message: expect.stringContaining('emial') });
    const none = await post(t, { attributes: { a: 1 } });
    expect(none.statusCode).toBe(400);
    expect(none.json().error.message).toMatch(/userId, email or phone/);
  });

  it('an email is one bare mailbox: lists, names and line breaks are refused at body.email; an IDN domain is stored as punycode', async () => {
    for (const email of ['a@example.net, victim@example.net', 'Victim <victim@example.net>', 'x@example.net\r\nBcc: victim@example.net', 'a@localhost', 'a@[127.0.0.1]']) {
      const res = await post(t, { userId: 'u-mailbox', email });
      expect(res.statusCode, email).toBe(400);
      expect(res.json().error.issues.map((i: { path: string }) => i.path)).toEqual(['body.email']);
    }
    expect((await get(t, '/api/contacts?userId=u-mailbox')).json().data).toEqual([]);
    const created = await post(t, { userId: 'u-mailbox', email: 'Jorg@Bücher.example' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().email).toBe('jorg@xn--bcher-kva.example');
    const patched = await h.app.inject({ method: 'PATCH', url: `/api/contacts/${created.json().id}`, headers: t.admin, payload: { email: 'jorg@example.net,victim@example.net' } });
    expect(patched.statusCode).toBe(400);
    expect(patched.json().error.issues.map((i: { path: string }) => i.path)).toEqual(['body.email']);
    expect((await get(t, `/api/contacts/${created.json().id}`)).json().email).toBe('jorg@xn--bcher-kva.example');
  });

  it('answers 409 naming the field when userId or email is taken in the workspace', async () => {
    await post(t, { userId: 'u-dup', email: 'dup@example.com' });
    const byEmail = await post(t, { userId: 'u-other', email: 'DUP@example.com' });
    expect(byEmail.statusCode).toBe(409);
    expect(byEmail.json().error.issues).toEqual([{ path: 'email', message: expect.any(String) }]);
    const byUser = await post(t, { userId: 'u-dup' });
    expect(byUser.statusCode).toBe(409);
    expect(byUser.json().error.issues[0].path).toBe('userId');
    // Another workspace may use the same identifiers.
    const other = await h.tenant();
    expect((await post(other, { userId: 'u-dup', email: 'dup@example.com' })).statusCode).toBe(201);
  });

  it('concurrent creates with one email give exactly one 201 and 409s, never a 500', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => post(t, { userId: `race-${i}`, email: 'race@example.com' })));
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    for (const r of results.filter((x) => x.statusCode === 409)) expect(r.json().error.issues[0].path).toBe('email');
  });

  it('concurrent attribute patches of one contact all survive (the row is locked while merging)', async () => {
    const c = (await post(t, { userId: 'u-merge' })).json();
    const names = Array.from({ length: 10 }, (_, i) => `k${i}`);
    const results = await Promise.all(names.map((name) => h.app.inject({ method: 'PATCH', url: `/api/contacts/${c.id}`, headers: t.admin, payload: { attributes: { [name]: name } } })));
    expect(results.map((r) => r.statusCode)).toEqual(names.map(() => 200));
    expect(Object.keys((await get(t, `/api/contacts/${c.id}`)).json().attributes).sort()).toEqual(names.sort());
  });

  it('patches shallowly: null clears a field or removes an attribute, others stay', async () => {
    const c = (await post(t, { userId: 'u-patch', phone: '+966501234567', attributes: { plan: 'free', score: 1, keep: true } })).json();
    h.clock.advance(1000);
    const res = await h.app.inject({
      method: 'PATCH',
      url: `/api/contacts/${c.id}`,
      headers: t.admin,
      payload: { phone: null, locale: 'en', attributes: { plan: 'pro', score: null, extra: { a: [1, 2] } } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ userId: 'u-patch', phone: null, locale: 'en', attributes: { plan: 'pro', keep: true, extra: { a: [1, 2] } } });
    expect(res.json().attributes).not.toHaveProperty('score');
    expect(res.json().updatedAt).toBe(c.createdAt + 1000);
  });

  it("refuses a patch that would take another contact's email, or leave no identifier", async () => {
    await post(t, { email: 'taken@example.com' });
    const c = (await post(t, { email: 'mine@example.com' })).json();
    const clash = await h.app.inject({ method: 'PATCH', url: `/api/contacts/${c.id}`, headers: t.admin, payload: { email: 'Taken@example.com' } });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().error.issues[0].path).toBe('email');
    const empty = await h.app.inject({ method: 'PATCH', url: `/api/contacts/${c.id}`, headers: t.admin, payload: { email: null } });
    expect(empty.statusCode).toBe(400);
    expect((await get(t, `/api/contacts/${c.id}`)).json().email).toBe('mine@example.com');
  });

  it('deletes a contact, then answers 404 for it', async () => {
    const c = (await post(t, { userId: 'u-del' })).json();
    const del = await h.app.inject({ method: 'DELETE', url: `/api/contacts/${c.id}`, headers: t.admin });
    expect(del.statusCode).toBe(204);
    expect((await get(t, `/api/contacts/${c.id}`)).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'DELETE', url: `/api/contacts/${c.id}`, headers: t.admin })).statusCode).toBe(404);
  });

  it("never shows or changes another workspace's contact", async () => {
    const c = (await post(t, { userId: 'u-private', attributes: { secret: 1 } })).json();
    const other = await h.tenant();
    expect((await get(other, `/api/contacts/${c.id}`)).statusCode).toBe(404);
    const patch = await h.app.inject({ method: 'PATCH', url: `/api/contacts/${c.id}`, headers: other.admin, payload: { userId: 'stolen' } });
    expect(patch.statusCode).toBe(404);
    expect((await h.app.inject({ method: 'DELETE', url: `/api/contacts/${c.id}`, headers: other.admin })).statusCode).toBe(404);
    expect((await get(other, '/api/contacts?userId=u-private')).json().data).toEqual([]);
    expect((await get(t, `/api/contacts/${c.id}`)).json().userId).toBe('u-private');
  });

  it('needs an admin key: a write key gets 403 and no key 401', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/api/contacts', headers: t.write })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'POST', url: '/api/contacts', headers: t.write, payload: { userId: 'x' } })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: '/api/contacts' })).statusCode).toBe(401);
  });

  it('pagination walks every contact exactly once under a small limit', async () => {
    const tenant = await h.tenant();
    const created: string[] = [];
    for (let i = 0; i < 23; i++) created.push((await post(tenant, { userId: `walk-${i}` })).json().id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(tenant, `/api/contacts?limit=5${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const page = res.json();
      expect(page.data.length).toBeLessThanOrEqual(5);
      seen.push(...page.data.map((c: { id: string }) => c.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...created].sort());
  });

  it('rejects a forged cursor, an unknown parameter and a limit over 1000 with their path', async () => {
    const bad = await get(t, '/api/contacts?cursor=bm9wZQ');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues[0].path).toBe('querystring.cursor');
    const unknown = await get(t, '/api/contacts?plan=pro');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.issues[0].path).toBe('querystring.plan');
    const when = await get(t, '/api/contacts?createdAfter=yesterday');
    expect(when.statusCode).toBe(400);
    expect(when.json().error.issues[0].path).toBe('querystring.createdAfter');
    const big = await get(t, '/api/contacts?limit=1001');
    expect(big.statusCode).toBe(400);
    expect(big.json().error.issues[0].path).toBe('querystring.limit');
  });

  it('filters by email, userId, creation time, attributes and list membership', async () => {
    const tenant = await h.tenant();
    const start = h.clock.now();
    const a = (await post(tenant, { userId: 'fa', email: 'fa@example.com', attributes: { plan: 'pro', seats: 5, vip: true, 'a.b': 'dotted' } })).json();
    h.clock.advance(60_000);
    const b = (await post(tenant, { userId: 'fb', email: 'fb@example.com', attributes: { plan: 'free', seats: 1, vip: false } })).json();
    const ids = async (query: string) => (await get(tenant, `/api/contacts?${query}`)).json().data.map((c: { id: string }) => c.id);
    expect(await ids('email=FA@example.com')).toEqual([a.id]);
    expect(await ids('userId=fb')).toEqual([b.id]);
    expect(await ids(`createdAfter=${start + 1}`)).toEqual([b.id]);
    expect(await ids(`createdBefore=${new Date(start + 1).toISOString()}`)).toEqual([a.id]);
    expect(await ids('attr.plan=pro')).toEqual([a.id]);
    expect(await ids('attr.seats=1')).toEqual([b.id]);
    expect(await ids('attr.vip=true')).toEqual([a.id]);
    expect(await ids('attr.vip=false&attr.plan=free')).toEqual([b.id]);
    expect(await ids('attr.plan=pro&attr.seats=1')).toEqual([]);
    expect(await ids('attr.a.b=dotted')).toEqual([a.id]);

    const now = h.clock.now();
    await h.deps.store.db
      .insertInto('lists')
      .values({ id: 'lst_filter', workspace_id: tenant.workspaceId, name: 'filter', description: null, double_opt_in: 0, created_at: now, updated_at: now })
      .execute();
    await h.deps.store.db
      .insertInto('list_memberships')
      .values({ list_id: 'lst_filter', contact_id: b.id, workspace_id: tenant.workspaceId, status: 'subscribed', source: null, created_at: now, updated_at: now })
      .execute();
    expect(await ids('listId=lst_filter')).toEqual([b.id]);
    expect((await get(t, '/api/contacts?listId=lst_filter')).statusCode).toBe(404);
  });

  it('emits contact_created, contact_updated with the changed keys, and contact_deleted', async () => {
    const seen = recordSignals();
    const c = (await post(t, { userId: 'u-sig', attributes: { a: 1, b: 2 } })).json();
    await h.app.inject({ method: 'PATCH', url: `/api/contacts/${c.id}`, headers: t.admin, payload: { locale: 'fr', attributes: { a: 1, b: null, c: 3 } } });
    // A patch that changes nothing emits nothing.
    await h.app.inject({ method: 'PATCH', url: `/api/contacts/${c.id}`, headers: t.admin, payload: { locale: 'fr' } });
    await h.app.inject({ method: 'DELETE', url: `/api/contacts/${c.id}`, headers: t.admin });
    const base = { workspaceId: t.workspaceId, contactId: c.id };
    expect(seen).toEqual([
      { kind: 'contact_created', ...base },
      { kind: 'contact_updated', ...base, changed: ['locale', 'attributes.b', 'attributes.c'] },
      { kind: 'contact_deleted', ...base },
    ]);
  });

  it('a failing signal sink rolls the change back: signals are in the same transaction', async () => {
    tap.listen(() => {
      throw new Error('sink down');
    });
    const res = await post(t, { userId: 'u-rollback' });
    expect(res.statusCode).toBe(500);
    const row = await h.deps.store.db.selectFrom('contacts').select('id').where('user_id', '=', 'u-rollback').executeTakeFirst();
    expect(row).toBeUndefined();
  });

  it('stores attributes as JSON both backends read back identically', async () => {
    const c = (await post(t, { userId: 'u-json', attributes: { nested: { x: [1, 'two', null] }, n: 1.5 } })).json();
    const row = await h.deps.store.db.selectFrom('contacts').select('attributes').where('id', '=', c.id).executeTakeFirstOrThrow();
    expect(toJson(typeof row.attributes === 'string' ? JSON.parse(row.attributes) : row.attributes)).toBe(toJson(c.attributes));
  });

  it('lists its endpoints and schemas in the OpenAPI document', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths['/api/contacts'])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(doc.paths['/api/contacts/{id}'])).toEqual(expect.arrayContaining(['get', 'patch', 'delete']));
    expect(doc.paths['/api/contacts'].post.responses['201']).toBeDefined();
    expect(doc.paths['/api/contacts'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['limit', 'cursor', 'listId', 'createdAfter']));
  });
});
