import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { broadcastFixture, type BroadcastFixture } from './test-kit.js';

describe.each(backends())('/api/broadcasts on %s', (kind) => {
  let f: BroadcastFixture;
  let listId: string;
  beforeAll(async () => {
    f = await broadcastFixture(kind);
    listId = await f.list([await f.contact('api@example.com')]);
  });
  afterAll(async () => f?.close());

  it('creates a draft, reads it with empty progress, edits it while a draft, and lists it', async () => {
    const created = await f.api('POST', '/api/broadcasts', {
      name: 'January news',
      template: 'welcome-1',
      topic: 'news',
      audience: { type: 'list', id: listId },
      ratePerSecond: 50,
      localTime: '09:00',
      sendAt: '2026-01-10T00:00:00Z',
    });
    expect(created.statusCode).toBe(201);
    const b = created.json();
    expect(b).toMatchObject({
      name: 'January news',
      channel: 'email',
      kind: 'marketing',
      template: 'welcome-1',
      topic: 'news',
      status: 'draft',
      localTime: '09:00',
      ratePerSecond: 50,
      sendAt: Date.UTC(2026, 0, 10),
    });
    expect(b.progress).toEqual({ total: 0, sent: 0, failed: 0, skipped: 0, remaining: 0 });
    const patched = await f.api('PATCH', `/api/broadcasts/${b.id}`, { name: 'February news', localTime: null, quietHours: { start: '21:00', end: '08:00' } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ name: 'February news', localTime: null, topic: 'news', quietHours: { start: '21:00', end: '08:00', outcome: 'defer' } });
    const page = await f.api('GET', '/api/broadcasts?limit=100');
    expect(page.json().data.map((x: { id: string }) => x.id)).toContain(b.id);
    expect((await f.api('GET', '/api/broadcasts/bc_missing')).statusCode).toBe(404);
  });

  it.each([
    [{ name: 'x', template: 'welcome-1', audience: { type: 'list', id: 'lst_nope' } }, 'audience.id'],
    [{ name: 'x', template: 'nope', audience: { type: 'list', id: 'LIST' } }, 'template'],
    [{ name: 'x', template: 'footer', audience: { type: 'list', id: 'LIST' } }, 'template'],
    [{ name: 'x', audience: { type: 'list', id: 'LIST' } }, 'template'],
    [{ name: 'x', channel: 'pigeon', template: 'welcome-1', audience: { type: 'list', id: 'LIST' } }, 'channel'],
    [{ name: 'x', template: 'welcome-1', audience: { type: 'group', id: 'LIST' } }, 'body.audience.type'],
    [{ name: 'x', template: 'welcome-1', audience: { type: 'list', id: 'LIST' }, localTime: '9am' }, 'body.localTime'],
    [{ name: 'x', template: 'welcome-1', audience: { type: 'list', id: 'LIST' }, ratePerSecond: 0 }, 'body.ratePerSecond'],
    [{ name: 'x', template: 'welcome-1', audience: { type: 'list', id: 'LIST' }, quietHours: { start: '21:00', end: '08:00', outcome: 'exit' } }, 'body.quietHours.outcome'],
  ])('rejects %j with the path %s', async (body, path) => {
    const payload = JSON.parse(JSON.stringify(body).replace('"LIST"', JSON.stringify(listId)));
    const res = await f.api('POST', '/api/broadcasts', payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues.map((i: { path: string }) => i.path)).toContain(path);
  });

  it('schedule moves a draft to scheduled (sendAt defaults to now); a write key is refused; the routes are in the OpenAPI document', async () => {
    const b = (await f.api('POST', '/api/broadcasts', { name: 'now', template: 'welcome-1', audience: { type: 'list', id: listId } })).json();
    const scheduled = await f.api('POST', `/api/broadcasts/${b.id}/schedule`, {});
    expect(scheduled.json()).toMatchObject({ status: 'scheduled', sendAt: f.h.clock.now(), scheduledAt: f.h.clock.now() });
    const write = await f.h.app.inject({ method: 'GET', url: `/api/broadcasts/${b.id}`, headers: f.t.write });
    expect([401, 403]).toContain(write.statusCode);
    const doc = (await f.h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    for (const p of [
      '/api/broadcasts',
      '/api/broadcasts/{id}',
      '/api/broadcasts/{id}/schedule',
      '/api/broadcasts/{id}/unschedule',
      '/api/broadcasts/{id}/pause',
      '/api/broadcasts/{id}/resume',
      '/api/broadcasts/{id}/cancel',
    ])
      expect(doc.paths[p]).toBeDefined();
  });

  it('unschedule moves a scheduled broadcast back to an editable draft, and answers 409 from any other state', async () => {
    const b = (await f.api('POST', '/api/broadcasts', { name: 'later', template: 'welcome-1', audience: { type: 'list', id: listId }, sendAt: '2026-02-01T09:00:00Z' })).json();
    expect((await f.api('POST', `/api/broadcasts/${b.id}/schedule`, {})).json().status).toBe('scheduled');
    const draft = await f.api('POST', `/api/broadcasts/${b.id}/unschedule`);
    expect(draft.statusCode).toBe(200);
    expect(draft.json()).toMatchObject({ status: 'draft', scheduledAt: null, sendAt: Date.UTC(2026, 1, 1, 9) });
    expect((await f.api('PATCH', `/api/broadcasts/${b.id}`, { name: 'later, edited' })).json().name).toBe('later, edited');
    const again = await f.api('POST', `/api/broadcasts/${b.id}/unschedule`);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.issues[0].path).toBe('status');
    await f.api('POST', `/api/broadcasts/${b.id}/schedule`, {});
    await f.api('POST', `/api/broadcasts/${b.id}/pause`);
    expect((await f.api('POST', `/api/broadcasts/${b.id}/unschedule`)).statusCode).toBe(409);
    const write = await f.h.app.inject({ method: 'POST', url: `/api/broadcasts/${b.id}/unschedule`, headers: f.t.write });
    expect([401, 403]).toContain(write.statusCode);
  });
});
