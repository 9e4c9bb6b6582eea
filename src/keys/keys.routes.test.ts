import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';

describe.each(backends())('keys API on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  const create = (payload: object, tenant: Tenant = t) => h.app.inject({ method: 'POST', url: '/api/keys', headers: tenant.admin, payload });
  const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

  it('creates a key whose secret works at once and is shown only at creation', async () => {
    const res = await create({ kind: 'admin', name: 'ci' });
    expect(res.statusCode).toBe(201);
    const key = res.json();
    expect(key).toMatchObject({ kind: 'admin', name: 'ci', revokedAt: null, createdAt: h.clock.now() });
    expect(key.secret.startsWith(key.prefix)).toBe(true);
    expect((await h.app.inject({ method: 'GET', url: '/api/contacts', headers: bearer(key.secret) })).statusCode).toBe(200);

    const list = await h.app.inject({ method: 'GET', url: '/api/keys', headers: t.admin });
    expect(list.statusCode).toBe(200);
    const listed = list.json().data.find((k: { id: string }) => k.id === key.id);
    const { secret, ...withoutSecret } = key;
    // It was used once since (the GET above), which is now its "last used" (./last-used.test.ts).
    expect(listed).toEqual({ ...withoutSecret, lastUsedAt: h.clock.now() });
    expect(list.body).not.toContain(secret);
    for (const k of list.json().data) expect(Object.keys(k).sort()).toEqual(['allowedOrigins', 'createdAt', 'id', 'kind', 'lastUsedAt', 'name', 'prefix', 'revokedAt']);
  });

  it('a revoked key gets 401 on its very next request, by POST …/revoke or DELETE', async () => {
    for (const how of ['post', 'delete'] as const) {
      const key = (await create({ kind: 'admin' })).json();
      const headers = bearer(key.secret);
      expect((await h.app.inject({ method: 'GET', url: '/api/keys', headers })).statusCode).toBe(200);
      h.clock.advance(10);
      const revoked =
        how === 'post'
          ? await h.app.inject({ method: 'POST', url: `/api/keys/${key.id}/revoke`, headers: t.admin })
          : await h.app.inject({ method: 'DELETE', url: `/api/keys/${key.id}`, headers: t.admin });
      expect(revoked.statusCode).toBe(200);
      expect(revoked.json().revokedAt).toBe(h.clock.now());
      const after = await h.app.inject({ method: 'GET', url: '/api/keys', headers });
      expect(after.statusCode).toBe(401);
      // Revoking again keeps the first time.
      h.clock.advance(10);
      const again = await h.app.inject({ method: 'POST', url: `/api/keys/${key.id}/revoke`, headers: t.admin });
      expect(again.json().revokedAt).toBe(revoked.json().revokedAt);
    }
  });

  it('a write key created here reaches ingestion only: 403 on the admin API', async () => {
    const key = (await create({ kind: 'write', name: 'site' })).json();
    expect(key.secret).toMatch(/^qw_/);
    expect((await h.app.inject({ method: 'GET', url: '/api/keys', headers: bearer(key.secret) })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'POST', url: '/api/keys', headers: t.write, payload: { kind: 'admin' } })).statusCode).toBe(403);
  });

  it('validates the kind with its path', async () => {
    const res = await create({ kind: 'root', name: '' });
    expect(res.statusCode).toBe(400);
    expect(
      res
        .json()
        .error.issues.map((i: { path: string }) => i.path)
        .sort(),
    ).toEqual(['body.kind', 'body.name']);
  });

  it("never lists or revokes another workspace's keys", async () => {
    const other = await h.tenant();
    const theirs = (await create({ kind: 'admin' }, other)).json();
    const mine = (await h.app.inject({ method: 'GET', url: '/api/keys', headers: t.admin })).json().data;
    expect(mine.map((k: { id: string }) => k.id)).not.toContain(theirs.id);
    expect((await h.app.inject({ method: 'POST', url: `/api/keys/${theirs.id}/revoke`, headers: t.admin })).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'DELETE', url: `/api/keys/${theirs.id}`, headers: t.admin })).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: '/api/keys', headers: bearer(theirs.secret) })).statusCode).toBe(200);
  });

  it('the last live admin key of a workspace cannot be revoked (409), and nothing changes', async () => {
    const solo = await h.tenant();
    const keys = (await h.app.inject({ method: 'GET', url: '/api/keys', headers: solo.admin })).json().data as { id: string; kind: string }[];
    const admin = keys.find((k) => k.kind === 'admin')!;
    const res = await h.app.inject({ method: 'POST', url: `/api/keys/${admin.id}/revoke`, headers: solo.admin });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/last admin key/);
    expect((await h.app.inject({ method: 'GET', url: '/api/keys', headers: solo.admin })).statusCode).toBe(200);
    // With a second admin key, the first can go; then the second is the last one.
    const second = (await create({ kind: 'admin', name: 'spare' }, solo)).json();
    expect((await h.app.inject({ method: 'DELETE', url: `/api/keys/${admin.id}`, headers: bearer(second.secret) })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'DELETE', url: `/api/keys/${second.id}`, headers: bearer(second.secret) })).statusCode).toBe(409);
    expect((await h.app.inject({ method: 'GET', url: '/api/keys', headers: bearer(second.secret) })).statusCode).toBe(200);
  });

  it("sets a write key's browser origins at creation and by PATCH, normalised, and clears them with null", async () => {
    const key = (await create({ kind: 'write', name: 'shop', allowedOrigins: ['HTTPS://Shop.Example.com:443', 'https://*.example.org', 'https://shop.example.com'] })).json();
    expect(key.allowedOrigins).toEqual(['https://shop.example.com', 'https://*.example.org']);
    const patch = (payload: object, id = key.id) => h.app.inject({ method: 'PATCH', url: `/api/keys/${id}`, headers: t.admin, payload });
    const set = await patch({ allowedOrigins: ['http://127.0.0.1:8080'] });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().allowedOrigins).toEqual(['http://127.0.0.1:8080']);
    const listed = (await h.app.inject({ method: 'GET', url: '/api/keys', headers: t.admin })).json().data.find((k: { id: string }) => k.id === key.id);
    expect(listed.allowedOrigins).toEqual(['http://127.0.0.1:8080']);
    expect((await patch({ allowedOrigins: [] })).json().allowedOrigins).toBeNull();
    expect((await patch({ allowedOrigins: ['https://a.example.com'] })).json().allowedOrigins).toEqual(['https://a.example.com']);
    expect((await patch({})).json().allowedOrigins).toEqual(['https://a.example.com']);
    expect((await patch({ allowedOrigins: null })).json().allowedOrigins).toBeNull();
  });

  it('refuses origins that are not origins, naming the entry, and origins on admin keys, changing nothing', async () => {
    const key = (await create({ kind: 'write', allowedOrigins: ['https://keep.example.com'] })).json();
    const patch = (payload: object, id = key.id) => h.app.inject({ method: 'PATCH', url: `/api/keys/${id}`, headers: t.admin, payload });
    for (const bad of [
      'https://shop.example.com/path',
      'shop.example.com',
      'ftp://x.example.com',
      'https://*.com',
      'https://a.*.example.com',
      'https://x.example.com:99999',
      '*',
      'https://exa mple.com',
    ]) {
      const res = await patch({ allowedOrigins: ['https://fine.example.com', bad] });
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().error.issues[0].path, bad).toBe('allowedOrigins.1');
    }
    expect((await patch({ allowedOrigins: Array.from({ length: 101 }, (_, i) => `https://s${i}.example.com`) })).statusCode).toBe(400);
    expect((await patch({ allowedOrigins: 'https://a.example.com' })).statusCode).toBe(400);
    expect((await patch({ allowedOrigins: ['https://a.example.com'], kind: 'admin' })).statusCode).toBe(400);
    const admin = await create({ kind: 'admin', allowedOrigins: ['https://a.example.com'] });
    expect(admin.statusCode).toBe(400);
    expect(admin.json().error.message).toMatch(/admin keys never work from browsers/);
    const adminId = (await create({ kind: 'admin' })).json().id;
    expect((await patch({ allowedOrigins: ['https://a.example.com'] }, adminId)).statusCode).toBe(400);
    const other = await h.tenant();
    const theirs = (await create({ kind: 'write' }, other)).json();
    expect((await patch({ allowedOrigins: ['https://a.example.com'] }, theirs.id)).statusCode).toBe(404);
    const listed = (await h.app.inject({ method: 'GET', url: '/api/keys', headers: t.admin })).json().data.find((k: { id: string }) => k.id === key.id);
    expect(listed.allowedOrigins).toEqual(['https://keep.example.com']);
  });

  it('lists its endpoints in the OpenAPI document without exposing hashes', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths['/api/keys'])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(doc.paths['/api/keys/{id}/revoke'].post).toBeDefined();
    expect(doc.paths['/api/keys/{id}'].delete).toBeDefined();
    expect(doc.paths['/api/keys/{id}'].patch).toBeDefined();
    expect(JSON.stringify(doc.paths['/api/keys'])).not.toContain('hash');
  });
});
