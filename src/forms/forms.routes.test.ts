import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';

describe.each(backends())('/api/forms on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let listId: string;
  let doiListId: string;

  beforeAll(async () => {
    h = await createHarness(kind, { publicUrl: 'https://q.example.com' });
    t = await h.tenant();
    listId = (await h.app.inject({ method: 'POST', url: '/api/lists', headers: t.admin, payload: { name: 'News' } })).json().id;
    doiListId = (await h.app.inject({ method: 'POST', url: '/api/lists', headers: t.admin, payload: { name: 'Digest', doubleOptIn: true } })).json().id;
  });
  afterAll(async () => h?.close());

  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, headers = t.admin) => h.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

  it('creates, reads, patches, lists and deletes a form; double opt-in and the public url come from the list and the config', async () => {
    h.clock.advance(1000);
    const created = await api('POST', '/api/forms', {
      listId: doiListId,
      name: 'footer',
      fields: [{ name: 'first_name', label: 'First name', required: true }],
      consentText: 'Yes please',
      consentTextVersion: 'v1',
    });
    expect(created.statusCode).toBe(201);
    const form = created.json();
    expect(form).toMatchObject({
      listId: doiListId,
      name: 'footer',
      title: 'Subscribe',
      doubleOptIn: true,
      url: `https://q.example.com/f/${form.id}`,
      fields: [{ name: 'first_name', label: 'First name', type: 'text', required: true }],
      thankYouText: null,
    });
    expect((await api('GET', `/api/forms/${form.id}`)).json()).toEqual(form);

    const patched = await api('PATCH', `/api/forms/${form.id}`, { listId, thankYouText: 'Welcome aboard', consentText: null, consentTextVersion: null });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ listId, doubleOptIn: false, thankYouText: 'Welcome aboard', consentText: null, name: 'footer' });

    h.clock.advance(1000); // ids sort by creation time; the manual clock otherwise stands still
    const second = (await api('POST', '/api/forms', { listId, name: 'sidebar' })).json();
    const page1 = (await api('GET', '/api/forms?limit=1')).json();
    expect(page1.data.map((f: { id: string }) => f.id)).toEqual([form.id]);
    const page2 = (await api('GET', `/api/forms?limit=1&cursor=${page1.nextCursor}`)).json();
    expect(page2).toMatchObject({ data: [{ id: second.id }], nextCursor: null });

    expect((await api('DELETE', `/api/forms/${second.id}`)).statusCode).toBe(204);
    expect((await api('GET', `/api/forms/${second.id}`)).statusCode).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: `/f/${second.id}` })).statusCode).toBe(404);
  });

  it('bad input is a 400 naming the field, and nothing is stored', async () => {
    const cases: Array<[object, string]> = [
      [{ listId: 'lst_nope', name: 'x' }, 'listId'],
      [{ listId, name: 'x', consentText: 'I agree' }, 'body.consentTextVersion'],
      [{ listId, name: 'x', fields: [{ name: 'email', label: 'Email' }] }, 'body.fields.0.name'],
      [
        {
          listId,
          name: 'x',
          fields: [
            { name: 'a', label: 'A' },
            { name: 'a', label: 'B' },
          ],
        },
        'body.fields.1.name',
      ],
      [{ listId, name: 'x', redirectUrl: 'javascript:alert(1)' }, 'body.redirectUrl'],
      [{ listId, name: 'x', confirmationTemplateId: 'missing' }, 'confirmationTemplateId'],
    ];
    for (const [payload, path] of cases) {
      const res = await api('POST', '/api/forms', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(
        res.json().error.issues.map((i: { path: string }) => i.path),
        JSON.stringify(payload),
      ).toContain(path);
    }
    const form = (await api('POST', '/api/forms', { listId, name: 'ok' })).json();
    const bad = await api('PATCH', `/api/forms/${form.id}`, { consentText: 'I agree' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues[0].path).toBe('consentTextVersion');
    expect((await api('GET', `/api/forms/${form.id}`)).json().consentText).toBeNull();
  });

  it('the OpenAPI document describes /api/forms and the email-events webhook, and hides the public pages', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/forms', '/api/forms/{id}', '/api/webhooks/email-events', '/api/webhooks/email-events/secret']));
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/f/'))).toEqual([]);
  });

  it("needs an admin key, and another workspace's form is not found", async () => {
    const form = (await api('POST', '/api/forms', { listId, name: 'mine' })).json();
    expect((await api('GET', `/api/forms/${form.id}`, undefined, t.write)).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: '/api/forms' })).statusCode).toBe(401);
    const other = await h.tenant();
    expect((await api('GET', `/api/forms/${form.id}`, undefined, other.admin)).statusCode).toBe(404);
    expect((await api('PATCH', `/api/forms/${form.id}`, { name: 'theirs' }, other.admin)).statusCode).toBe(404);
    expect((await api('POST', '/api/forms', { listId, name: 'x' }, other.admin)).json().error.issues[0].path).toBe('listId');
  });
});
