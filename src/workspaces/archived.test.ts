/**
 * The worker skips an archived workspace's due work and keeps it: a journey run waiting in an
 * archived workspace is not stepped however late it gets, and goes on once the workspace is
 * unarchived; a broadcast due in it does not start until then; its scheduled work over stored data
 * (segment recomputation, score decay, anomaly scan, model training) waits too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { runtimeFixture, type RuntimeFixture } from '../journeys/runtime/runtime.testkit.js';
import { broadcastFixture, type BroadcastFixture } from '../broadcasts/test-kit.js';
import { countingChannel } from '../channels/counting/counting.js';
import { setArchived } from './manage.js';
import { refreshDueSegment } from '../segments/task.js';
import { dueWorkspace } from '../insights/predict-task.js';
import { scanNextWorkspace } from '../insights/scan.js';
import { decayScores } from '../scoring/decay.js';

const DAY = 24 * 3_600_000;

describe.each(backends())('the worker and archived workspaces on %s', (kind) => {
  let f: RuntimeFixture;
  let bf: BroadcastFixture;
  beforeAll(async () => {
    f = await runtimeFixture(kind);
    bf = await broadcastFixture(kind);
  });
  afterAll(async () => {
    await f?.close();
    await bf?.close();
  });

  it("holds an archived workspace's waiting journey runs, and resumes them when it is unarchived", async () => {
    const msg = (id: string) => ({ id, type: 'message', channel: 'counting', kind: 'marketing' });
    await f.live({
      id: 'drip',
      name: 'drip',
      trigger: { type: 'event', event: 'go' },
      start: 'm1',
      nodes: [msg('m1'), { id: 'd1', type: 'delay', duration: '1d' }, msg('m2'), { id: 'done', type: 'exit' }],
      edges: [
        { from: 'm1', to: 'd1' },
        { from: 'd1', to: 'm2' },
        { from: 'm2', to: 'done' },
      ],
    });
    await f.contact({ userId: 'ana' });
    await f.track('ana', 'go');
    await f.worker.drain();
    const [run] = await f.runs('drip');
    const outcomes = async () => (await f.steps(run!.id)).map((s) => `${s.node}:${s.outcome}`);
    expect(await outcomes()).toEqual(['m1:sent', 'd1:delayed']);

    await setArchived(f.h.deps, f.t.workspaceId, true);
    await f.advance(3 * DAY);
    expect(await outcomes()).toEqual(['m1:sent', 'd1:delayed']);
    expect((await f.runs('drip'))[0]).toMatchObject({ node: run!.node, status: run!.status, dueAt: run!.dueAt });

    await setArchived(f.h.deps, f.t.workspaceId, false);
    await f.advance(0);
    expect(await outcomes()).toEqual(['m1:sent', 'd1:delayed', 'm2:sent', 'done:completed']);
  });

  it("waits with an archived workspace's scheduled recomputation, score decay, anomaly scan and model training", async () => {
    const { h, t } = f;
    const seg = await h.app.inject({
      method: 'POST',
      url: '/api/segments',
      headers: t.admin,
      payload: { name: 'active this week', refreshIntervalMinutes: 60, conditions: { type: 'event', event: 'go', withinDays: 7 } },
    });
    expect(seg.statusCode, seg.body).toBe(201);
    const computedAt = async () => Number((await h.deps.store.db.selectFrom('segments').select('computed_at').where('id', '=', seg.json().id).executeTakeFirstOrThrow()).computed_at);
    const scannedThrough = async () =>
      (await h.deps.store.db.selectFrom('insight_settings').select('scanned_through').where('workspace_id', '=', t.workspaceId).executeTakeFirst())?.scanned_through ?? null;
    const scanAll = async () => {
      for (let i = 0; i < 5; i++) await scanNextWorkspace({ ...h.deps, email: countingChannel(h.deps) });
    };
    await h.deps.store.db.updateTable('insight_settings').set({ scanned_through: null }).where('workspace_id', '=', t.workspaceId).execute();
    const dee = await f.contact({ userId: 'dee' });
    const now = h.clock.now();
    await h.deps.store.db
      .insertInto('lead_scores')
      .values({ contact_id: dee.id, workspace_id: t.workspaceId, score: 40, last_activity_at: now - 30 * DAY, next_decay_at: now, updated_at: now })
      .execute();

    await setArchived(h.deps, t.workspaceId, true);
    h.clock.advance(2 * 3_600_000);
    const before = await computedAt();
    expect(await refreshDueSegment(h.deps)).toBe(0);
    expect(await computedAt()).toBe(before);
    expect(await decayScores(h.deps)).toBe(0);
    expect(await dueWorkspace(h.deps, DAY)).not.toBe(t.workspaceId);
    await scanAll();
    expect(await scannedThrough()).toBeNull();

    await setArchived(h.deps, t.workspaceId, false);
    expect(await refreshDueSegment(h.deps)).toBe(1);
    expect(await computedAt()).toBe(h.clock.now());
    expect(await decayScores(h.deps)).toBe(1);
    expect(await dueWorkspace(h.deps, DAY)).toBe(t.workspaceId);
    await scanAll();
    expect(await scannedThrough()).not.toBeNull();
  });

  it('does not start a broadcast due in an archived workspace until it is unarchived', async () => {
    const contact = await bf.contact('ines@example.com');
    const listId = await bf.list([contact]);
    const { task } = bf.worker([countingChannel(bf.h.deps)]);
    const sendAt = bf.h.clock.now() + 60_000;
    const b = await bf.launch({ channel: 'counting', template: null, audience: { type: 'list', id: listId } }, sendAt);
    await setArchived(bf.h.deps, bf.t.workspaceId, true);
    bf.h.clock.advance(DAY);
    await bf.drain(task);
    expect((await bf.get(b.id)).status).toBe('scheduled');
    await setArchived(bf.h.deps, bf.t.workspaceId, false);
    await bf.drain(task);
    expect((await bf.get(b.id)).progress).toMatchObject({ sent: 1, remaining: 0 });
  });
});
