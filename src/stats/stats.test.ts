import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { emailKit, type EmailKit } from '../channels/email/test-kit.js';
import type { EmailChannel } from '../channels/email/index.js';
import { applyJourney } from '../journeys/journeys.js';
import { createRuntime, type JourneyRuntime } from '../journeys/runtime/runtime.js';
import { journeyTask } from '../journeys/runtime/scheduler.js';
import { stickyBucket } from '../journeys/runtime/nodes/flow.js';
import { Worker } from '../worker/worker.js';
import { createContact } from '../contacts/contacts.js';
import type { Contact } from '../contacts/contact.js';
import { findMessage, type Message } from '../messages/records.js';
import { recordClick, recordOpen } from '../tracking/record.js';
import { applyFeedback } from '../bounces/apply.js';
import { unsubscribe } from '../unsubscribe/unsubscribe.js';
import { fromJson } from '../core/json.js';
import { journeyFunnel, journeyStats, overviewStats, templateStats } from './stats.js';
import { saveStatsSettings } from './settings.js';
import { formatJourneyStats } from '../cli/commands/stats.js';
import { journeyStatsCached, refreshStaleSnapshot } from './snapshots.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const HUMAN_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Thunderbird/115.0';

/**
 * One journey driven through the real runtime and SMTP: a 50/50 split between a welcome email and
 * a holdout that sends nothing; goal `purchase` with a value; exit on `cancel`. Five contacts get the
 * mail, two are held out, and then (exactly) this happens:
 *   mail[0]: human open (+1 h), click (+2 h), purchase 50 (+1 d)  → attributed to the click
 *   mail[1]: machine open only, purchase 20 (+1 d)                → converted, not attributed
 *   mail[2]: hard bounce;  mail[3]: complaint;  mail[4]: human open, then unsubscribes
 *   hold[0]: purchase 30 (converted, nothing to attribute);  hold[1]: cancel (exited)
 */
