import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { recordAudit } from './audit.js';

describe.each(backends())('GET /api/audit on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
  });
  afterAll(async () => h?.close());

  const get = (url: string, headers = t.admin) => h.app.inject({ method: 'GET', url, headers });

  it('pages through the log oldest first with a cursor, filtered by action and subject, one workspace only', async () => {
    const other = await h.tenant();
    for (let i = 0; i < 5; i++) {
      await recordAudit(h.deps.store.db, { workspaceId: t.workspaceId, actor: 'key_1', action: i % 2 ? 'contact.erased' : 'contact.exported', subject: `ct_${i}`, details: { n: i }, at: 1000 + i });
    }
    await recordAudit(h.deps.store.db, { workspaceId: other.workspaceId, actor: null, action: 'contact.erased', subject: 'ct_x', at: 1 });
    const first = (await get('/api/audit?limit=2')).json();
    expect(first.data.map((e: { subject: string }) => e.subject)).toEqual(['ct_0', 'ct_1']);
    expect(first.data[1]).toEqual({ id: expect.any(Number), actor: 'key_1', action: 'contact.erased', subject: 'ct_1', details: { n: 1 }, at: 1001 });
    const second = (await get(`/api/audit?limit=2&cursor=${first.nextCursor}`)).json();
    expect(second.data.map((e: { subject: string }) => e.subject)).toEqual(['ct_2', 'ct_3']);
    const last = (await get(`/api/audit?limit=2&cursor=${second.nextCursor}`)).json();
    expect(last).toEqual({ data: [expect.objectContaining({ subject: 'ct_4' })], nextCursor: null });
    expect((await get('/api/audit?action=contact.erased')).json().data.map((e: { subject: string }) => e.subject)).toEqual(['ct_1', 'ct_3']);
    expect((await get('/api/audit?subject=ct_4')).json().data).toHaveLength(1);
    expect((await get('/api/audit', other.admin)).json().data.map((e: { subject: string }) => e.subject)).toEqual(['ct_x']);
  });

  it('needs an admin key, validates its query and is in the OpenAPI document with the export route', async () => {
    expect((await get('/api/audit', t.write)).statusCode).toBe(403);
    expect((await h.app.inject({ method: 'GET', url: '/api/audit' })).statusCode).toBe(401);
    expect((await get('/api/audit?limit=0')).json().error.issues[0].path).toBe('querystring.limit');
    expect((await get('/api/audit?cursor=xyz')).statusCode).toBe(400);
    const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/audit', '/api/contacts/{id}/export']));
    expect(doc.paths['/api/contacts/{id}'].delete.parameters.map((p: { name: string }) => p.name)).toContain('erase');
  });
});
