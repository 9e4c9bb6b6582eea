import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { createList } from '../../lists/lists.js';
import { addMembers } from '../../lists/memberships.js';
import { runtimeFixture, type RuntimeFixture } from './runtime.testkit.js';

const DAY = 86_400_000;
const msg = (id: string, config: Record<string, unknown> = {}) => ({ id, type: 'message', channel: 'counting', config });

function chain(id: string, event: string, delay: string, messages: { id: string; config?: Record<string, unknown> }[]) {
  const nodes = [{ id: 'd1', type: 'delay', duration: delay }, ...messages.map((m) => msg(m.id, m.config)), { id: 'done', type: 'exit' }];
  const ids = nodes.map((n) => n.id);
  return { id, name: id, trigger: { type: 'event', event }, start: 'd1', nodes, edges: ids.slice(1).map((to, i) => ({ from: ids[i]!, to })) };
}

describe.each(backends())('journey versions, list triggers and run history on %s', (kind) => {
  let f: RuntimeFixture;
  beforeAll(async () => {
    f = await runtimeFixture(kind);
  });
  afterAll(async () => f?.close());
  const outcomes = async (runId: string) => (await f.steps(runId)).map((s) => `${s.node}:${s.outcome}`);

  it('a run moves to a newer live version when its node still exists there; its computed delay keeps its due time', async () => {
    await f.live(chain('evolving', 'go-evolving', '1d', [{ id: 'm1' }]));
    const c = await f.contact({ userId: 'evo' });
    await f.track('evo', 'go-evolving');
    await f.worker.drain();
    const [before] = await f.runs('evolving');
    expect(before!.dueAt).toBe(f.h.clock.now() + DAY);
    expect(await f.live(chain('evolving', 'go-evolving', '5d', [{ id: 'm1', config: { v: 2 } }, { id: 'm2' }]))).toBe(2);
    const [still] = await f.runs('evolving');
    expect(still!.dueAt).toBe(before!.dueAt); // not rescheduled by the edit
    await f.advance(DAY);
    const [after] = (await f.runs('evolving')).filter((r) => r.contactId === c.id);
    expect(after!.version).toBe(2);
    expect(await outcomes(after!.id)).toEqual(['d1:delayed', 'm1:sent', 'm2:sent', 'done:completed']);
  });

  it('a run whose node was removed in the newer version finishes on its own version', async () => {
    await f.live(chain('shrinking', 'go-shrinking', '1d', [{ id: 'old' }]));
    await f.contact({ userId: 'shr' });
    await f.track('shr', 'go-shrinking');
    await f.worker.drain();
    await f.live(chain('shrinking', 'go-shrinking', '1d', [{ id: 'new' }]));
    await f.advance(DAY);
    const [run] = await f.runs('shrinking');
    expect(run!.version).toBe(1);
    expect(await outcomes(run!.id)).toEqual(['d1:delayed', 'old:sent', 'done:completed']);
  });

  it('joining a list (by id or by name) starts a list_joined journey', async () => {
    const list = await createList(f.h.deps, f.t.workspaceId, { name: 'Newsletter' });
    for (const [id, ref] of [
      ['by-id', list.id],
      ['by-name', 'Newsletter'],
    ] as const) {
      await f.live({ id, name: id, trigger: { type: 'list_joined', list: ref }, start: 'm', nodes: [msg('m'), { id: 'done', type: 'exit' }], edges: [{ from: 'm', to: 'done' }] });
    }
    const c = await f.contact({ userId: 'reader' });
    await addMembers(f.h.deps, f.t.workspaceId, list.id, { contactIds: [c.id] });
    await f.worker.drain();
    for (const id of ['by-id', 'by-name']) {
      const runs = await f.runs(id);
      expect(runs).toHaveLength(1);
      expect(runs[0]!.trigger).toEqual({ listId: list.id });
      expect(runs[0]!.status).toBe('completed');
    }
  });

  it('a segment_entered signal starts the journeys triggered by that segment', async () => {
    await f.live({
      id: 'vip-welcome',
      name: 'vip',
      trigger: { type: 'segment_entered', segment: 'seg_vip' },
      start: 'm',
      nodes: [msg('m'), { id: 'done', type: 'exit' }],
      edges: [{ from: 'm', to: 'done' }],
    });
    const c = await f.contact({ userId: 'vip' });
    const other = await f.contact({ userId: 'not-vip' });
    const now = f.h.clock.now();
    await f.h.deps.store.transaction((trx) =>
      f.h.deps.signals.emit(
        trx,
        [
          { kind: 'segment_entered', workspaceId: f.t.workspaceId, contactId: c.id, segmentId: 'seg_vip' },
          { kind: 'segment_entered', workspaceId: f.t.workspaceId, contactId: other.id, segmentId: 'seg_other' },
        ],
        now,
      ),
    );
    await f.worker.drain();
    const runs = await f.runs('vip-welcome');
    expect(runs.map((r) => [r.contactId, r.status])).toEqual([[c.id, 'completed']]);
    expect(runs[0]!.trigger).toEqual({ segmentId: 'seg_vip' });
  });

  it('GET /api/contacts/:id/journeys shows where a contact is and why; GET /api/journeys/:id/runs pages and filters', async () => {
    const c = await f.contact({ userId: 'watched' });
    await f.track('watched', 'go-evolving');
    await f.worker.drain();
    let res = await f.h.app.inject({ method: 'GET', url: `/api/contacts/${c.id}/journeys`, headers: f.t.admin });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.runs).toHaveLength(1);
    expect(body.runs[0]).toMatchObject({ journeyId: 'evolving', version: 2, status: 'active', currentNode: 'm1', dueAt: f.h.clock.now() + 5 * DAY });
    expect(body.runs[0].steps).toEqual([expect.objectContaining({ node: 'd1', visit: 1, outcome: 'delayed', detail: { until: f.h.clock.now() + 5 * DAY } })]);
    res = await f.h.app.inject({ method: 'GET', url: '/api/contacts/ct_missing/journeys', headers: f.t.admin });
    expect(res.statusCode).toBe(404);

    res = await f.h.app.inject({ method: 'GET', url: '/api/journeys/evolving/runs?limit=1', headers: f.t.admin });
    expect(res.statusCode).toBe(200);
    expect(res.json().runs).toHaveLength(1);
    expect(res.json().next).toBe(res.json().runs[0].id);
    const second = await f.h.app.inject({ method: 'GET', url: `/api/journeys/evolving/runs?limit=1&after=${res.json().next}`, headers: f.t.admin });
    expect(second.json().runs).toHaveLength(1);
    expect(second.json().next).toBeNull();
    res = await f.h.app.inject({ method: 'GET', url: '/api/journeys/evolving/runs?status=active', headers: f.t.admin });
    expect(res.json().runs.map((r: { contactId: string }) => r.contactId)).toEqual([c.id]);
    res = await f.h.app.inject({ method: 'GET', url: '/api/journeys/evolving/runs?status=bogus', headers: f.t.admin });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues[0].path).toBe('querystring.status');
    res = await f.h.app.inject({ method: 'GET', url: '/api/journeys/nope/runs', headers: f.t.admin });
    expect(res.statusCode).toBe(404);
  });
});
