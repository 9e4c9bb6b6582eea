import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { footerPartial, welcomeMjml } from './test-fixtures.js';

describe.each(backends())('templates API on %s', (kind) => {
  let h: Harness;
  let a: Tenant;
  const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown, tenant = a) =>
    h.app.inject({ method, url, headers: tenant.admin, ...(payload === undefined ? {} : { payload: payload as object }) });

  beforeAll(async () => {
    h = await createHarness(kind);
    a = await h.tenant();
  });
  afterAll(async () => h?.close());

  it('sets the workspace postal address and rejects an unknown time zone', async () => {
    const res = await call('PATCH', '/api/workspace', { name: 'Acme', postalAddress: '1 Main St, Springfield', timezone: 'Asia/Tehran' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: a.workspaceId, name: 'Acme', timezone: 'Asia/Tehran', postalAddress: '1 Main St, Springfield', allowPrivateWebhookTargets: false });
    const bad = await call('PATCH', '/api/workspace', { timezone: 'Mars/Base' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues).toEqual([{ path: 'timezone', message: 'unknown IANA time zone "Mars/Base"' }]);
    expect((await call('GET', '/api/workspace')).json().postalAddress).toBe('1 Main St, Springfield');
  });

  it('turns the private-webhook switch on and off without touching the other settings', async () => {
    expect((await call('PATCH', '/api/workspace', { allowPrivateWebhookTargets: true })).json()).toMatchObject({ allowPrivateWebhookTargets: true, postalAddress: '1 Main St, Springfield' });
    expect((await call('GET', '/api/workspace')).json().allowPrivateWebhookTargets).toBe(true);
    expect((await call('PATCH', '/api/workspace', { allowPrivateWebhookTargets: 'yes' })).statusCode).toBe(400);
    expect((await call('PATCH', '/api/workspace', { allowPrivateWebhookTargets: false })).json().allowPrivateWebhookTargets).toBe(false);
  });

  it('creates, versions, reads, lists and archives templates', async () => {
    expect((await call('POST', '/api/templates', footerPartial)).statusCode).toBe(201);
    const created = await call('POST', '/api/templates', welcomeMjml);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: 'welcome-1', kind: 'marketing', channel: 'email', currentVersion: 1, newVersion: true, versions: [{ version: 1 }] });
    expect((await call('POST', '/api/templates', welcomeMjml)).statusCode).toBe(409);

    const same = await call('PUT', '/api/templates/welcome-1', { content: welcomeMjml.content });
    expect(same.json()).toMatchObject({ currentVersion: 1, newVersion: false });
    const changed = await call('PUT', '/api/templates/welcome-1', { content: { ...welcomeMjml.content, subject: 'Hi {{ contact.first_name }}' } });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ currentVersion: 2, newVersion: true, current: { version: 2, content: { subject: 'Hi {{ contact.first_name }}' } } });
    expect(changed.json().versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect((await call('GET', '/api/templates/welcome-1/versions/1')).json().content.subject).toBe(welcomeMjml.content.subject);

    const list = await call('GET', '/api/templates?kind=marketing');
    expect(list.json().data.map((t: { id: string }) => t.id)).toEqual(['welcome-1']);
    // Another workspace sees none of it.
    const b = await h.tenant();
    expect((await call('GET', '/api/templates/welcome-1', undefined, b)).statusCode).toBe(404);

    await call('POST', '/api/templates', { id: 'old', name: 'Old', kind: 'transactional', content: { subject: 's', body: 'x' } });
    expect((await call('DELETE', '/api/templates/old')).statusCode).toBe(204);
    expect((await call('GET', '/api/templates')).json().data.map((t: { id: string }) => t.id)).not.toContain('old');
    expect((await call('GET', '/api/templates/old')).json().archived).toBe(true);
    expect((await call('DELETE', '/api/templates/old')).statusCode).toBe(404);
  });

  it('answers validation failures with 400 and field:line:column, and saves nothing', async () => {
    const res = await call('POST', '/api/templates', { id: 'promo', name: 'Promo', kind: 'marketing', content: { subject: 'Sale', body: '<p>\n{% for x in %}</p>' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues[0]).toEqual({ path: 'body', message: expect.stringMatching(/^2:\d+: /) });
    const canSpam = await call('POST', '/api/templates', { id: 'promo', name: 'Promo', kind: 'marketing', content: { subject: 'Sale', body: '<p>50% off</p>' } });
    expect(canSpam.statusCode).toBe(400);
    expect(canSpam.json().error.message).toMatch(/postal address/);
    const shape = await call('POST', '/api/templates', { id: 'Not A Slug', name: 'x', kind: 'newsletter', content: {} });
    expect(shape.statusCode).toBe(400);
    expect(
      shape
        .json()
        .error.issues.map((i: { path: string }) => i.path)
        .sort(),
    ).toEqual(['body.content.body', 'body.id', 'body.kind']);
    expect((await call('GET', '/api/templates/promo')).statusCode).toBe(404);
  });

  it('previews for a sample contact, a stored contact in Persian, and an inline contact', async () => {
    const sample = await call('POST', '/api/templates/welcome-1/preview', {});
    expect(sample.statusCode).toBe(200);
    expect(sample.json()).toMatchObject({ version: 2, locale: 'en', direction: 'ltr', subject: 'Hi Sam', warnings: [] });
    expect(sample.json().html).toContain('1 Main St, Springfield');
    expect(sample.json().html).toContain(`href="${h.deps.config.publicUrl}/u/preview"`);

    const contact = await h.app.inject({ method: 'POST', url: '/api/contacts', headers: a.admin, payload: { email: 'sara@example.com', locale: 'fa-IR', attributes: { first_name: 'سارا' } } });
    expect(contact.statusCode).toBe(201);
    const fa = await call('POST', '/api/templates/welcome-1/preview', { contactId: contact.json().id, version: 1 });
    expect(fa.json()).toMatchObject({ version: 1, locale: 'fa', direction: 'rtl', subject: 'خوش آمدید سارا' });
    expect(fa.json().html).toMatch(/<html lang="fa" dir="rtl"/);

    const inline = await call('POST', '/api/templates/welcome-1/preview', { contact: { attributes: { first_name: 'Kim' } }, context: { trigger: { plan: 'team' } } });
    expect(inline.json().html).toContain('Thanks for choosing the team plan.');
    expect(inline.json().text).toContain('Hello Kim,');

    expect((await call('POST', '/api/templates/welcome-1/preview', { contactId: 'ct_nope' })).statusCode).toBe(404);
    expect((await call('POST', '/api/templates/welcome-1/preview', { locale: 'not a locale' })).statusCode).toBe(400);
  });

  it('answers a template that fails at render time with 400, not 500', async () => {
    await call('POST', '/api/templates', { id: 'loop', name: 'Loop', kind: 'transactional', content: { subject: 's', body: '{% for i in (1..100000000) %}x{% endfor %}' } });
    const res = await call('POST', '/api/templates/loop/preview', {});
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues[0]).toMatchObject({ path: 'body', message: expect.stringMatching(/limit exceeded/) });
  });

  it('needs an admin key', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/templates', headers: a.write });
    expect(res.statusCode).toBe(403);
  });

  it('documents the endpoints in OpenAPI', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/templates', '/api/templates/{id}', '/api/templates/{id}/preview', '/api/workspace']));
  });
});
