import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { ownerSetupLink } from './owner.js';

const PASSWORD = 'correct horse battery';

describe.each(backends())('invitations on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let owner: { cookie: string; 'x-csrf-token': string };
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    const link = await ownerSetupLink(h.deps, t.workspaceId, 'http://q.example');
    const token = new URL(link!).hash.replace('#token=', '');
    const res = await h.app.inject({ method: 'POST', url: '/api/auth/setup', payload: { token, email: `owner-${kind}@example.com`, name: 'Layla Haddad', password: PASSWORD } });
    const setCookie = res.headers['set-cookie'];
    owner = { cookie: String(Array.isArray(setCookie) ? setCookie[0] : setCookie).split(';')[0]!, 'x-csrf-token': res.json().csrfToken };
  });
  afterAll(async () => h?.close());

  const invite = (email: string, role = 'editor') => h.app.inject({ method: 'POST', url: '/api/users/invites', headers: owner, payload: { email, role } });
  const pending = async () => (await h.app.inject({ method: 'GET', url: '/api/users/invites', headers: owner })).json().data as Array<{ id: string; email: string; role: string }>;
  const mailTo = (address: string) => h.deps.store.db.selectFrom('outbox').selectAll().where('to_address', '=', address).execute();

  it('emails the setup link to the invited address through the workspace provider, from the inviter', async () => {
    const res = await invite('sara@example.com');
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body.mail).toEqual({ status: 'sent' });
    const mails = await mailTo('sara@example.com');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.workspace_id).toBe(t.workspaceId);
    expect(mails[0]!.subject).toBe('Layla Haddad invited you to Qatra');
    expect(mails[0]!.text_body).toContain(body.setupUrl);
    expect(mails[0]!.text_body).toContain('as editor');
    // The link in the mail is a working one.
    const token = new URL(body.setupUrl).hash.replace('#token=', '');
    const inspect = await h.app.inject({ method: 'POST', url: '/api/auth/setup/inspect', payload: { token } });
    expect(inspect.json()).toEqual({ role: 'editor', email: 'sara@example.com' });
  });

  it('lists pending invitations until they are used, expire or are withdrawn', async () => {
    const a = (await invite('amir@example.com', 'viewer')).json();
    const b = (await invite('noor@example.com', 'admin')).json();
    let list = await pending();
    expect(list.map((i) => i.email)).toEqual(expect.arrayContaining(['amir@example.com', 'noor@example.com']));
    expect(list.find((i) => i.email === 'noor@example.com')).toMatchObject({ id: b.id, role: 'admin' });
    expect(JSON.stringify(list)).not.toContain(new URL(b.setupUrl).hash.replace('#token=', ''));

    // Used: gone from the list.
    const token = new URL(a.setupUrl).hash.replace('#token=', '');
    expect((await h.app.inject({ method: 'POST', url: '/api/auth/setup', payload: { token, password: PASSWORD } })).statusCode).toBe(201);
    list = await pending();
    expect(list.map((i) => i.email)).not.toContain('amir@example.com');

    // Withdrawn: gone, and its link no longer works.
    expect((await h.app.inject({ method: 'DELETE', url: `/api/users/invites/${b.id}`, headers: owner })).statusCode).toBe(204);
    expect((await pending()).map((i) => i.email)).not.toContain('noor@example.com');
    const bToken = new URL(b.setupUrl).hash.replace('#token=', '');
    expect((await h.app.inject({ method: 'POST', url: '/api/auth/setup/inspect', payload: { token: bToken } })).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'DELETE', url: `/api/users/invites/${b.id}`, headers: owner })).statusCode).toBe(404);

    // Expired: gone.
    await invite('late@example.com');
    h.clock.advance(8 * 24 * 3600_000);
    expect((await pending()).map((i) => i.email)).not.toContain('late@example.com');
  });

  it("never lists or withdraws another workspace's invitations", async () => {
    const mine = (await invite('mine@example.com')).json();
    const other = await h.tenant();
    const theirs = await h.app.inject({ method: 'GET', url: '/api/users/invites', headers: other.admin });
    expect(theirs.statusCode).toBe(200);
    expect(theirs.json().data).toEqual([]);
    expect((await h.app.inject({ method: 'DELETE', url: `/api/users/invites/${mine.id}`, headers: other.admin })).statusCode).toBe(404);
    expect((await pending()).map((i) => i.id)).toContain(mine.id);
  });
});
