import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import type { Signal } from '../events/signals.js';
import { SignalTap } from '../../test/signal-tap.js';

describe.each(backends())('list memberships API on %s', (kind) => {
  const tap = new SignalTap();
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind, {}, { extraSinks: [tap] });
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  afterEach(() => tap.stop());
  function recordJoins(): Signal[] {
    return tap.collect((s) => s.kind === 'list_joined');
  }

  const req = (tenant: Tenant, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => h.app.inject({ method, url, headers: tenant.admin, ...(payload ? { payload } : {}) });
  let n = 0;
  const contact = async (tenant: Tenant = t): Promise<string> => (await req(tenant, 'POST', '/api/contacts', { userId: `m-${n++}` })).json().id;
  const list = async (doubleOptIn = false, tenant: Tenant = t): Promise<string> => (await req(tenant, 'POST', '/api/lists', { name: `list-${n++}`, doubleOptIn })).json().id;
  const members = async (listId: string, query = '') => (await req(t, 'GET', `/api/lists/${listId}/members${query}`)).json().data;

  it('adds contacts in bulk as subscribed, emits list_joined once each, and leaves existing members alone', async () => {
    const seen = recordJoins();
    const [a, b, c] = [await contact(), await contact(), await contact()];
    const l = await list();
    const first = await req(t, 'POST', `/api/lists/${l}/members`, { contactIds: [a, b, a], source: 'import' });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ added: [a, b], unchanged: [], status: 'subscribed' });
    const second = await req(t, 'POST', `/api/lists/${l}/members`, { contactIds: [b, c] });
    expect(second.json()).toEqual({ added: [c], unchanged: [b], status: 'subscribed' });
    expect(seen.map((s) => s.kind === 'list_joined' && s.contactId)).toEqual([a, b, c]);
    expect(seen[0]).toEqual({ kind: 'list_joined', workspaceId: t.workspaceId, contactId: a, listId: l });
    const rows = await members(l);
    expect(rows.map((m: { contactId: string }) => m.contactId)).toEqual([a, b, c].sort());
    expect(rows.find((m: { contactId: string }) => m.contactId === a)).toMatchObject({ status: 'subscribed', source: 'import', listId: l });
  });

  it('is all-or-nothing: one unknown or foreign contact names its index and adds nobody', async () => {
    const seen = recordJoins();
    const other = await h.tenant();
    const foreign = await contact(other);
    const a = await contact();
    const l = await list();
    const res = await req(t, 'POST', `/api/lists/${l}/members`, { contactIds: [a, 'ct_nope', foreign] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues).toEqual([
      { path: 'contactIds.1', message: expect.stringContaining('ct_nope') },
      { path: 'contactIds.2', message: expect.stringContaining(foreign) },
    ]);
    expect(await members(l)).toEqual([]);
    expect(seen).toEqual([]);
  });

  it('adds to a double opt-in list as pending without list_joined; confirming subscribes and emits it', async () => {
    const seen = recordJoins();
    const a = await contact();
    const l = await list(true);
    expect((await req(t, 'POST', `/api/lists/${l}/members`, { contactIds: [a] })).json()).toEqual({ added: [a], unchanged: [], status: 'pending' });
    expect(seen).toEqual([]);
    const confirmed = await req(t, 'PATCH', `/api/lists/${l}/members/${a}`, { status: 'subscribed', source: 'confirmed' });
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.json()).toMatchObject({ status: 'subscribed', source: 'confirmed' });
    expect(seen).toHaveLength(1);
    // Already subscribed: no second signal.
    await req(t, 'PATCH', `/api/lists/${l}/members/${a}`, { status: 'subscribed' });
    expect(seen).toHaveLength(1);
  });

  it('re-adding an unsubscribed member does not resubscribe them', async () => {
    const a = await contact();
    const l = await list();
    await req(t, 'POST', `/api/lists/${l}/members`, { contactIds: [a] });
    await req(t, 'PATCH', `/api/lists/${l}/members/${a}`, { status: 'unsubscribed' });
    expect((await req(t, 'POST', `/api/lists/${l}/members`, { contactIds: [a] })).json().unchanged).toEqual([a]);
    expect((await members(l))[0].status).toBe('unsubscribed');
    expect(await members(l, '?status=subscribed')).toEqual([]);
  });

  it('removes a member, then answers 404 for that membership', async () => {
    const a = await contact();
    const l = await list();
    await req(t, 'POST', `/api/lists/${l}/members`, { contactIds: [a] });
    expect((await req(t, 'DELETE', `/api/lists/${l}/members/${a}`)).statusCode).toBe(204);
    expect(await members(l)).toEqual([]);
    expect((await req(t, 'DELETE', `/api/lists/${l}/members/${a}`)).statusCode).toBe(404);
    expect((await req(t, 'PATCH', `/api/lists/${l}/members/${a}`, { status: 'subscribed' })).statusCode).toBe(404);
  });

  it('pages through members exactly once each', async () => {
    const l = await list();
    const ids: string[] = [];
    for (let i = 0; i < 11; i++) ids.push(await contact());
    await req(t, 'POST', `/api/lists/${l}/members`, { contactIds: ids });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: { contactId: string }[]; nextCursor: string | null } = (await req(t, 'GET', `/api/lists/${l}/members?limit=4${cursor ? `&cursor=${cursor}` : ''}`)).json();
      expect(page.data.length).toBeLessThanOrEqual(4);
      seen.push(...page.data.map((m) => m.contactId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].sort());
  });

  it("shows a contact's lists with their status", async () => {
    const a = await contact();
    const l1 = await list();
    const l2 = await list(true);
    await req(t, 'POST', `/api/lists/${l1}/members`, { contactIds: [a] });
    await req(t, 'POST', `/api/lists/${l2}/members`, { contactIds: [a] });
    const res = await req(t, 'GET', `/api/contacts/${a}/lists`);
    expect(res.statusCode).toBe(200);
    const byList = Object.fromEntries(res.json().data.map((m: { listId: string; status: string; list: { doubleOptIn: boolean } }) => [m.listId, [m.status, m.list.doubleOptIn]]));
    expect(byList).toEqual({ [l1]: ['subscribed', false], [l2]: ['pending', true] });
    expect((await req(await h.tenant(), 'GET', `/api/contacts/${a}/lists`)).statusCode).toBe(404);
  });

  it('keeps workspaces apart and needs an admin key', async () => {
    const a = await contact();
    const l = await list();
    await req(t, 'POST', `/api/lists/${l}/members`, { contactIds: [a] });
    const other = await h.tenant();
    const theirs = await contact(other);
    expect((await req(other, 'GET', `/api/lists/${l}/members`)).statusCode).toBe(404);
    expect((await req(other, 'POST', `/api/lists/${l}/members`, { contactIds: [theirs] })).statusCode).toBe(404);
    expect((await req(other, 'DELETE', `/api/lists/${l}/members/${a}`)).statusCode).toBe(404);
    expect((await req(other, 'PATCH', `/api/lists/${l}/members/${a}`, { status: 'unsubscribed' })).statusCode).toBe(404);
    expect((await members(l))[0]).toMatchObject({ contactId: a, status: 'subscribed' });
    expect((await h.app.inject({ method: 'POST', url: `/api/lists/${l}/members`, headers: t.write, payload: { contactIds: [a] } })).statusCode).toBe(403);
  });

  it('validates the bulk body with field paths', async () => {
    const l = await list();
    const empty = await req(t, 'POST', `/api/lists/${l}/members`, { contactIds: [] });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.issues[0].path).toBe('body.contactIds');
    const bad = await req(t, 'POST', `/api/lists/${l}/members`, { contactIds: ['ok', 5], status: 'unsubscribed' });
    expect(
      bad
        .json()
        .error.issues.map((i: { path: string }) => i.path)
        .sort(),
    ).toEqual(['body.contactIds.1', 'body.status']);
  });

  it('filters contacts by list through GET /api/contacts?listId=', async () => {
    const [a, b] = [await contact(), await contact()];
    const l = await list();
    await req(t, 'POST', `/api/lists/${l}/members`, { contactIds: [b] });
    const res = await req(t, 'GET', `/api/contacts?listId=${l}`);
    expect(res.json().data.map((c: { id: string }) => c.id)).toEqual([b]);
    expect(a).not.toBe(b);
  });
});
