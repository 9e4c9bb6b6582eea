import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../test/harness.js';
import { applyJourney } from '../../journeys/journeys.js';

describe.each(backends())('topics API on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
  });
  afterAll(async () => h?.close());
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => h.app.inject({ method, url, headers: t.admin, ...(payload ? { payload } : {}) });

  it('creates, lists and renames topics; the id stays and the preference center sees them', async () => {
    expect((await call('GET', '/api/email/topics')).json()).toEqual({ data: [] });
    const created = await call('POST', '/api/email/topics', { id: 'product-news', name: 'Product news', description: 'What is new' });
    expect(created.statusCode).toBe(201);
    await call('POST', '/api/email/topics', { id: 'offers', name: 'Offers' });
    const renamed = await call('PATCH', '/api/email/topics/product-news', { name: 'Product updates', description: null });
    expect(renamed.json()).toEqual({ id: 'product-news', name: 'Product updates' });
    expect((await call('GET', '/api/email/topics')).json().data).toEqual([
      { id: 'product-news', name: 'Product updates' },
      { id: 'offers', name: 'Offers' },
    ]);
    // The same list the email settings (and so the preference center) read.
    const settings = await call('GET', '/api/email/provider');
    expect(settings.json()).toMatchObject({ source: 'workspace', provider: 'outbox', topics: [{ id: 'product-news' }, { id: 'offers' }] });
  });

  it('a duplicate id is a 409 and a bad id a 400, naming the field; an unknown topic is a 404', async () => {
    const dup = await call('POST', '/api/email/topics', { id: 'offers', name: 'Again' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.issues[0].path).toBe('body.id');
    const bad = await call('POST', '/api/email/topics', { id: 'Not A Slug', name: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.issues[0].path).toBe('body.id');
    expect((await call('PATCH', '/api/email/topics/nope', { name: 'x' })).statusCode).toBe(404);
    expect((await call('DELETE', '/api/email/topics/nope')).statusCode).toBe(404);
  });

  it('saving the settings keeps the SMTP password when topics change', async () => {
    await call('POST', '/api/email/topics', { id: 'tmp', name: 'Temporary' });
    const stored = await h.deps.store.db.selectFrom('email_providers').select('settings').where('workspace_id', '=', t.workspaceId).executeTakeFirstOrThrow();
    expect(String(typeof stored.settings === 'string' ? stored.settings : JSON.stringify(stored.settings))).toContain('"tmp"');
    expect((await call('DELETE', '/api/email/topics/tmp')).statusCode).toBe(204);
  });

  it('a topic a journey still uses is not deleted (409 names the journey); unused, it is', async () => {
    const tpl = await call('POST', '/api/templates', {
      id: 'x',
      name: 'X',
      kind: 'marketing',
      channel: 'email',
      content: { subject: 'Hi', body: '<p>Hi {{ unsubscribe_url }} {{ workspace.postal_address }}</p>' },
    });
    expect(tpl.statusCode).toBe(201);
    await applyJourney(h.deps, t.workspaceId, {
      id: 'promo',
      name: 'Promo run',
      status: 'draft',
      trigger: { type: 'event', event: 'go' },
      start: 'm',
      nodes: [
        { id: 'm', type: 'message', channel: 'email', template: 'x', config: { topic: 'offers' } },
        { id: 'e', type: 'exit' },
      ],
      edges: [{ from: 'm', to: 'e' }],
    });
    const refused = await call('DELETE', '/api/email/topics/offers');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toContain('journey "Promo run"');
    expect((await call('GET', '/api/email/topics')).json().data.map((x: { id: string }) => x.id)).toContain('offers');
    expect((await call('DELETE', '/api/email/topics/product-news')).statusCode).toBe(204);
    expect((await call('GET', '/api/email/topics')).json().data).toEqual([{ id: 'offers', name: 'Offers' }]);
  });

  it('a topic an unfinished broadcast names is not deleted; once the broadcast is cancelled it is', async () => {
    await call('POST', '/api/email/topics', { id: 'weekly', name: 'Weekly' });
    const list = await call('POST', '/api/lists', { name: 'Everyone' });
    expect(list.statusCode).toBe(201);
    const draft = await call('POST', '/api/broadcasts', { name: 'Weekly digest', template: 'x', topic: 'weekly', audience: { type: 'list', id: list.json().id } });
    expect(draft.statusCode).toBe(201);
    const refused = await call('DELETE', '/api/email/topics/weekly');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toBe('topic weekly is still used by broadcast "Weekly digest"');
    expect((await call('POST', `/api/broadcasts/${draft.json().id}/cancel`)).statusCode).toBe(200);
    expect((await call('DELETE', '/api/email/topics/weekly')).statusCode).toBe(204);
  });

  it('needs an admin', async () => {
    expect((await h.app.inject({ method: 'POST', url: '/api/email/topics', headers: t.write, payload: { id: 'x', name: 'x' } })).statusCode).toBe(403);
  });
});
