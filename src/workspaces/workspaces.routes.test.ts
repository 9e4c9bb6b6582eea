/**
 * Workspaces management over the API: a person in several workspaces with different roles, owners
 * create, rename and archive, others may not, the session switches workspace without a new sign-in,
 * an invitation into a second workspace joins the existing account, and keys stay in their workspace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { ownerSetupLink } from '../users/owner.js';

const PASSWORD = 'correct horse battery';

interface Browser {
  cookie: string;
  'x-csrf-token': string;
}

function cookieOf(setCookie: string | string[] | undefined): string {
  const line = Array.isArray(setCookie) ? setCookie[0]! : setCookie!;
  return line.split(';')[0]!;
}

describe.each(backends())('workspaces management on %s', (kind) => {
  let h: Harness;
  let a: Tenant;
  let owner: Browser;
  beforeAll(async () => {
    h = await createHarness(kind);
    a = await h.tenant();
    const link = await ownerSetupLink(h.deps, a.workspaceId, 'http://q.example');
    const token = new URL(link!).hash.replace('#token=', '');
    const res = await h.app.inject({ method: 'POST', url: '/api/auth/setup', payload: { token, email: `owner-${kind}@example.com`, name: 'Owner', password: PASSWORD } });
    expect(res.statusCode).toBe(201);
    owner = { cookie: cookieOf(res.headers['set-cookie']), 'x-csrf-token': res.json().csrfToken };
  });
  afterAll(async () => h?.close());

  const call = (headers: object, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: headers as Record<string, string>, ...(payload ? { payload } : {}) });
  /** Invites `email` into the workspace `by` is in, and accepts with `password` (an existing account's, for a second workspace). */
  const inviteAndJoin = async (by: Browser, email: string, role: string, password = PASSWORD) => {
    const inv = await call(by, 'POST', '/api/users/invites', { email, role });
    expect(inv.statusCode, inv.body).toBe(201);
    const token = new URL(inv.json().setupUrl).hash.replace('#token=', '');
    return h.app.inject({ method: 'POST', url: '/api/auth/setup', payload: { token, password } });
  };
  const browserOf = (res: { headers: Record<string, unknown>; json(): { csrfToken: string } }): Browser => ({
    cookie: cookieOf(res.headers['set-cookie'] as string),
    'x-csrf-token': res.json().csrfToken,
  });
  const list = async (b: Browser) => (await call(b, 'GET', '/api/workspaces')).json().data as Array<{ id: string; name: string; role: string; archivedAt: number | null }>;

  it('an owner creates a workspace and becomes its owner; bad input is a 400 naming the field, and nothing is created', async () => {
    const before = await list(owner);
    for (const [payload, path] of [
      [{ name: '' }, 'body.name'],
      [{ name: '   ' }, 'body.name'],
      [{ name: 'two\nlines' }, 'body.name'],
      [{ name: 'x'.repeat(101) }, 'body.name'],
      [{ name: 42 }, 'body.name'],
      [{}, 'body.name'],
      [{ name: 'ok', extra: 1 }, 'body'],
    ] as const) {
      const res = await call(owner, 'POST', '/api/workspaces', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.issues.map((i: { path: string }) => i.path)).toContain(path);
    }
    expect(await list(owner)).toEqual(before);
    const created = await call(owner, 'POST', '/api/workspaces', { name: '  Brand B  ' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ name: 'Brand B', role: 'owner', archivedAt: null, ingestRatePerSecond: null });
    const mine = await list(owner);
    expect(mine.map((w) => [w.id, w.role])).toEqual(
      expect.arrayContaining([
        [a.workspaceId, 'owner'],
        [created.json().id, 'owner'],
      ]),
    );
    // Without the CSRF token: refused.
    expect((await call({ cookie: owner.cookie }, 'POST', '/api/workspaces', { name: 'Forged' })).statusCode).toBe(403);
  });

  it('a viewer of A who owns B sees both with the right roles, may rename and archive B and neither A; an editor may not create or archive', async () => {
    const b = (await call(owner, 'POST', '/api/workspaces', { name: 'Brand C' })).json();
    const joinedA = await inviteAndJoin(owner, `sara-${kind}@example.com`, 'viewer');
    expect(joinedA.statusCode, joinedA.body).toBe(201);
    let sara = browserOf(joinedA);

    // The owner switches to B and invites the same address as owner: it joins her existing account.
    const switched = await call(owner, 'POST', '/api/auth/workspace', { workspaceId: b.id });
    expect(switched.statusCode, switched.body).toBe(200);
    expect(switched.json()).toMatchObject({ workspace: { id: b.id, name: 'Brand C' }, role: 'owner' });
    const wrongPassword = await inviteAndJoin(owner, `sara-${kind}@example.com`, 'owner', 'not her password');
    expect(wrongPassword.statusCode).toBe(401);
    const invites = (await call(owner, 'GET', '/api/users/invites')).json().data as Array<{ id: string; email: string }>;
    for (const i of invites) await call(owner, 'DELETE' as 'POST', `/api/users/invites/${i.id}`);
    const joinedB = await inviteAndJoin(owner, `Sara-${kind}@example.com`, 'owner');
    expect(joinedB.statusCode, joinedB.body).toBe(201);
    expect(joinedB.json()).toMatchObject({ workspace: { id: b.id }, role: 'owner', user: { email: `sara-${kind}@example.com` } });
    expect(await h.deps.store.db.selectFrom('users').select('id').where('email', '=', `sara-${kind}@example.com`).execute()).toHaveLength(1);
    sara = browserOf(joinedB);
    await call(owner, 'POST', '/api/auth/workspace', { workspaceId: a.workspaceId });

    // Sara's session is in B now; her list shows both workspaces with her role in each.
    const saras = await list(sara);
    expect(saras.map((w) => [w.id, w.role]).sort()).toEqual(
      [
        [a.workspaceId, 'viewer'],
        [b.id, 'owner'],
      ].sort(),
    );
    // Renaming A (where she is a viewer) is refused; B is hers.
    expect((await call(sara, 'PATCH', `/api/workspaces/${a.workspaceId}`, { name: 'Taken' })).statusCode).toBe(403);
    expect((await call(sara, 'POST', `/api/workspaces/${a.workspaceId}/archive`)).statusCode).toBe(403);
    const renamed = await call(sara, 'PATCH', `/api/workspaces/${b.id}`, { name: 'Brand C (EU)' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ id: b.id, name: 'Brand C (EU)', role: 'owner' });

    // In A she is a viewer: creating from there is refused.
    expect((await call(sara, 'POST', '/api/auth/workspace', { workspaceId: a.workspaceId })).json()).toMatchObject({ role: 'viewer' });
    expect((await call(sara, 'POST', '/api/workspaces', { name: 'Mine' })).statusCode).toBe(403);

    // An editor of A may neither create nor archive.
    const editor = browserOf(await inviteAndJoin(owner, `ed-${kind}@example.com`, 'editor'));
    const editorCreate = await call(editor, 'POST', '/api/workspaces', { name: 'Editor made' });
    expect(editorCreate.statusCode).toBe(403);
    expect(editorCreate.json().error.message).toMatch(/editor.*owner/);
    expect((await call(editor, 'POST', `/api/workspaces/${a.workspaceId}/archive`)).statusCode).toBe(403);
    expect((await call(editor, 'PATCH', `/api/workspaces/${a.workspaceId}`, { ingestRatePerSecond: 0 })).statusCode).toBe(403);
    expect((await list(owner)).find((w) => w.id === a.workspaceId)!.archivedAt).toBeNull();
    // A workspace she is not a member of is not found, for switching and for managing alike.
    const stranger = await h.tenant();
    expect((await call(editor, 'POST', '/api/auth/workspace', { workspaceId: stranger.workspaceId })).statusCode).toBe(404);
    expect((await call(editor, 'PATCH', `/api/workspaces/${stranger.workspaceId}`, { name: 'x' })).statusCode).toBe(404);
    expect((await call(editor, 'POST', '/api/auth/workspace', { workspaceId: 'ws_missing' })).statusCode).toBe(404);
    expect((await call({ cookie: editor.cookie }, 'POST', '/api/auth/workspace', { workspaceId: a.workspaceId })).statusCode).toBe(403);
  });

  it('switching changes what the same session reads, without signing in again', async () => {
    const b = (await call(owner, 'POST', '/api/workspaces', { name: 'Brand D' })).json();
    const inA = (await call(owner, 'GET', '/api/workspace')).json();
    expect(inA.id).toBe(a.workspaceId);
    const res = await call(owner, 'POST', '/api/auth/workspace', { workspaceId: b.id });
    expect(res.headers['set-cookie']).toBeUndefined(); // the same cookie
    expect((await call(owner, 'GET', '/api/auth/session')).json()).toMatchObject({ workspace: { id: b.id, name: 'Brand D', archivedAt: null }, role: 'owner' });
    expect((await call(owner, 'GET', '/api/workspace')).json().id).toBe(b.id);
    expect((await call(owner, 'GET', '/api/users')).json().data.map((m: { email: string }) => m.email)).toEqual([`owner-${kind}@example.com`]);
    await call(owner, 'POST', '/api/auth/workspace', { workspaceId: a.workspaceId });
    expect((await call(owner, 'GET', '/api/workspace')).json().id).toBe(a.workspaceId);
  });

  it('archiving keeps the data, refuses ingestion with its keys (403), and unarchiving lets it in again', async () => {
    const track = (t: Tenant, id: string) =>
      h.app.inject({ method: 'POST', url: '/v1/track', headers: { 'content-type': 'application/json', ...t.write }, payload: { userId: 'u1', event: 'Seen', messageId: id } });
    const b = await h.tenant();
    // The owner of A becomes a member of b through the database, as an invitation would make him.
    const ownerId = (await h.deps.store.db.selectFrom('users').select('id').where('email', '=', `owner-${kind}@example.com`).executeTakeFirstOrThrow()).id;
    await h.deps.store.db.insertInto('workspace_members').values({ workspace_id: b.workspaceId, user_id: ownerId, role: 'owner', created_at: 0 }).execute();
    expect((await track(b, 'before')).statusCode).toBe(200);
    const archived = await call(owner, 'POST', `/api/workspaces/${b.workspaceId}/archive`);
    expect(archived.statusCode, archived.body).toBe(200);
    expect(archived.json().archivedAt).toBe(h.clock.now());
    const refused = await track(b, 'during');
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toMatch(/archived/);
    // Other workspaces are unaffected; the archived one's data is kept and readable by its admin key.
    expect((await track(a, 'a-during')).statusCode).toBe(200);
    expect((await call(b.admin, 'GET', '/api/contacts')).json().data).toHaveLength(1);
    // Archived workspaces come last in the list, marked.
    const mine = await list(owner);
    expect(mine.at(-1)).toMatchObject({ id: b.workspaceId, archivedAt: h.clock.now() });
    // Archiving twice keeps the first time.
    h.clock.advance(1000);
    expect((await call(owner, 'POST', `/api/workspaces/${b.workspaceId}/archive`)).json().archivedAt).toBe(h.clock.now() - 1000);
    expect((await call(owner, 'POST', `/api/workspaces/${b.workspaceId}/unarchive`)).json().archivedAt).toBeNull();
    expect((await track(b, 'after')).statusCode).toBe(200);
    const ids = await h.deps.store.db.selectFrom('events').select('message_id').where('workspace_id', '=', b.workspaceId).orderBy('message_id').execute();
    expect(ids.map((e) => e.message_id)).toEqual(['after', 'before']);
  });

  it("keys stay in their workspace: A's keys never read or write B, and manage no workspace", async () => {
    const b = await h.tenant();
    const created = await call(b.admin, 'POST', '/api/contacts', { userId: 'only-in-b', email: 'b@example.com' });
    expect(created.statusCode, created.body).toBe(201);
    const bContact = created.json().id as string;
    const other = await h.tenant();
    expect((await call(other.admin, 'GET', `/api/contacts/${bContact}`)).statusCode).toBe(404);
    expect((await call(other.admin, 'PATCH', `/api/contacts/${bContact}`, { attributes: { x: 1 } })).statusCode).toBe(404);
    expect((await call(other.admin, 'GET', '/api/contacts')).json().data).toEqual([]);
    // A write key of `other` naming B's user creates a contact in `other`, never touching B's.
    await h.app.inject({
      method: 'POST',
      url: '/v1/identify',
      headers: { 'content-type': 'application/json', ...other.write },
      payload: { userId: 'only-in-b', traits: { email: 'evil@example.com' } },
    });
    const bRow = await h.deps.store.db.selectFrom('contacts').select(['workspace_id', 'email']).where('id', '=', bContact).executeTakeFirstOrThrow();
    expect(bRow).toEqual({ workspace_id: b.workspaceId, email: 'b@example.com' });
    // Workspace management: a key lists its own workspace only and changes none.
    expect((await list(other.admin as unknown as Browser)).map((w) => [w.id, w.role])).toEqual([[other.workspaceId, null]]);
    expect((await call(other.admin, 'POST', '/api/workspaces', { name: 'By key' })).statusCode).toBe(403);
    expect((await call(other.admin, 'PATCH', `/api/workspaces/${other.workspaceId}`, { name: 'By key' })).statusCode).toBe(403);
    expect((await call(other.admin, 'POST', `/api/workspaces/${b.workspaceId}/archive`)).statusCode).toBe(403);
  });

  it('the ingestion rate is a whole number ≥ 0 or null; anything else is a 400 naming the field', async () => {
    for (const bad of [-1, 1.5, 'ten', '10', true, 2_000_000]) {
      const res = await call(owner, 'PATCH', `/api/workspaces/${a.workspaceId}`, { ingestRatePerSecond: bad });
      expect(res.statusCode, String(bad)).toBe(400);
      expect(res.json().error.issues[0].path).toBe('body.ingestRatePerSecond');
    }
    expect((await call(owner, 'PATCH', `/api/workspaces/${a.workspaceId}`, { ingestRatePerSecond: 50 })).json().ingestRatePerSecond).toBe(50);
    expect((await call(owner, 'PATCH', `/api/workspaces/${a.workspaceId}`, { ingestRatePerSecond: null })).json().ingestRatePerSecond).toBeNull();
    expect((await call(owner, 'PATCH', '/api/workspaces/ws_nope', { name: 'x' })).statusCode).toBe(404);
  });
});
