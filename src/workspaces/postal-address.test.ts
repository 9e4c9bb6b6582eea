import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';

const FOOTER = '<p>{{ workspace.postal_address }} · <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>';

describe.each(backends())('marketing email needs the workspace postal address (CAN-SPAM) on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant({ postalAddress: '' }); // a fresh workspace, as after first start
  });
  afterAll(async () => h?.close());

  const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown) =>
    h.app.inject({ method, url, headers: t.admin, ...(payload === undefined ? {} : { payload: payload as object }) });
  const journey = (id: string, kindOf: 'marketing' | 'transactional', status?: string) => ({
    id,
    name: id,
    ...(status ? { status } : {}),
    trigger: { type: 'manual' },
    start: 'hello',
    nodes: [
      { id: 'hello', type: 'message', channel: 'email', template: 'news', kind: kindOf },
      { id: 'done', type: 'exit' },
    ],
    edges: [{ from: 'hello', to: 'done' }],
  });
  const expect409 = (res: { statusCode: number; json(): { error: { message: string; issues?: { path: string }[] } } }) => {
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/postal address \(CAN-SPAM\).*PATCH \/api\/workspace \{"postalAddress"/);
    expect(res.json().error.issues?.[0]?.path).toBe('postalAddress');
  };

  it('template validation warns that the workspace has no postal address yet, and stops once it has one', async () => {
    const saved = await call('POST', '/api/templates', { id: 'news', name: 'News', kind: 'marketing', content: { subject: 'News', body: `<p>Hi</p>${FOOTER}` } });
    expect(saved.statusCode).toBe(201);
    expect(JSON.stringify(saved.json())).toMatch(/workspace\.postal_address: the workspace has no postal address yet.*PATCH \/api\/workspace/);
    const receipt = await call('POST', '/api/templates', { id: 'receipt', name: 'Receipt', kind: 'transactional', content: { subject: 'R', body: '<p>R</p>' } });
    expect(JSON.stringify(receipt.json())).not.toMatch(/postal address/);
  });

  it('a journey with a marketing email node cannot go live (409 naming how to set the address); a draft, and a transactional journey, can', async () => {
    expect409(await call('POST', '/api/journeys', journey('j-live', 'marketing', 'live')));
    expect((await call('GET', '/api/journeys/j-live')).statusCode).toBe(404);
    expect((await call('POST', '/api/journeys', journey('j-draft', 'marketing'))).statusCode).toBe(201);
    expect409(await call('POST', '/api/journeys/j-draft/status', { status: 'live' }));
    expect((await call('GET', '/api/journeys/j-draft')).json().status).toBe('draft');
    expect((await call('POST', '/api/journeys', journey('j-receipt', 'transactional', 'live'))).statusCode).toBe(201);
    // A live journey does not get new content with a marketing email node either.
    expect409(await call('PUT', '/api/journeys/j-receipt', journey('j-receipt', 'marketing')));
  });

  it('a marketing email broadcast cannot be scheduled (409); a transactional one can', async () => {
    const list = (await call('POST', '/api/lists', { name: 'Everyone' })).json() as { id: string };
    const bc = (await call('POST', '/api/broadcasts', { name: 'Sale', channel: 'email', template: 'news', audience: { type: 'list', id: list.id } })).json() as { id: string };
    expect409(await call('POST', `/api/broadcasts/${bc.id}/schedule`, {}));
    expect((await call('GET', `/api/broadcasts/${bc.id}`)).json().status).toBe('draft');
    const tx = (await call('POST', '/api/broadcasts', { name: 'Notice', channel: 'email', template: 'receipt', kind: 'transactional', audience: { type: 'list', id: list.id } })).json() as {
      id: string;
    };
    expect((await call('POST', `/api/broadcasts/${tx.id}/schedule`, { sendAt: h.clock.now() + 3_600_000 })).statusCode).toBe(200);
  });

  it('the provider settings no longer own the address: a PUT carrying it saves it on the workspace (deprecated), and then journeys and broadcasts go live', async () => {
    const put = await call('PUT', '/api/email/provider', { provider: 'outbox', from: { address: 'news@example.com' }, postalAddress: '9 Elm St, Shelbyville' });
    expect(put.statusCode).toBe(200);
    expect(put.headers.deprecation).toBe('true');
    expect(put.json().postalAddress).toBeUndefined();
    expect((await call('GET', '/api/workspace')).json().postalAddress).toBe('9 Elm St, Shelbyville');

    expect((await call('POST', '/api/journeys/j-draft/status', { status: 'live' })).statusCode).toBe(200);
    expect((await call('POST', '/api/journeys', journey('j-live', 'marketing', 'live'))).statusCode).toBe(201);
    const list = (await call('POST', '/api/lists', { name: 'Later' })).json() as { id: string };
    const bc = (await call('POST', '/api/broadcasts', { name: 'Sale 2', channel: 'email', template: 'news', audience: { type: 'list', id: list.id } })).json() as { id: string };
    expect((await call('POST', `/api/broadcasts/${bc.id}/schedule`, {})).statusCode).toBe(200);
    const saved = await call('PUT', '/api/templates/news', { name: 'News', kind: 'marketing', content: { subject: 'News!', body: `<p>Hi</p>${FOOTER}` } });
    expect(saved.statusCode).toBe(200);
    expect(JSON.stringify(saved.json())).not.toMatch(/no postal address/);

    // Cleared again with PATCH /api/workspace (the one place): publishing is refused again.
    expect((await call('PATCH', '/api/workspace', { postalAddress: '' })).statusCode).toBe(200);
    expect409(await call('POST', '/api/journeys', journey('j-again', 'marketing', 'live')));
  });
});
