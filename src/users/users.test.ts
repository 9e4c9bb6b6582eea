import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { ownerSetupLink } from './owner.js';

const PASSWORD = 'correct horse battery';

/** A signed-in browser: its cookie and CSRF token. */
interface Browser {
  cookie: string;
  csrf: string;
  role: string;
}

function cookieOf(setCookie: string | string[] | undefined): string {
  const line = Array.isArray(setCookie) ? setCookie[0]! : setCookie!;
  return line.split(';')[0]!;
}

describe.each(backends())('users, sessions and roles on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let owner: Browser;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    const link = await ownerSetupLink(h.deps, t.workspaceId, 'http://q.example');
    const token = new URL(link!).hash.replace('#token=', '');
    const res = await h.app.inject({ method: 'POST', url: '/api/auth/setup', payload: { token, email: `Owner-${kind}@Example.com`, password: PASSWORD } });
    expect(res.statusCode).toBe(201);
    owner = { cookie: cookieOf(res.headers['set-cookie']), csrf: res.json().csrfToken, role: res.json().role };
  });
  afterAll(async () => h?.close());

  const as = (b: Browser, withCsrf = true) => ({ cookie: b.cookie, ...(withCsrf ? { 'x-csrf-token': b.csrf } : {}) });
  const login = (email: string, password: string, ip = '10.0.0.1') => h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password }, remoteAddress: ip });
  const invite = async (role: string, email: string): Promise<Browser> => {
    const res = await h.app.inject({ method: 'POST', url: '/api/users/invites', headers: as(owner), payload: { email, role } });
    expect(res.statusCode).toBe(201);
    const token = new URL(res.json().setupUrl).hash.replace('#token=', '');
    const done = await h.app.inject({ method: 'POST', url: '/api/auth/setup', payload: { token, password: PASSWORD } });
    expect(done.statusCode).toBe(201);
    return { cookie: cookieOf(done.headers['set-cookie']), csrf: done.json().csrfToken, role: done.json().role };
  };

  it('the first start link makes an owner once; the session cookie is HttpOnly and SameSite=Lax', async () => {
    expect(owner.role).toBe('owner');
    expect(await ownerSetupLink(h.deps, t.workspaceId, 'http://q.example')).toBeNull();
    const res = await login(`owner-${kind}@example.com`, PASSWORD);
    expect(res.statusCode).toBe(200);
    expect(String(res.headers['set-cookie'])).toMatch(/^qatra_session=[\w-]{40,}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/);
    const stored = await h.deps.store.db.selectFrom('users').select('password_hash').where('email', '=', `owner-${kind}@example.com`).executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(stored.password_hash).not.toContain(PASSWORD);
  });

  it('while no one has claimed a workspace, each start replaces the owner link with a fresh one', async () => {
    const t2 = await h.tenant();
    const first = new URL((await ownerSetupLink(h.deps, t2.workspaceId, 'http://q.example'))!).hash.replace('#token=', '');
    const second = new URL((await ownerSetupLink(h.deps, t2.workspaceId, 'http://q.example'))!).hash.replace('#token=', '');
    expect(second).not.toBe(first);
    expect((await h.app.inject({ method: 'POST', url: '/api/auth/setup/inspect', payload: { token: first } })).statusCode).toBe(404);
    const inspect = await h.app.inject({ method: 'POST', url: '/api/auth/setup/inspect', payload: { token: second } });
    expect(inspect.json()).toEqual({ role: 'owner', email: null });
    const short = await h.app.inject({ method: 'POST', url: '/api/auth/setup', payload: { token: second, email: `o2-${kind}@example.com`, password: 'short' } });
    expect(short.statusCode).toBe(400);
    expect(short.json().error.issues[0].path).toBe('password');
  });

  it('a setup link works once', async () => {
    const res = await h.app.inject({ method: 'POST', url: '/api/users/invites', headers: as(owner), payload: { email: `once-${kind}@example.com`, role: 'viewer' } });
    const token = new URL(res.json().setupUrl).hash.replace('#token=', '');
    expect((await h.app.inject({ method: 'POST', url: '/api/auth/setup', payload: { token, password: PASSWORD } })).statusCode).toBe(201);
    expect((await h.app.inject({ method: 'POST', url: '/api/auth/setup', payload: { token, password: PASSWORD } })).statusCode).toBe(404);
  });

  it('a session reaches /api; a write without the CSRF header is refused', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/api/journeys', headers: as(owner, false) })).statusCode).toBe(200);
    const noCsrf = await h.app.inject({ method: 'POST', url: '/api/lists', headers: as(owner, false), payload: { name: 'x' } });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error.message).toMatch(/x-csrf-token/);
    const wrong = await h.app.inject({ method: 'POST', url: '/api/lists', headers: { cookie: owner.cookie, 'x-csrf-token': 'nope' }, payload: { name: 'x' } });
    expect(wrong.statusCode).toBe(403);
    const ok = await h.app.inject({ method: 'POST', url: '/api/lists', headers: as(owner), payload: { name: `news-${kind}` } });
    expect(ok.statusCode).toBe(201);
    expect((await h.app.inject({ method: 'GET', url: '/api/journeys', headers: { cookie: 'qatra_session=forged' } })).statusCode).toBe(401);
  });

  it('a viewer reads and previews but may not change anything', async () => {
    const viewer = await invite('viewer', `viewer-${kind}@example.com`);
    expect(viewer.role).toBe('viewer');
    expect((await h.app.inject({ method: 'GET', url: '/api/journeys', headers: as(viewer) })).statusCode).toBe(200);
    const doc = { id: 'v', name: 'v', trigger: { type: 'manual' }, start: 'e', nodes: [{ id: 'e', type: 'exit' }], edges: [] };
    expect((await h.app.inject({ method: 'POST', url: '/api/journeys/validate', headers: as(viewer), payload: doc })).statusCode).toBe(200);
    const put = await h.app.inject({ method: 'PUT', url: '/api/journeys/v', headers: as(viewer), payload: doc });
    expect(put.statusCode).toBe(403);
    expect(put.json().error.message).toMatch(/viewer/);
    expect((await h.app.inject({ method: 'PUT', url: '/api/journeys/v', headers: as(owner), payload: doc })).statusCode).toBe(201);
  });

  it('an editor changes journeys but not keys or users', async () => {
    const editor = await invite('editor', `editor-${kind}@example.com`);
    const doc = { id: 'ed', name: 'ed', trigger: { type: 'manual' }, start: 'e', nodes: [{ id: 'e', type: 'exit' }], edges: [] };
    expect((await h.app.inject({ method: 'PUT', url: '/api/journeys/ed', headers: as(editor), payload: doc })).statusCode).toBe(201);
    expect((await h.app.inject({ method: 'POST', url: '/api/keys', headers: as(editor), payload: { kind: 'admin' } })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'POST', url: '/api/users/invites', headers: as(editor), payload: { email: 'x@example.com', role: 'admin' } })).statusCode).toBe(403);
  });

  it('a changed role applies to existing sessions at once; an admin cannot make owners', async () => {
    const admin = await invite('admin', `admin-${kind}@example.com`);
    const members = (await h.app.inject({ method: 'GET', url: '/api/users', headers: as(owner) })).json().data as { id: string; email: string }[];
    const adminId = members.find((m) => m.email === `admin-${kind}@example.com`)!.id;
    const ownerId = members.find((m) => m.email === `owner-${kind}@example.com`)!.id;
    expect((await h.app.inject({ method: 'PATCH', url: `/api/users/${adminId}`, headers: as(admin), payload: { role: 'owner' } })).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'PATCH', url: `/api/users/${ownerId}`, headers: as(owner), payload: { role: 'viewer' } })).statusCode).toBe(409);
    expect((await h.app.inject({ method: 'PATCH', url: `/api/users/${adminId}`, headers: as(owner), payload: { role: 'viewer' } })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'POST', url: '/api/lists', headers: as(admin), payload: { name: 'y' } })).statusCode).toBe(403);
  });

  it("signing out everywhere ends the other browsers' sessions", async () => {
    const email = `owner-${kind}@example.com`;
    const a = await login(email, PASSWORD);
    const b = await login(email, PASSWORD);
    const first: Browser = { cookie: cookieOf(a.headers['set-cookie']), csrf: a.json().csrfToken, role: 'owner' };
    const second: Browser = { cookie: cookieOf(b.headers['set-cookie']), csrf: b.json().csrfToken, role: 'owner' };
    expect((await h.app.inject({ method: 'POST', url: '/api/auth/logout-all', headers: as(first, false) })).statusCode).toBe(403);
    const out = await h.app.inject({ method: 'POST', url: '/api/auth/logout-all', headers: as(first) });
    expect(out.statusCode).toBe(200);
    expect(out.json().ended).toBeGreaterThanOrEqual(2);
    expect((await h.app.inject({ method: 'GET', url: '/api/auth/session', headers: as(second) })).statusCode).toBe(401);
    expect((await h.app.inject({ method: 'GET', url: '/api/journeys', headers: as(first) })).statusCode).toBe(401);
    const again = await login(email, PASSWORD);
    owner = { cookie: cookieOf(again.headers['set-cookie']), csrf: again.json().csrfToken, role: 'owner' };
  });

  it('an unknown address answers exactly like a wrong password (the limits are in login.test.ts)', async () => {
    const wrong = await login(`owner-${kind}@example.com`, 'wrong password', '10.1.0.1');
    const unknown = await login(`nobody-${kind}@example.com`, PASSWORD, '10.1.0.2');
    expect([wrong.statusCode, unknown.statusCode]).toEqual([401, 401]);
    expect(unknown.json()).toEqual(wrong.json());
    expect(unknown.json().error.message).toBe('wrong email or password');
  });
});
