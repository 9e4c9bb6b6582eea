/**
 * Keys reach only what they may: a write key reaches no management endpoint (neither reading nor
 * changing), and an admin key of workspace A cannot read, change or delete anything of workspace B,
 * even with B's real ids and well-formed bodies. Both are checked on every endpoint of the list.
 */
import { sql } from 'kysely';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../backends.js';
import { ENDPOINTS, type Endpoint } from './endpoints.js';
import { fingerprint, tableNames } from './fingerprint.js';
import { createWorld, type Resources, type World } from './world.js';

/** A well-formed body per endpoint, so a refusal is about the key, not the input. */
function validBody(e: Endpoint, own: Resources, other: Resources): object | undefined {
  const p = `${e.method} ${e.path}`;
  const bodies: Record<string, object> = {
    'POST /api/contacts': { userId: 'intruder', email: 'intruder@example.org' },
    'PATCH /api/contacts/:contactId': { attributes: { hijacked: true } },
    'PUT /api/contacts/:contactId/consent/:channel': { status: 'unsubscribed' },
    'POST /api/lists': { name: 'intruder' },
    'PATCH /api/lists/:listId': { name: 'hijacked' },
    'POST /api/lists/:listId/members': { contactIds: [own.contactId, other.contactId] },
    'PATCH /api/lists/:listId/members/:contactId': { status: 'unsubscribed' },
    'POST /api/keys': { kind: 'admin' },
    'POST /api/journeys/:journeyId/status': { status: 'live' },
    'POST /api/journeys/:journeyId/enroll': { contactIds: [other.contactId] },
    'POST /api/templates/:templateId/preview': {},
    'PUT /api/templates/:templateId': { name: 'hijacked', kind: 'transactional', content: { subject: 'Hijacked', body: '<p>hijacked</p>' } },
    'PATCH /api/workspace': { name: 'hijacked' },
    'POST /api/suppressions': { address: 'x@example.org' },
    'PATCH /api/segments/:segmentId': { name: 'hijacked' },
    'PATCH /api/forms/:formId': { name: 'hijacked' },
    'POST /api/messages/send': { template: other.templateId, to: { contactId: other.contactId } },
  };
  return bodies[p] ?? (e.method === 'GET' || e.method === 'DELETE' ? undefined : {});
}

function fill(path: string, r: Resources): string {
  const values: Record<string, string> = {
    contactId: r.contactId,
    listId: r.listId,
    formId: r.formId,
    segmentId: r.segmentId,
    journeyId: r.journeyId,
    templateId: r.templateId,
    messageId: r.messageId,
    keyId: r.keyId,
    version: '1',
    channel: 'email',
    address: encodeURIComponent('b@example.org'),
  };
  return path.replace(/:(\w+)/g, (_m, n: string) => values[n] ?? 'x');
}

/** A hash of every row that belongs to `workspaceId` (tables with a workspace_id column), and of the workspace row. */
async function workspaceFingerprint(w: World, workspaceId: string): Promise<string> {
  const store = w.k.h.deps.store;
  const h = createHash('sha256');
  for (const t of await tableNames(store)) {
    const probe = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(t)} LIMIT 1`.execute(store.db);
    const column = t === 'workspaces' ? 'id' : 'workspace_id';
    if (t !== 'workspaces' && probe.rows[0] && !('workspace_id' in probe.rows[0])) continue;
    const rows = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(t)} WHERE ${sql.ref(column)} = ${workspaceId}`.execute(store.db).catch(() => ({ rows: [] }));
    h.update(
      `${t}:${rows.rows
        .map((r) => JSON.stringify(r))
        .sort()
        .join(',')};`,
    );
  }
  return h.digest('hex');
}

const UPSERTS = new Set(['PUT /api/journeys/:journeyId']);

describe.each(backends())('keys and workspaces on %s', (kind) => {
  let w: World;
  beforeAll(async () => {
    w = await createWorld(kind);
    const res = await w.k.h.app.inject({ method: 'POST', url: '/api/suppressions', headers: w.b.admin, payload: { address: 'b@example.org' } });
    expect(res.statusCode).toBe(200);
  }, 120_000);
  afterAll(async () => w?.close());

  it('a write key can neither read nor change anything through the management API', async () => {
    const store = w.k.h.deps.store;
    const tables = await tableNames(store);
    const before = await fingerprint(store, tables);
    const admin = ENDPOINTS.filter((e) => e.key === 'admin');
    expect(admin.length).toBeGreaterThan(50);
    for (const e of admin) {
      const payload = validBody(e, w.ra, w.ra);
      const res = await w.k.h.app.inject({ method: e.method, url: fill(e.path, w.ra), headers: w.a.write, ...(payload ? { payload } : {}) });
      expect(res.statusCode, `${e.method} ${e.path}: ${res.body}`).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
    expect((await fingerprint(store, tables)).hash).toBe(before.hash);
  });

  it("A's lists of contacts, lists, forms, segments, journeys, templates, keys, messages and suppressions show nothing of B's", async () => {
    const bIds = [w.rb.contactId, w.rb.listId, w.rb.formId, w.rb.segmentId, w.rb.journeyId, w.rb.templateId, w.rb.keyId, 'b@example.org', w.b.workspaceId];
    for (const e of ENDPOINTS.filter((x) => x.key === 'admin' && x.method === 'GET' && !x.path.includes(':'))) {
      const res = await w.k.h.app.inject({ method: 'GET', url: e.path, headers: w.a.admin });
      expect(res.statusCode, e.path).toBe(200);
      for (const id of bIds) expect(res.body, `${e.path} shows ${id}`).not.toContain(id);
    }
  });

  it("an admin key of workspace A gets 404 for every one of workspace B's resources, and B is unchanged", async () => {
    const before = await workspaceFingerprint(w, w.b.workspaceId);
    const withIds = ENDPOINTS.filter((e) => e.key === 'admin' && /:(contactId|listId|formId|segmentId|journeyId|templateId|keyId|address)/.test(e.path));
    expect(withIds.length).toBeGreaterThan(30);
    for (const e of withIds) {
      if (UPSERTS.has(`${e.method} ${e.path}`)) continue;
      const payload = validBody(e, w.ra, w.rb);
      const res = await w.k.h.app.inject({ method: e.method, url: fill(e.path, w.rb), headers: w.a.admin, ...(payload ? { payload } : {}) });
      expect(res.statusCode, `${e.method} ${fill(e.path, w.rb)}: ${res.body}`).toBe(404);
    }
    // Journey and template ids are names chosen per workspace: A's PUT of B's name makes A's own.
    const upserts: Array<[string, object]> = [
      [`/api/journeys/${w.rb.journeyId}`, { name: 'mine', trigger: { type: 'event', event: 'x' }, start: 'done', nodes: [{ id: 'done', type: 'exit' }], edges: [] }],
    ];
    for (const [url, payload] of upserts) {
      const res = await w.k.h.app.inject({ method: 'PUT', url, headers: w.a.admin, payload });
      expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(300);
    }
    // The other way round for the one message: B's admin key does not see A's message.
    expect((await w.k.h.app.inject({ method: 'GET', url: `/api/messages/${w.ra.messageId}`, headers: w.b.admin })).statusCode).toBe(404);
    expect(await workspaceFingerprint(w, w.b.workspaceId)).toBe(before);
  });
});
