import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { seedContacts } from './test-seed.js';

const planPro = { type: 'attribute', attribute: 'plan', op: 'equals', value: 'pro' };

describe.each(backends())('/api/segments on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let ids: Map<string, string>;

  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    ids = await seedContacts(h.deps.store.db, t.workspaceId, h.clock.now());
  });
  afterAll(async () => h?.close());

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    h.app.inject({ method, url, headers: t.admin, ...(payload === undefined ? {} : { payload: payload as object }) });

  it('previews an unsaved definition: count and a sample in id order, nothing stored', async () => {
    const res = await call('POST', '/api/segments/preview', { conditions: planPro });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      count: 2,
      sample: [ids.get('ann')!, ids.get('eve')!].sort().map((id) => expect.objectContaining({ contactId: id })),
    });
    expect(await h.deps.store.db.selectFrom('segments').selectAll().execute()).toEqual([]);
  });

  it('creates a segment with its members, reads it with a count and pages through members', async () => {
    const created = await call('POST', '/api/segments', { id: 'has-email', name: 'Has email', conditions: { type: 'attribute', attribute: 'email', op: 'exists' } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: 'has-email', name: 'Has email', memberCount: 4, refreshIntervalMinutes: null });

    const got = await call('GET', '/api/segments/has-email');
    expect(got.json()).toMatchObject({ memberCount: 4, conditions: { type: 'attribute', attribute: 'email', op: 'exists' } });

    const first = (await call('GET', '/api/segments/has-email/contacts?limit=3')).json();
    expect(first.data).toHaveLength(3);
    const second = (await call('GET', `/api/segments/has-email/contacts?limit=3&cursor=${first.nextCursor}`)).json();
    expect(second.nextCursor).toBeNull();
    const all = [...first.data, ...second.data].map((m: { contactId: string }) => m.contactId);
    expect(all).toEqual(['ann', 'bob', 'dan', 'eve'].map((n) => ids.get(n)!).sort());

    const listed = (await call('GET', '/api/segments')).json();
    expect(listed.data.map((s: { id: string }) => s.id)).toContain('has-email');
  });

  it('an update recomputes members; delete removes the segment', async () => {
    await call('POST', '/api/segments', { id: 'pros', name: 'Pros', conditions: planPro });
    const patched = await call('PATCH', '/api/segments/pros', { conditions: { any: [planPro, { type: 'list', list: 'newsletter' }] } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ memberCount: 2, refreshIntervalMinutes: 15 });
    const exited = await call('PATCH', '/api/segments/pros', { conditions: { type: 'lead_score', op: 'gt', value: 90 } });
    expect(exited.json().memberCount).toBe(1);
    expect((await call('DELETE', '/api/segments/pros')).statusCode).toBe(204);
    expect((await call('GET', '/api/segments/pros')).statusCode).toBe(404);
  });

  it.each([
    [{ all: [planPro, planPro, { any: [{ type: 'attribute', attribute: 'plan', op: 'gt', value: 'x' }] }] }, 'conditions.all.2.any.0.value'],
    [{ any: [{ type: 'nope' }] }, 'conditions.any.0.type'],
    [{ all: [] }, 'conditions.all'],
    [{ all: [planPro], extra: 1 }, 'conditions'],
    [{ not: { type: 'event', event: 'x', withinDays: 3, from: 0 } }, 'conditions.not.withinDays'],
    [{ type: 'attribute', attribute: 'bad name!', op: 'exists' }, 'conditions.attribute'],
    [{ type: 'event_aggregate', event: 'Order', fn: 'median', property: 'revenue', op: 'gt', value: 1 }, 'conditions.fn'],
    [{ type: 'attribute', attribute: 'birthday', op: 'anniversary_within_days', value: 400 }, 'conditions.value'],
  ])('rejects an invalid definition with the path of the bad field (%j → %s)', async (conditions, path) => {
    for (const url of ['/api/segments', '/api/segments/preview']) {
      const res = await call('POST', url, { name: `bad ${path}`, conditions });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.issues.map((i: { path: string }) => i.path)).toContain(path);
    }
  });

  it('answers 409 for a taken name, 404 for an unknown segment and 403 for a write key', async () => {
    await call('POST', '/api/segments', { name: 'Unique', conditions: planPro });
    const dup = await call('POST', '/api/segments', { name: 'Unique', conditions: planPro });
    expect(dup.statusCode).toBe(409);
    expect((await call('GET', '/api/segments/nope/contacts')).statusCode).toBe(404);
    const forbidden = await h.app.inject({ method: 'GET', url: '/api/segments', headers: t.write });
    expect(forbidden.statusCode).toBe(403);
  });

  it('documents the condition tree in OpenAPI', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const body = doc.paths['/api/segments'].post.requestBody.content['application/json'].schema;
    expect(body.properties.conditions.title).toBe('SegmentConditions');
    expect(JSON.stringify(body.properties.conditions)).toContain('event_aggregate');
  });
});
