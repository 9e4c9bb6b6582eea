import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';

/** A draft as a marketer leaves it mid-way: the second message is on the canvas, not connected, with no template. */
function unfinished(id: string): any {
  return {
    id,
    name: `Unfinished ${id}`,
    trigger: { type: 'event', event: 'signed_up' },
    start: 'ping',
    nodes: [
      { id: 'ping', type: 'message', name: 'Ping the CRM', channel: 'webhook', config: { url: 'http://127.0.0.1:9/hook' } },
      { id: 'wait', type: 'delay', duration: '1d' },
      { id: 'done', type: 'exit' },
      { id: 'message-2', type: 'message', name: 'Send: Welcome email', channel: 'email' },
      { id: 'wait-2', type: 'wait_for_event' },
    ],
    edges: [
      { from: 'ping', to: 'wait' },
      { from: 'wait', to: 'done' },
    ],
  };
}

describe.each(backends())('journey drafts on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => h.app.inject({ method, url, headers: t.admin, ...(payload === undefined ? {} : { payload: payload as object }) });

  it('a draft with an unconnected, incomplete step saves, and comes back as saved with its problems', async () => {
    const full = await call('POST', '/api/journeys/validate', unfinished('half'));
    const errors = full.json().errors as Array<{ path: string; message: string }>;
    expect(errors.map((e) => e.path)).toEqual(expect.arrayContaining(['nodes.3.template', 'nodes.3', 'nodes.4.event']));

    const saved = await call('PUT', '/api/journeys/half', unfinished('half'));
    expect(saved.statusCode, saved.body).toBe(201);
    expect(saved.json()).toMatchObject({ id: 'half', outcome: 'created', version: 1, status: 'draft', problems: errors });

    const read = await call('GET', '/api/journeys/half');
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json().document.nodes.map((n: { id: string; name?: string }) => [n.id, n.name ?? null])).toEqual([
      ['ping', 'Ping the CRM'],
      ['wait', null],
      ['done', null],
      ['message-2', 'Send: Welcome email'],
      ['wait-2', null],
    ]);
    expect((await call('GET', '/api/journeys/half/versions/1')).statusCode).toBe(200);

    // Saving the same draft again stores nothing new.
    expect((await call('PUT', '/api/journeys/half', unfinished('half'))).json()).toMatchObject({ outcome: 'unchanged', version: 1 });
  });

  it('publishing an incomplete draft is refused with the same precise problems, and nothing changes', async () => {
    await call('PUT', '/api/journeys/pub', unfinished('pub'));
    const { errors } = (await call('POST', '/api/journeys/validate', unfinished('pub'))).json();

    const viaStatus = await call('POST', '/api/journeys/pub/status', { status: 'live' });
    expect(viaStatus.statusCode).toBe(400);
    expect(viaStatus.json().error.issues).toEqual(errors);

    const viaPut = await call('PUT', '/api/journeys/pub', { ...unfinished('pub'), status: 'live' });
    expect(viaPut.statusCode).toBe(400);
    expect(viaPut.json().error.issues).toEqual(errors);
    expect((await call('GET', '/api/journeys/pub')).json()).toMatchObject({ status: 'draft', version: 1 });

    // Finished: connected, a template-less channel instead of email, the wait given its event; it publishes.
    const done = unfinished('pub');
    done.nodes[3] = { id: 'message-2', type: 'message', name: 'Notify', channel: 'webhook', config: { url: 'http://127.0.0.1:9/h2' } };
    done.nodes[4] = { id: 'wait-2', type: 'wait_for_event', event: 'bought', timeout: '2d' };
    done.edges = [
      { from: 'ping', to: 'wait' },
      { from: 'wait', to: 'message-2' },
      { from: 'message-2', to: 'wait-2' },
      { from: 'wait-2', output: 'event', to: 'done' },
      { from: 'wait-2', output: 'timeout', to: 'done' },
    ];
    const fixed = await call('PUT', '/api/journeys/pub', done);
    expect(fixed.json()).toMatchObject({ outcome: 'updated', version: 2, status: 'draft' });
    expect(fixed.json().problems).toBeUndefined();
    expect((await call('POST', '/api/journeys/pub/status', { status: 'live' })).json()).toMatchObject({ status: 'live', version: 2 });

    // A live journey's content stays complete: an incomplete document is refused, not stored.
    const broken = await call('PUT', '/api/journeys/pub', unfinished('pub'));
    expect(broken.statusCode).toBe(400);
    expect((await call('GET', '/api/journeys/pub')).json()).toMatchObject({ status: 'live', version: 2 });
  });

  it('a draft still needs an id, a name and lists of steps naming their ids: 400 with the field path otherwise', async () => {
    const cases: Array<[unknown, string]> = [
      [{ ...unfinished('x1'), name: '' }, 'name'],
      [{ ...unfinished('x2'), nodes: 'many' }, 'nodes'],
      [{ ...unfinished('x3'), nodes: [{ type: 'exit' }] }, 'nodes.0.id'],
      [{ ...unfinished('x4'), edges: [{ from: 1, to: 'a' }] }, 'edges.0.from'],
    ];
    for (const [body, path] of cases) {
      const id = (body as { id: string }).id;
      const res = await call('PUT', `/api/journeys/${id}`, body);
      expect(res.statusCode, path).toBe(400);
      expect(res.json().error.issues.map((i: { path: string }) => i.path)).toContain(path);
      expect((await call('GET', `/api/journeys/${id}`)).statusCode).toBe(404);
    }
    const tooMany = { ...unfinished('x5'), nodes: Array.from({ length: 501 }, (_, i) => ({ id: `n${i}`, type: 'exit' })) };
    expect((await call('PUT', '/api/journeys/x5', tooMany)).statusCode).toBe(400);
  });
});
