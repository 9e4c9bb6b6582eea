import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { explain, numbers } from '../../../test/plans.js';
import { previousRunsQuery } from './enroll.js';
import { runtimeFixture, type RuntimeFixture } from './runtime.testkit.js';

const DAY = 86_400_000;

function oneDay(id: string, reentry: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    id,
    name: id,
    trigger: { type: 'event', event: `go-${id}` },
    entry: { reentry },
    start: 'd1',
    nodes: [
      { id: 'd1', type: 'delay', duration: '1d' },
      { id: 'done', type: 'exit' },
    ],
    edges: [{ from: 'd1', to: 'done' }],
    ...extra,
  };
}

describe.each(backends())('journey entry rules on %s', (kind) => {
  let f: RuntimeFixture;
  beforeAll(async () => {
    f = await runtimeFixture(kind);
  });
  afterAll(async () => f?.close());

  async function go(journey: string, userId: string, props: Record<string, unknown> = {}) {
    await f.track(userId, `go-${journey}`, props);
    await f.worker.drain();
    return (await f.runs(journey)).filter((r) => r.contactId === contacts.get(userId));
  }
  const contacts = new Map<string, string>();
  async function person(userId: string, attributes: Record<string, unknown> = {}) {
    const c = await f.contact({ userId, attributes });
    contacts.set(userId, c.id);
    return c;
  }

  it('reentry never: a contact enters once, ever', async () => {
    await f.live(oneDay('never', { mode: 'never' }));
    await person('n1');
    expect(await go('never', 'n1')).toHaveLength(1);
    expect(await go('never', 'n1')).toHaveLength(1);
    await f.advance(2 * DAY);
    expect(await go('never', 'n1')).toHaveLength(1);
  });

  it('reentry after_exit: again only once the previous run ended', async () => {
    await f.live(oneDay('after-exit', { mode: 'after_exit' }));
    await person('a1');
    expect(await go('after-exit', 'a1')).toHaveLength(1);
    expect(await go('after-exit', 'a1')).toHaveLength(1); // open run: skipped
    await f.advance(DAY);
    const runs = await go('after-exit', 'a1');
    expect(runs.map((r) => r.status)).toEqual(['completed', 'active']);
  });

  it('reentry always: a new trigger restarts the run, ending the open one', async () => {
    await f.live(oneDay('always', { mode: 'always' }));
    await person('al1');
    await go('always', 'al1');
    f.h.clock.advance(1000);
    const runs = await go('always', 'al1');
    expect(runs.map((r) => [r.status, r.exitReason])).toEqual([
      ['exited', 'reentered'],
      ['active', null],
    ]);
  });

  it('reentry after_interval counts from entry or from exit as configured', async () => {
    await f.live(oneDay('every-week', { mode: 'after_interval', interval: '7d', from: 'entry' }));
    await f.live(oneDay('week-after-exit', { mode: 'after_interval', interval: '7d', from: 'exit' }));
    await person('i1');
    await go('every-week', 'i1');
    await go('week-after-exit', 'i1');
    await f.advance(DAY); // both runs end now (entered at t0, ended at t0 + 1d)
    await f.advance(6 * DAY - 1);
    expect(await go('every-week', 'i1')).toHaveLength(1);
    await f.advance(1); // t0 + 7d: 7 days since entry
    expect(await go('every-week', 'i1')).toHaveLength(2);
    expect(await go('week-after-exit', 'i1')).toHaveLength(1); // only 6 days since exit
    await f.advance(DAY);
    expect(await go('week-after-exit', 'i1')).toHaveLength(2);
  });

  it('the entry filter keeps contacts out', async () => {
    await f.live(oneDay('pro-only', { mode: 'never' }, { entry: { filter: { field: 'contact.plan', op: 'eq', value: 'pro' }, reentry: { mode: 'never' } } }));
    await person('free', { plan: 'free' });
    await person('pro', { plan: 'pro' });
    expect(await go('pro-only', 'free')).toHaveLength(0);
    expect(await go('pro-only', 'pro')).toHaveLength(1);
  });

  it('an A/B split is sticky per contact and node across re-entries, and splits by weight', async () => {
    await f.live({
      id: 'ab',
      name: 'ab',
      trigger: { type: 'event', event: 'go-ab' },
      entry: { reentry: { mode: 'after_exit' } },
      start: 's',
      nodes: [
        {
          id: 's',
          type: 'split',
          variants: [
            { output: 'a', weight: 1 },
            { output: 'b', weight: 1 },
          ],
        },
        { id: 'ea', type: 'exit' },
        { id: 'eb', type: 'exit' },
      ],
      edges: [
        { from: 's', output: 'a', to: 'ea' },
        { from: 's', output: 'b', to: 'eb' },
      ],
    });
    const variants: Record<string, number> = { a: 0, b: 0 };
    for (let i = 0; i < 40; i++) {
      await person(`ab${i}`);
      const first = await go('ab', `ab${i}`);
      const second = await go('ab', `ab${i}`);
      expect(second).toHaveLength(2);
      const [v1, v2] = await Promise.all(second.map(async (r) => (await f.steps(r.id))[0]!.outcome));
      expect(v2).toBe(v1);
      variants[v1!]!++;
      expect(first).toHaveLength(1);
    }
    expect(variants.a).toBeGreaterThan(8);
    expect(variants.b).toBeGreaterThan(8);
  });

  it('a branch routes on trigger.*, contact.* and performed', async () => {
    await f.live({
      id: 'router',
      name: 'router',
      trigger: { type: 'event', event: 'go-router' },
      entry: { reentry: { mode: 'after_exit' } },
      start: 'b',
      nodes: [
        {
          id: 'b',
          type: 'branch',
          branches: [
            { output: 'big', condition: { field: 'trigger.total', op: 'gt', value: 100 } },
            { output: 'vip', condition: { all: [{ field: 'contact.tier', op: 'eq', value: 'gold' }, { performed: { event: 'visited', within: '1d' } }] } },
          ],
        },
        { id: 'e1', type: 'exit' },
        { id: 'e2', type: 'exit' },
        { id: 'e3', type: 'exit' },
      ],
      edges: [
        { from: 'b', output: 'big', to: 'e1' },
        { from: 'b', output: 'vip', to: 'e2' },
        { from: 'b', output: 'else', to: 'e3' },
      ],
    });
    await person('r1', { tier: 'gold' });
    const outcome = async (props: Record<string, unknown>) => {
      f.h.clock.advance(1000); // runs sort by entry time
      const runs = await go('router', 'r1', props);
      return (await f.steps(runs[runs.length - 1]!.id))[0]!.outcome;
    };
    expect(await outcome({ total: 150 })).toBe('big');
    expect(await outcome({ total: 50 })).toBe('else');
    await f.track('r1', 'visited');
    expect(await outcome({ total: 50 })).toBe('vip');
    await f.advance(2 * DAY);
    expect(await outcome({ total: 50 })).toBe('else');
  });

  it('POST /api/journeys/:id/enroll enrols contacts by id or userId and reports the skipped ones', async () => {
    await f.live({ ...oneDay('manual', { mode: 'never' }), trigger: { type: 'manual' } });
    const m1 = await person('m1');
    await person('m2');
    let res = await f.h.app.inject({ method: 'POST', url: '/api/journeys/manual/enroll', headers: f.t.admin, payload: { contactIds: [m1.id, 'ct_nope'] } });
    expect(res.statusCode).toBe(200);
    expect(res.json().enrolled).toHaveLength(1);
    expect(res.json().skipped).toEqual([{ contactId: 'ct_nope', reason: 'contact_not_found' }]);
    res = await f.h.app.inject({ method: 'POST', url: '/api/journeys/manual/enroll', headers: f.t.admin, payload: { userIds: ['m1', 'm2'] } });
    expect(res.json().enrolled).toHaveLength(1);
    expect(res.json().skipped).toEqual([{ contactId: m1.id, userId: 'm1', reason: 'already_in_journey' }]);
    res = await f.h.app.inject({ method: 'POST', url: '/api/journeys/manual/enroll', headers: f.t.admin, payload: {} });
    expect(res.statusCode).toBe(400);
    res = await f.h.app.inject({ method: 'POST', url: '/api/journeys/nope/enroll', headers: f.t.admin, payload: { userIds: ['m1'] } });
    expect(res.statusCode).toBe(404);
    res = await f.h.app.inject({ method: 'POST', url: '/api/journeys/manual/enroll', headers: f.t.write, payload: { userIds: ['m1'] } });
    expect(res.statusCode).toBe(403);
  });

  it("reads the contact's previous run from the contact's runs, not by scanning the journey's runs", async () => {
    // 3,000 ended and 3,000 open runs of one journey (a journey that ran for a while and a big
    // enrolment under way), on tables PostgreSQL has not analyzed.
    const db = f.h.deps.store.db;
    await sql`INSERT INTO journey_runs (id, workspace_id, journey_id, version, contact_id, status, current_node, visit, trigger_props, event_props, data, entered_at, updated_at, attempts, ended_at)
      SELECT 'run_bulk_' || n, ${f.t.workspaceId}, 'bulk', 1, 'ct_bulk_' || n, 'completed', 'done', 2, '{}', '{}', '{}', n, n, 0, n + 1 FROM (${numbers(kind, 3000)}) AS s`.execute(db);
    await sql`INSERT INTO journey_runs (id, workspace_id, journey_id, version, contact_id, status, current_node, visit, trigger_props, event_props, data, entered_at, updated_at, attempts, due_at)
      SELECT 'run_open_' || n, ${f.t.workspaceId}, 'bulk', 1, 'ct_open_' || n, 'active', 'd1', 1, '{}', '{}', '{}', n, n, 0, n FROM (${numbers(kind, 3000)}) AS s`.execute(db);
    for (const contacts of [['ct_bulk_7'], ['ct_open_7'], ['ct_new'], ['ct_bulk_7', 'ct_open_8', 'ct_new']]) {
      const text = await explain(db, kind, previousRunsQuery(db, f.t.workspaceId, contacts, 'bulk').compile());
      expect(text).toMatch(/journey_runs_contact\b/);
      expect(text).not.toMatch(/journey_runs_entered|journey_runs_one_open|Seq Scan|SCAN journey_runs(?! USING)/);
    }
    const found = await previousRunsQuery(db, f.t.workspaceId, ['ct_bulk_7', 'ct_open_8', 'ct_new'], 'bulk').execute();
    expect(found.map((r) => r.id).sort()).toEqual(['run_bulk_7', 'run_open_8']);
  });

  it('a batch enrolment applies the entry rules per contact: chunks of 500, a contact listed twice, re-entry always', async () => {
    await f.live({ ...oneDay('batch-always', { mode: 'always' }), trigger: { type: 'manual' } });
    await f.live({ ...oneDay('batch-never', { mode: 'never' }), trigger: { type: 'manual' } });
    const db = f.h.deps.store.db;
    await sql`INSERT INTO contacts (id, workspace_id, user_id, email, attributes, created_at, updated_at)
      SELECT 'ct_batch_' || n, ${f.t.workspaceId}, 'batch-' || n, NULL, '{}', 0, 0 FROM (${numbers(kind, 1200)}) AS s`.execute(db);
    const ids = Array.from({ length: 1200 }, (_, i) => `ct_batch_${i + 1}`);
    const enrol = async (journey: string, contactIds: string[]) => {
      const res = await f.h.app.inject({ method: 'POST', url: `/api/journeys/${journey}/enroll`, headers: f.t.admin, payload: { contactIds } });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { enrolled: { contactId: string; runId: string }[]; skipped: { contactId?: string; reason: string }[] };
    };
    // 1,000 of 1,200 first, then all 1,200: only the 200 new ones enter a `never` journey.
    expect((await enrol('batch-never', ids.slice(0, 1000))).enrolled).toHaveLength(1000);
    const second = await enrol('batch-never', ids);
    expect(second.enrolled.map((e) => e.contactId).sort()).toEqual(ids.slice(1000).sort());
    expect(second.skipped).toHaveLength(1000);
    expect(new Set(second.skipped.map((s) => s.reason))).toEqual(new Set(['already_in_journey']));
    // `always`: listed twice, the second entry ends the first run (reentered) and starts another.
    const twice = await enrol('batch-always', ['ct_batch_1', 'ct_batch_2', 'ct_batch_1']);
    expect(twice.enrolled.map((e) => e.contactId)).toEqual(['ct_batch_1', 'ct_batch_2', 'ct_batch_1']);
    const runs = await db.selectFrom('journey_runs').select(['id', 'status', 'exit_reason']).where('journey_id', '=', 'batch-always').where('contact_id', '=', 'ct_batch_1').execute();
    const byId = new Map(runs.map((r) => [r.id, [r.status, r.exit_reason]]));
    expect(runs).toHaveLength(2);
    expect(byId.get(twice.enrolled[0]!.runId)).toEqual(['exited', 'reentered']);
    expect(byId.get(twice.enrolled[2]!.runId)).toEqual(['active', null]);
  });
});
