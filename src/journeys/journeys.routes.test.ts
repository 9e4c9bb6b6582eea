import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';

/** start → ping (webhook) → wait 1d → done; webhooks need no template, so the app's defaults apply. */
function doc(id: string, over: Record<string, unknown> = {}): any {
  return {
    id,
    name: `Journey ${id}`,
    trigger: { type: 'event', event: 'signed_up' },
    start: 'ping',
    nodes: [
      { id: 'ping', type: 'message', channel: 'webhook', config: { url: 'http://127.0.0.1:9/hook' } },
      { id: 'wait', type: 'delay', duration: '1d' },
      { id: 'done', type: 'exit' },
    ],
    edges: [
      { from: 'ping', to: 'wait' },
      { from: 'wait', to: 'done' },
    ],
    ...over,
  };
}

describe.each(backends())('journeys HTTP API on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, headers = t.admin) =>
    h.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

  it('creates with POST, refuses a second POST with 409, and reads the journey back', async () => {
    const created = await call('POST', '/api/journeys', doc('welcome'));
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({ id: 'welcome', outcome: 'created', version: 1, status: 'draft', warnings: [] });
    const again = await call('POST', '/api/journeys', doc('welcome'));
    expect(again.statusCode).toBe(409);
    expect(again.json().error.issues).toEqual([{ path: 'id', message: expect.stringContaining('already exists') }]);
    const got = await call('GET', '/api/journeys/welcome');
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ id: 'welcome', status: 'draft', version: 1, versions: [{ version: 1 }], document: { id: 'welcome', start: 'ping' } });
    expect(got.json().document.settings).toEqual({ maxDuration: '365d' });
  });

  it('PUT creates, then appends a version only when the document changed', async () => {
    const first = await call('PUT', '/api/journeys/cart', doc('cart', { status: 'live' }));
    expect([first.statusCode, first.json().outcome, first.json().status]).toEqual([201, 'created', 'live']);
    const same = await call('PUT', '/api/journeys/cart', doc('cart'));
    expect([same.statusCode, same.json().outcome, same.json().version]).toEqual([200, 'unchanged', 1]);
    const changed = doc('cart');
    changed.nodes[1].duration = '4h';
    const second = await call('PUT', '/api/journeys/cart', changed);
    expect(second.json()).toMatchObject({ outcome: 'updated', version: 2, status: 'live' });
    const v1 = await call('GET', '/api/journeys/cart/versions/1');
    expect(v1.statusCode).toBe(200);
    expect(v1.json().document.nodes[1].duration).toBe('1d');
    expect((await call('GET', '/api/journeys/cart/versions/2')).json().document.nodes[1].duration).toBe('4h');
    expect((await call('GET', '/api/journeys/cart/versions/3')).statusCode).toBe(404);
    const noId = structuredClone(changed);
    delete noId.id;
    expect((await call('PUT', '/api/journeys/cart', noId)).json().outcome).toBe('unchanged');
    const otherId = await call('PUT', '/api/journeys/cart', doc('other'));
    expect(otherId.statusCode).toBe(400);
    expect(otherId.json().error.issues[0].path).toBe('id');
  });

  it('answers an invalid document going live with 400 and every issue with its path and node', async () => {
    // (A draft saves incomplete, with these as its `problems`: ./drafts.test.ts.)
    const bad = doc('broken', { status: 'live' });
    bad.nodes[1].duration = 'soon';
    bad.nodes.push({ id: 'spin', type: 'teleport' });
    bad.edges.push({ from: 'wait', output: 'later', to: 'ghost' });
    const res = await call('PUT', '/api/journeys/broken', bad);
    expect(res.statusCode).toBe(400);
    const issues = res.json().error.issues as Array<{ path: string; message: string }>;
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'nodes.1.duration', message: 'nodes[1] (id "wait"): a duration like 30m, 4h, 3d or 2w' },
        { path: 'nodes.3.type', message: expect.stringContaining('nodes[3] (id "spin"): Invalid discriminator') },
        { path: 'edges.2.to', message: 'edges[2] (from "wait" to "ghost"): edge to unknown node "ghost"' },
        { path: 'nodes.3', message: 'nodes[3] (id "spin"): not reachable from start "ping"' },
      ]),
    );
    expect((await call('GET', '/api/journeys/broken')).statusCode).toBe(404);
    const email = doc('mail', { status: 'live' });
    email.nodes[0] = { id: 'ping', type: 'message', channel: 'email', template: 'nope' };
    const noTemplate = await call('POST', '/api/journeys', email);
    expect(noTemplate.json().error.issues).toEqual([{ path: 'nodes.0.template', message: 'nodes[0] (id "ping"): template "nope" does not exist' }]);
    const notObject = await call('POST', '/api/journeys', [1, 2]);
    expect(notObject.statusCode).toBe(400);
  });

  it('validates without storing and returns warnings', async () => {
    const ab = doc('ab-test');
    ab.nodes.splice(1, 0, {
      id: 'ab',
      type: 'split',
      variants: [
        { output: 'a', weight: 1 },
        { output: 'b', weight: 1 },
      ],
    });
    ab.edges = [
      { from: 'ping', to: 'ab' },
      { from: 'ab', output: 'a', to: 'wait' },
      { from: 'ab', output: 'b', to: 'wait' },
      { from: 'wait', to: 'done' },
    ];
    const ok = await call('POST', '/api/journeys/validate', ab);
    expect(ok.json()).toEqual({ valid: true, errors: [], warnings: [{ path: 'nodes.1.variants', message: expect.stringContaining('weights are relative') }] });
    const bad = await call('POST', '/api/journeys/validate', { ...ab, start: 'nope' });
    expect(bad.statusCode).toBe(200);
    expect(bad.json()).toMatchObject({ valid: false, errors: [{ path: 'start' }] });
    expect((await call('GET', '/api/journeys/ab-test')).statusCode).toBe(404);
  });

  it('changes state through the allowed transitions and answers others with 409', async () => {
    await call('POST', '/api/journeys', doc('states'));
    expect((await call('POST', '/api/journeys/states/status', { status: 'paused' })).statusCode).toBe(409);
    for (const status of ['live', 'paused', 'live', 'archived']) {
      const res = await call('POST', '/api/journeys/states/status', { status });
      expect([res.statusCode, res.json().status]).toEqual([200, status]);
    }
    expect((await call('POST', '/api/journeys/states/status', { status: 'live' })).statusCode).toBe(409);
    const badStatus = await call('POST', '/api/journeys/states/status', { status: 'running' });
    expect([badStatus.statusCode, badStatus.json().error.issues[0].path]).toEqual([400, 'body.status']);
    expect((await call('POST', '/api/journeys/nope/status', { status: 'live' })).statusCode).toBe(404);
  });

  it('lists journeys of the workspace only, filtered by status, and needs an admin key', async () => {
    const list = await call('GET', '/api/journeys?status=live');
    expect(list.json().journeys.map((j: { id: string }) => j.id)).toEqual(['cart']);
    const other = await h.tenant();
    expect((await call('GET', '/api/journeys', undefined, other.admin)).json()).toEqual({ journeys: [] });
    expect((await call('GET', '/api/journeys/cart', undefined, other.admin)).statusCode).toBe(404);
    expect((await call('GET', '/api/journeys', undefined, t.write)).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: '/api/journeys' })).statusCode).toBe(401);
  });

  it('publishes the journey document schema in the OpenAPI document', async () => {
    const spec = (await call('GET', '/api/openapi.json')).json();
    const put = spec.paths['/api/journeys/{id}'].put;
    const body = JSON.stringify(put.requestBody.content['application/json'].schema);
    expect(body).toContain('wait_for_event');
    expect(body).toContain('calendarDays');
  });
});
