import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../test/harness.js';
import type { App } from '../../api/deps.js';
import { providersApp } from './test-kit.js';

describe.each(backends())('channel providers API on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let app: App;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    app = await providersApp(h.deps);
  });
  afterAll(async () => {
    await app?.close();
    await h?.close();
  });
  const url = '/api/channels/sms/providers';

  it('creates, lists, reads, changes and deletes a provider; secrets only ever appear as <name>Set flags', async () => {
    const created = await app.inject({
      method: 'POST',
      url,
      headers: t.admin,
      payload: { kind: 'fake', name: 'Main', priority: 2, settings: { url: 'https://sms.example' }, secrets: { token: 'token-PLAINTEXT' } },
    });
    expect(created.statusCode).toBe(201);
    const p = created.json();
    expect(p).toMatchObject({ channel: 'sms', kind: 'fake', name: 'Main', priority: 2, settings: { url: 'https://sms.example' }, secrets: { tokenSet: true, passwordSet: false } });
    const listed = await app.inject({ method: 'GET', url, headers: t.admin });
    const one = await app.inject({ method: 'GET', url: `${url}/${p.id}`, headers: t.admin });
    const patched = await app.inject({ method: 'PATCH', url: `${url}/${p.id}`, headers: t.admin, payload: { name: 'Renamed', secrets: { password: 'pw-PLAINTEXT' } } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ name: 'Renamed', secrets: { tokenSet: true, passwordSet: true } });
    expect(listed.json().data).toHaveLength(1);
    expect(one.json()).toMatchObject({ id: p.id, secrets: { tokenSet: true } });
    for (const r of [created, listed, one, patched]) expect(r.body).not.toContain('PLAINTEXT');
    const gone = await app.inject({ method: 'DELETE', url: `${url}/${p.id}`, headers: t.admin });
    expect(gone.statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: `${url}/${p.id}`, headers: t.admin })).statusCode).toBe(404);
  });

  it('bad input is a 400 with the field path, never a half-applied change', async () => {
    const bad = [
      [{ kind: 'fake', name: 'x', settings: { url: 'nope' }, secrets: { token: 'token-123456' } }, 'body.settings.url'],
      [{ kind: 'fake', name: 'x', settings: { url: 'https://x.example' }, secrets: { token: 'short' } }, 'body.secrets.token'],
      [{ kind: 'fake', name: 'x', settings: { url: 'https://x.example' } }, 'body.secrets.token'],
      [{ kind: 'twilio', name: 'x', settings: {} }, 'body.kind'],
      [{ kind: 'fake', name: '', settings: {} }, 'body.name'],
      [{ kind: 'fake', name: 'x', settings: 'url' }, 'body.settings'],
      [{ kind: 'fake', name: 'x', settings: {}, secrets: { token: 42 } }, 'body.secrets.token'],
      [{ kind: 'fake', name: 'x', settings: {}, priority: -1 }, 'body.priority'],
    ] as const;
    for (const [payload, path] of bad) {
      const res = await app.inject({ method: 'POST', url, headers: t.admin, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.issues.map((i: { path: string }) => i.path)).toContain(path);
    }
    expect((await app.inject({ method: 'GET', url, headers: t.admin })).json().data).toEqual([]);

    const p = (await app.inject({ method: 'POST', url, headers: t.admin, payload: { kind: 'fake', name: 'keep', settings: { url: 'https://k.example' }, secrets: { token: 'token-123456' } } })).json();
    const refused = await app.inject({ method: 'PATCH', url: `${url}/${p.id}`, headers: t.admin, payload: { name: 'changed', secrets: { token: null } } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.issues[0].path).toBe('body.secrets.token');
    expect((await app.inject({ method: 'GET', url: `${url}/${p.id}`, headers: t.admin })).json()).toMatchObject({ name: 'keep', secrets: { tokenSet: true } });
    const kindChange = await app.inject({ method: 'PATCH', url: `${url}/${p.id}`, headers: t.admin, payload: { kind: 'other' } });
    expect(kindChange.statusCode).toBe(400);
    // Hostile keys: refused or ignored, never a crash or a polluted object.
    for (const body of [
      '{"kind":"fake","name":"x","settings":{"url":"https://x.example"},"secrets":{"token":"token-123456","__proto__":"x"}}',
      '{"kind":"fake","name":"x","settings":{"url":"https://x.example","__proto__":{"admin":true}},"secrets":{"token":"token-123456"}}',
    ]) {
      const res = await app.inject({ method: 'POST', url, headers: { ...t.admin, 'content-type': 'application/json' }, payload: body });
      expect(res.statusCode, res.body).toBeLessThan(500);
    }
    const hostilePatch = await app.inject({
      method: 'PATCH',
      url: `${url}/${p.id}`,
      headers: { ...t.admin, 'content-type': 'application/json' },
      payload: '{"secrets":{"__proto__":null,"constructor":"x"}}',
    });
    expect(hostilePatch.statusCode, hostilePatch.body).toBeLessThan(500);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('unknown channel or provider is a 404; another workspace cannot see or touch it; a write key is refused', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/channels/fax/providers', headers: t.admin })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/api/channels/fax/providers', headers: t.admin, payload: { kind: 'fake', name: 'x', settings: {} } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/channels/BAD!/providers', headers: t.admin })).statusCode).toBe(400);
    const p = (await app.inject({ method: 'POST', url, headers: t.admin, payload: { kind: 'fake', name: 'mine', settings: { url: 'https://m.example' }, secrets: { token: 'token-123456' } } })).json();
    const other = await h.tenant();
    for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
      const res = await app.inject({ method, url: `${url}/${p.id}`, headers: other.admin, ...(method === 'PATCH' ? { payload: { name: 'stolen' } } : {}) });
      expect(res.statusCode, method).toBe(404);
    }
    expect((await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${t.writeKey}` } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'GET', url })).statusCode).toBe(401);
  });

  it('the registered app serves the routes and documents them in OpenAPI', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/channels/{channel}/providers', '/api/channels/{channel}/providers/{id}']));
    // No kinds are registered for "fax": not found, not a crash.
    expect((await h.app.inject({ method: 'GET', url: '/api/channels/fax/providers', headers: t.admin })).statusCode).toBe(404);
  });
});
