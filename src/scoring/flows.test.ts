import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { fromJson } from '../core/json.js';
import { runtimeFixture, type RuntimeFixture } from '../journeys/runtime/runtime.testkit.js';
import { processDirty } from '../segments/task.js';
import { decayScores, decayed } from './decay.js';
import { ingest } from '../events/ingest.js';
import { toCall } from '../events/call.js';
import type { SegmentCall } from '../events/segment.js';
import { defaultSignals } from '../server/signal-sinks.js';

const DAY = 86_400_000;
const MONTH = 30 * DAY;

describe('decayed', () => {
  it('takes the percent per period, rounding toward zero, and reaches 0', () => {
    expect(decayed(100, 10, 1)).toBe(90);
    expect(decayed(100, 10, 2)).toBe(81);
    expect(decayed(-50, 10, 1)).toBe(-45);
    expect(decayed(5, 10, 1)).toBe(4);
    expect(decayed(1, 10, 1)).toBe(0);
    expect(decayed(7, 100, 1)).toBe(0);
  });
});

describe.each(backends())('lead scoring with segments, journeys and decay on %s', (kind) => {
  let f: RuntimeFixture;

  beforeAll(async () => {
    f = await runtimeFixture(kind);
  });
  afterAll(async () => f?.close());

  const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => f.h.app.inject({ method, url, headers: f.t.admin, ...(payload === undefined ? {} : { payload: payload as object }) });
  const contactId = async (userId: string) =>
    (await f.h.deps.store.db.selectFrom('contacts').select('id').where('workspace_id', '=', f.t.workspaceId).where('user_id', '=', userId).executeTakeFirstOrThrow()).id;
  const score = async (userId: string) => (await api('GET', `/api/contacts/${await contactId(userId)}/score`)).json();

  beforeAll(async () => {
    expect((await api('POST', '/api/scoring/rules', { id: 'demo', name: 'Demo request', kind: 'event', event: 'demo_requested', points: 30 })).statusCode).toBe(201);
    expect((await api('POST', '/api/scoring/rules', { id: 'webinar', name: 'Webinar', kind: 'event', event: 'webinar_registered', points: 10 })).statusCode).toBe(201);
  });

  it('a segment on a score threshold gets the contact once its score reaches it', async () => {
    const seg = await api('POST', '/api/segments', { id: 'mql', name: 'MQL', conditions: { type: 'lead_score', op: 'gte', value: 50 } });
    expect(seg.statusCode).toBe(201);
    await f.track('seg-1', 'demo_requested');
    await f.track('seg-1', 'webinar_registered');
    while ((await processDirty(f.h.deps)) > 0);
    const members = async () => (await f.h.deps.store.db.selectFrom('segment_members').select('contact_id').where('segment_id', '=', 'mql').execute()).map((r) => r.contact_id);
    expect(await members()).toEqual([]);
    await f.track('seg-1', 'webinar_registered');
    while ((await processDirty(f.h.deps)) > 0);
    expect(await members()).toEqual([await contactId('seg-1')]);
    await api('POST', `/api/contacts/${await contactId('seg-1')}/score`, { delta: -1 });
    while ((await processDirty(f.h.deps)) > 0);
    expect(await members()).toEqual([]);
  });

  it('a contact whose score crosses 50 enters the MQL journey, once; moving above 50 does not enter it again', async () => {
    await f.live({
      id: 'mql-nurture',
      name: 'MQL nurture',
      trigger: {
        type: 'event',
        event: 'lead_score.changed',
        where: [
          { property: 'to', op: 'gte', value: 50 },
          { property: 'from', op: 'lt', value: 50 },
        ],
      },
      entry: { reentry: { mode: 'always' } },
      start: 'hello',
      nodes: [
        { id: 'hello', type: 'message', channel: 'counting' },
        { id: 'done', type: 'exit' },
      ],
      edges: [{ from: 'hello', to: 'done' }],
    });
    await f.track('lead-1', 'demo_requested');
    await f.worker.drain();
    expect(await f.runs('mql-nurture')).toEqual([]);
    await f.track('lead-1', 'webinar_registered');
    await f.track('lead-1', 'webinar_registered');
    await f.worker.drain();
    const runs = await f.runs('mql-nurture');
    expect(runs.map((r) => [r.contactId, r.status])).toEqual([[await contactId('lead-1'), 'completed']]);
    expect(runs[0]!.trigger).toMatchObject({ from: 40, to: 50 });
    await f.track('lead-1', 'webinar_registered');
    await f.worker.drain();
    expect(await f.runs('mql-nurture')).toHaveLength(1);
  });

  it('decay: 10% per full month of inactivity, each month exactly once however often the task runs', async () => {
    expect((await api('PUT', '/api/scoring/settings', { decayPercent: 10, decayPeriod: '30d' })).json()).toEqual({ decayPercent: 10, decayPeriod: '30d' });
    const start = f.h.clock.now();
    for (let i = 0; i < 3; i++) await f.track('sleepy', 'demo_requested'); // 90
    await f.track('busy', 'demo_requested'); // 30
    f.h.clock.set(start + MONTH - 1);
    expect(await decayScores(f.h.deps)).toBe(0);
    await f.track('busy', 'page_viewed'); // activity: busy's month starts again
    f.h.clock.set(start + MONTH);
    expect(await decayScores(f.h.deps)).toBeGreaterThan(0);
    expect(await decayScores(f.h.deps)).toBe(0);
    expect((await score('sleepy')).score).toBe(81);
    expect((await score('busy')).score).toBe(30);
    // Three months on with nobody running the task: all three months at once, recorded as one change.
    f.h.clock.set(start + 4 * MONTH + DAY);
    await decayScores(f.h.deps);
    await decayScores(f.h.deps);
    const s = await score('sleepy');
    expect(s.score).toBe(decayed(81, 10, 3));
    expect(s.history.data.slice(0, 2).map((e: { reason: string; detail: unknown; to: number }) => [e.reason, e.detail, e.to])).toEqual([
      ['decay', { periods: 3, percent: 10 }, decayed(81, 10, 3)],
      ['decay', { periods: 1, percent: 10 }, 81],
    ]);
    const attrs = await f.h.deps.store.db
      .selectFrom('contacts')
      .select('attributes')
      .where('id', '=', await contactId('sleepy'))
      .executeTakeFirstOrThrow();
    expect(fromJson<Record<string, unknown>>(attrs.attributes).lead_score).toBe(decayed(81, 10, 3));
    expect((await score('busy')).score).toBe(decayed(30, 10, 3)); // its month started again at start + MONTH - 1
    // New activity: no decay until a full month without it.
    await f.track('sleepy', 'page_viewed');
    await f.track('busy', 'webinar_registered'); // a scored event is activity too
    f.h.clock.advance(MONTH - DAY);
    await decayScores(f.h.deps);
    expect((await score('sleepy')).score).toBe(decayed(81, 10, 3));
    expect((await score('busy')).score).toBe(decayed(30, 10, 3) + 10);
    f.h.clock.advance(DAY);
    await decayScores(f.h.deps);
    expect((await score('busy')).score).toBe(decayed(decayed(30, 10, 3) + 10, 10, 1));
  });

  it.runIf(kind === 'postgres')('two processes ingesting for one contact at once neither lose points nor both pass a cap', async () => {
    expect((await api('POST', '/api/scoring/rules', { id: 'trial', name: 'Trial', kind: 'event', event: 'trial_started', points: 20, maxPerContact: 1 })).statusCode).toBe(201);
    await f.track('racer', 'page_viewed');
    const other = f.h.database.reopen();
    const otherDeps = { store: other, signals: defaultSignals(other) };
    try {
      const call = (event: string, id: string) =>
        toCall({ type: 'track', userId: 'racer', anonymousId: null, event, properties: {}, messageId: id } as unknown as SegmentCall, { receivedAt: f.h.clock.now() });
      await Promise.all(Array.from({ length: 8 }, (_, i) => ingest(i % 2 ? otherDeps : f.h.deps, f.t.workspaceId, [call('trial_started', `race-t-${i}`), call('webinar_registered', `race-w-${i}`)])));
    } finally {
      await other.close();
    }
    const s = await score('racer');
    expect(s.score).toBe(20 + 8 * 10);
    expect(s.history.data.filter((e: { ruleId: string }) => e.ruleId === 'trial')).toHaveLength(1);
  });

  it.runIf(kind === 'postgres')('two workers decaying at the same time apply each month once (SKIP LOCKED)', async () => {
    await api('PUT', '/api/scoring/settings', { decayPercent: 10, decayPeriod: '30d' });
    for (let i = 0; i < 40; i++) await api('POST', '/api/contacts', { userId: `many-${i}` }).then(async (r) => api('POST', `/api/contacts/${r.json().id}/score`, { set: 100 }));
    f.h.clock.advance(MONTH + DAY);
    const other = f.h.database.reopen();
    try {
      const deps2 = { store: other, signals: defaultSignals(other), clock: f.h.clock };
      const runs = await Promise.all([0, 1, 2, 3].map((i) => decayScores(i % 2 ? deps2 : f.h.deps, 7)));
      expect(runs.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      while ((await decayScores(f.h.deps, 7)) + (await decayScores(deps2, 7)) > 0);
    } finally {
      await other.close();
    }
    const rows = await f.h.deps.store.db
      .selectFrom('score_history as h')
      .innerJoin('contacts as c', 'c.id', 'h.contact_id')
      .select('h.score_to')
      .where('c.user_id', 'like', 'many-%')
      .where('h.reason', '=', 'decay')
      .execute();
    expect(rows).toHaveLength(40);
  });
});
