import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';

describe.each(backends())('lists API on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  const req = (tenant: Tenant, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => h.app.inject({ method, url, headers: tenant.admin, ...(payload ? { payload } : {}) });

  it('creates, reads, updates and deletes a list', async () => {
    const created = await req(t, 'POST', '/api/lists', { name: 'Newsletter', description: 'Weekly', doubleOptIn: true });
    expect(created.statusCode).toBe(201);
    const list = created.json();
    expect(list).toMatchObject({ name: 'Newsletter', description: 'Weekly', doubleOptIn: true, createdAt: h.clock.now() });
    expect(list.id).toMatch(/^lst_/);
    expect((await req(t, 'GET', `/api/lists/${list.id}`)).json()).toEqual(list);

    h.clock.advance(5);
    const patched = await req(t, 'PATCH', `/api/lists/${list.id}`, { name: 'Weekly news', description: null, doubleOptIn: false });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ name: 'Weekly news', description: null, doubleOptIn: false, updatedAt: list.createdAt + 5 });

    expect((await req(t, 'DELETE', `/api/lists/${list.id}`)).statusCode).toBe(204);
    expect((await req(t, 'GET', `/api/lists/${list.id}`)).statusCode).toBe(404);
    expect((await req(t, 'DELETE', `/api/lists/${list.id}`)).statusCode).toBe(404);
  });

  it('answers 409 on name when a list of that name exists, on create and on rename', async () => {
    await req(t, 'POST', '/api/lists', { name: 'Taken' });
    const dup = await req(t, 'POST', '/api/lists', { name: 'Taken' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.issues).toEqual([{ path: 'name', message: expect.stringContaining('Taken') }]);
    const other = (await req(t, 'POST', '/api/lists', { name: 'Other' })).json();
    const rename = await req(t, 'PATCH', `/api/lists/${other.id}`, { name: 'Taken' });
    expect(rename.statusCode).toBe(409);
    expect(rename.json().error.issues[0].path).toBe('name');
    // Names are per workspace.
    expect((await req(await h.tenant(), 'POST', '/api/lists', { name: 'Taken' })).statusCode).toBe(201);
  });

  it('rejects a missing or empty name with its path', async () => {
    const res = await req(t, 'POST', '/api/lists', { name: '  ', doubleOptIn: 'yes' });
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .error.issues.map((i: { path: string }) => i.path)
        .sort(),
    ).toEqual(['body.doubleOptIn', 'body.name']);
  });

  it("pages through lists exactly once each and hides other workspaces' lists", async () => {
    const tenant = await h.tenant();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await req(tenant, 'POST', '/api/lists', { name: `L${i}` })).json().id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: { id: string }[]; nextCursor: string | null } = (await req(tenant, 'GET', `/api/lists?limit=3${cursor ? `&cursor=${cursor}` : ''}`)).json();
      seen.push(...page.data.map((l) => l.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].sort());
    const outsider = await h.tenant();
    expect((await req(outsider, 'GET', '/api/lists')).json().data).toEqual([]);
    expect((await req(outsider, 'GET', `/api/lists/${ids[0]}`)).statusCode).toBe(404);
    expect((await req(outsider, 'PATCH', `/api/lists/${ids[0]}`, { name: 'x' })).statusCode).toBe(404);
    expect((await req(outsider, 'DELETE', `/api/lists/${ids[0]}`)).statusCode).toBe(404);
  });

  it('gives a write key 403', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/api/lists', headers: t.write })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'POST', url: '/api/lists', headers: t.write, payload: { name: 'w' } })).statusCode).toBe(403);
  });

  it('lists its endpoints in the OpenAPI document', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths['/api/lists'])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(doc.paths['/api/lists/{id}'])).toEqual(expect.arrayContaining(['get', 'patch', 'delete']));
    expect(Object.keys(doc.paths['/api/lists/{id}/members'])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(doc.paths['/api/lists/{id}/members/{contactId}'])).toEqual(expect.arrayContaining(['patch', 'delete']));
    expect(doc.paths['/api/contacts/{id}/lists'].get).toBeDefined();
  });
});