describe.each(backends())('stats from stored rows on %s', (kind) => {
  let kit: EmailKit;
  let rt: JourneyRuntime;
  let worker: Worker;
  let mail: Contact[];
  let hold: Contact[];
  let messages: Message[];
  let seq = 0;
  const track = async (userId: string, event: string, properties: Record<string, unknown> = {}) => {
    const res = await kit.h.app.inject({ method: 'POST', url: '/v1/track', headers: kit.t.write, payload: { userId, event, properties, messageId: `s-${++seq}` } });
    expect(res.statusCode).toBe(200);
  };

  beforeAll(async () => {
    kit = await emailKit(kind);
    rt = createRuntime(kit.h.deps);
    worker = new Worker([journeyTask(rt)], { pollIntervalMs: 10, shutdownTimeoutMs: 1000, log: pino({ level: 'silent' }) });
    await applyJourney(kit.h.deps, kit.t.workspaceId, {
      id: 'welcome',
      name: 'Welcome',
      status: 'live',
      trigger: { type: 'manual' },
      start: 'ab',
      nodes: [
        {
          id: 'ab',
          type: 'split',
          variants: [
            { output: 'mail', weight: 1 },
            { output: 'hold', weight: 1 },
          ],
        },
        { id: 'm1', type: 'message', channel: 'email', template: 'welcome-1' },
        { id: 'wait', type: 'delay', duration: '7d' },
        { id: 'done', type: 'exit' },
      ],
      edges: [
        { from: 'ab', output: 'mail', to: 'm1' },
        { from: 'ab', output: 'hold', to: 'wait' },
        { from: 'm1', to: 'wait' },
        { from: 'wait', to: 'done' },
      ],
      goal: { event: 'purchase', valueProperty: 'amount' },
      exitWhen: [{ event: 'cancel' }],
    });
    // Contact ids are random, so the split's sticky buckets are too: make contacts until both groups are full.
    mail = [];
    hold = [];
    for (let i = 0; mail.length < 5 || hold.length < 2; i++) {
      const c = await createContact(kit.h.deps, kit.t.workspaceId, { userId: `u${i}`, email: `u${i}@example.com`, attributes: {} });
      const group = stickyBucket(c.id, 'ab') < 0.5 ? mail : hold;
      if (group.length < (group === mail ? 5 : 2)) group.push(c);
    }
    const res = await kit.h.app.inject({ method: 'POST', url: '/api/journeys/welcome/enroll', headers: kit.t.admin, payload: { contactIds: [...mail, ...hold].map((c) => c.id) } });
    expect(res.statusCode).toBe(200);
    await worker.drain();
    await kit.sink.waitFor(5);
    const byContact = async (c: Contact) =>
      (await findMessage(kit.h.deps.store.db, (await kit.h.deps.store.db.selectFrom('messages').select('id').where('contact_id', '=', c.id).executeTakeFirstOrThrow()).id))!;
    messages = [];
    for (const c of mail) messages.push(await byContact(c));
    const store = kit.h.deps.store;
    const at = (ms: number) => ({ now: kit.h.clock.now() + ms });
    kit.h.clock.advance(HOUR);
    await recordOpen(kit.h.deps, messages[0]!, { userAgent: HUMAN_UA, ...at(0) });
    await recordOpen(kit.h.deps, messages[1]!, { userAgent: 'Mozilla/5.0', ...at(0) });
    await recordOpen(kit.h.deps, messages[4]!, { userAgent: HUMAN_UA, ...at(0) });
    kit.h.clock.advance(HOUR);
    await recordClick(kit.h.deps, (await findMessage(store.db, messages[0]!.id))!, 0, { userAgent: HUMAN_UA, ...at(0) });
    const fb = { store, clock: kit.h.clock, signals: kit.h.deps.signals, softBounceLimit: 3 };
    await store.transaction((trx) => applyFeedback(fb, trx, messages[2]!, { type: 'bounced', bounceType: 'hard', status: '5.1.1' }, { source: 'smtp' }));
    await store.transaction((trx) => applyFeedback(fb, trx, messages[3]!, { type: 'complained', feedbackType: 'abuse' }, { source: 'smtp' }));
    const target = await resolveUnsubscribeFor(messages[4]!);
    await unsubscribe(kit.h.deps, target, 'all', { source: 'one-click' });
    kit.h.clock.advance(DAY - 2 * HOUR);
    await track(mail[0]!.userId!, 'purchase', { amount: 50 });
    await track(mail[1]!.userId!, 'purchase', { amount: 20 });
    await track(hold[0]!.userId!, 'purchase', { amount: 30 });
    await track(hold[1]!.userId!, 'cancel');
    await worker.drain();
  });
  afterAll(async () => {
    await (rt?.channels.get('email') as EmailChannel | undefined)?.close();
    await kit?.close();
  });

  /** What the unsubscribe page resolves a token to (src/unsubscribe/), for a message we already hold. */
  async function resolveUnsubscribeFor(m: Message) {
    const row = await kit.h.deps.store.db.selectFrom('contacts').select('email').where('id', '=', m.contactId).executeTakeFirstOrThrow();
    return { message: m, workspaceName: 'test', email: row.email };
  }

  it('journey totals count every run and message outcome exactly', async () => {
    const s = await journeyStats(kit.h.deps, kit.t.workspaceId, 'welcome');
    expect(s.runs).toMatchObject({ entered: 7, inProgress: 3, completed: 0, exited: 1, exitReasons: { 'exit_event:cancel': 1 }, converted: 3, goalValue: 100 });
    expect(s.runs.conversionRate).toBeCloseTo(3 / 7, 5);
    expect(s.total.messages).toEqual({
      recorded: 5,
      queued: 0,
      sent: 5,
      delivered: 4,
      failed: 0,
      skipped: 0,
      bounced: 1,
      complained: 1,
      opens: 3,
      uniqueOpens: 3,
      humanOpens: 2,
      machineOnlyOpens: 1,
      clicks: 1,
      uniqueClicks: 1,
      unsubscribed: 1,
    });
    expect(s.total.rates).toEqual({ delivery: 0.8, open: 0.5, clickThrough: 0.25, clickToOpen: 0.5, unsubscribe: 0.25, bounce: 0.2, complaint: 0.25 });
    expect(s.byNode.map((n) => [n.key, n.messages.sent])).toEqual([['m1', 5]]);
    expect(s.byTemplate.map((n) => [n.key, n.messages.uniqueClicks])).toEqual([['welcome-1', 1]]);
    expect(s.runsByVersion).toEqual([{ version: 1, runs: s.runs }]);
  });

  it('revenue is credited to the clicked message only, and ROI follows the workspace cost per message', async () => {
    let s = await journeyStats(kit.h.deps, kit.t.workspaceId, 'welcome');
    expect(s.total).toMatchObject({ attributedConversions: 1, revenue: 50, cost: null, roi: null });
    await saveStatsSettings(kit.h.deps.store, kit.t.workspaceId, { costPerMessage: { email: 0.5 }, clickWindowMs: 5 * DAY, openWindowMs: DAY });
    s = await journeyStats(kit.h.deps, kit.t.workspaceId, 'welcome');
    expect(s.total).toMatchObject({ revenue: 50, cost: 2.5, roi: 19 });
    // Windows shorter than the 22 h from click (23 h from open) to purchase credit nothing.
    s = await journeyStats(kit.h.deps, kit.t.workspaceId, 'welcome', { clickWindowMs: 21 * HOUR, openWindowMs: 21 * HOUR });
    expect(s.total).toMatchObject({ attributedConversions: 0, revenue: 0 });
    const t = await templateStats(kit.h.deps, kit.t.workspaceId, 'welcome-1');
    expect(t.total).toMatchObject({ attributedConversions: 1, revenue: 50 });
    expect(t.total.messages.sent).toBe(5);
  });

  it('the split reports each variant, the holdout and the lift', async () => {
    const s = await journeyStats(kit.h.deps, kit.t.workspaceId, 'welcome');
    const [ab] = s.experiments;
    expect(ab!.note).toMatch(/needs 100 runs per variant/);
    expect(ab!.variants.map((v) => [v.variant, v.holdout, v.runs, v.conversions, v.delivered, v.clicked, v.probabilityBest])).toEqual([
      ['mail', false, 5, 2, 4, 1, null],
      ['hold', true, 2, 1, 0, 0, null],
    ]);
    expect(ab!.lift).toMatchObject({ treatmentRate: 0.4, holdoutRate: 0.5, absolute: -0.1, relative: -0.2 });
    const small = (await journeyStats(kit.h.deps, kit.t.workspaceId, 'welcome', { minSample: 1 })).experiments[0]!;
    const p = small.variants.map((v) => v.probabilityBest!);
    expect(p[0]! + p[1]!).toBeCloseTo(1, 6);
    expect(p[1]!).toBeGreaterThan(0.5);
  });

  it('the funnel counts runs per node and steps per outcome', async () => {
    const f = await journeyFunnel(kit.h.deps, kit.t.workspaceId, 'welcome');
    const by = Object.fromEntries(f.nodes.map((n) => [n.node, { reached: n.reached, outcomes: n.outcomes }]));
    expect(by.ab).toEqual({ reached: 7, outcomes: { mail: 5, hold: 2 } });
    expect(by.m1!.reached).toBe(5);
    expect(Object.values(by.m1!.outcomes).reduce((a, b) => a + b, 0)).toBe(5);
    expect(by.done).toEqual({ reached: 0, outcomes: {} });
    expect(by.$goal).toEqual({ reached: 3, outcomes: { converted: 3 } });
    expect(by.$exit).toEqual({ reached: 1, outcomes: { exited: 1 } });
  });

  it('the engagement columns the stats read equal a recount of the stored open and click events', async () => {
    const events = await kit.h.deps.store.db
      .selectFrom('events')
      .select(['name', 'properties'])
      .where('workspace_id', '=', kit.t.workspaceId)
      .where('name', 'in', ['email.opened', 'email.clicked'])
      .execute();
    const rows = await kit.h.deps.store.db.selectFrom('messages').selectAll().where('workspace_id', '=', kit.t.workspaceId).execute();
    for (const m of rows) {
      const mine = events.map((e) => ({ name: e.name, p: fromJson<Record<string, unknown>>(e.properties)! })).filter((e) => e.p.messageId === m.id);
      expect(m.open_count).toBe(mine.filter((e) => e.name === 'email.opened').length);
      expect(m.click_count).toBe(mine.filter((e) => e.name === 'email.clicked').length);
      expect(m.first_opened_at !== null).toBe(mine.some((e) => e.name === 'email.opened' && e.p.machine === false));
    }
  });

  it('qatra stats journey prints the runs, a line per node and the split with its holdout', async () => {
    const lines = formatJourneyStats(await journeyStats(kit.h.deps, kit.t.workspaceId, 'welcome'));
    expect(lines[1]).toBe('runs: entered 7, in progress 3, completed 0, exited 1, converted 3 (42.9%), goal value 100');
    expect(
      lines
        .find((l) => l.startsWith('m1'))!
        .split(/\s+/)
        .slice(0, 7),
    ).toEqual(['m1', '5', '4', '1', '2', '1', '1']);
    expect(lines.some((l) => l.startsWith('hold (holdout)'))).toBe(true);
  });

  it('bucketed series and the overview agree with the totals', async () => {
    const s = await journeyStats(kit.h.deps, kit.t.workspaceId, 'welcome', { bucket: 'day' });
    expect(s.series!.reduce((n, p) => n + p.messages.sent, 0)).toBe(5);
    expect(s.runSeries!.reduce((n, p) => n + p.entered, 0)).toBe(7);
    expect(s.runSeries!.reduce((n, p) => n + p.converted, 0)).toBe(3);
    const o = await overviewStats(kit.h.deps, kit.t.workspaceId);
    expect(o.total.messages).toEqual(s.total.messages);
    const none = await journeyStats(kit.h.deps, kit.t.workspaceId, 'welcome', { to: 1 });
    expect(none.total.messages.recorded).toBe(0);
    expect(none.runs.entered).toBe(0);
  });

  it('a snapshot is served until the worker replaces it with a recomputation equal to the raw rows', async () => {
    const first = await journeyStatsCached(kit.h.deps, kit.t.workspaceId, 'welcome');
    expect(first.fromSnapshot).toBe(false);
    const again = await journeyStatsCached(kit.h.deps, kit.t.workspaceId, 'welcome');
    expect(again).toMatchObject({ fromSnapshot: true, computedAt: first.computedAt });
    expect(again.total).toEqual(first.total);
    // The data changes: one more conversion. The snapshot does not see it until it is refreshed.
    await track(mail[2]!.userId!, 'purchase', { amount: 5 });
    await worker.drain();
    expect(await refreshStaleSnapshot(kit.h.deps)).toBe(0);
    expect((await journeyStatsCached(kit.h.deps, kit.t.workspaceId, 'welcome')).runs.converted).toBe(3);
    kit.h.clock.advance(61_000);
    expect(await refreshStaleSnapshot(kit.h.deps)).toBe(1);
    expect(await refreshStaleSnapshot(kit.h.deps)).toBe(0);
    const cached = await journeyStatsCached(kit.h.deps, kit.t.workspaceId, 'welcome');
    const live = await journeyStats(kit.h.deps, kit.t.workspaceId, 'welcome');
    expect(cached.fromSnapshot).toBe(true);
    expect(cached.runs.converted).toBe(4);
    const { computedAt: _c, fromSnapshot: _f, ...body } = cached;
    expect(body).toEqual(JSON.parse(JSON.stringify(live)));
  });
});
