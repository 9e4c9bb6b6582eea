import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { createContact } from '../contacts/contacts.js';
import { toJson } from '../core/json.js';
import { newId } from '../core/ids.js';
import { applyJourney } from '../journeys/journeys.js';
import type { DeliveryReceiptStatus, MessageStatus } from '../messages/tables.js';
import { statsCsv } from './csv.js';
import { journeyStatsCached } from './snapshots.js';
import { broadcastStats, journeyFunnel, journeyStats, overviewStats, templateStats } from './stats.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Seed {
  channel: 'email' | 'sms' | 'webhook';
  status: MessageStatus;
  node?: string;
  template?: string | null;
  key?: string;
  receipt?: DeliveryReceiptStatus;
  segments?: number | null;
  cost?: number | null;
  opens?: number;
  human?: boolean;
  clicks?: number;
  complained?: boolean;
  /** Another message's contact and run (a webhook after an email of the same run). */
  with?: string;
}

/**
 * Messages of three channels inserted as the SMS channel and the send pipeline record them (the
 * columns of migrations/000017.sql), in one journey (a split between an email branch, with a
 * webhook after it, and an SMS branch) and one SMS broadcast; opt-outs in consent_history.
 */
const SEEDS: Record<string, Seed> = {
  e1: { channel: 'email', status: 'sent', node: 'm1', template: 'tpl-mail', segments: 1, opens: 2, human: true, clicks: 3 },
  e2: { channel: 'email', status: 'bounced', node: 'm1', template: 'tpl-mail', segments: 1 },
  e3: { channel: 'email', status: 'sent', node: 'm1', template: 'tpl-mail', segments: 1, opens: 1, complained: true },
  e4: { channel: 'email', status: 'failed', node: 'm1', template: 'tpl-mail' },
  s1: { channel: 'sms', status: 'sent', node: 's1', template: 'tpl-sms', receipt: 'delivered', segments: 2, cost: 15_000, clicks: 2 },
  s2: { channel: 'sms', status: 'sent', node: 's1', template: 'tpl-sms', receipt: 'delivered', segments: 1, cost: 7_500 },
  s3: { channel: 'sms', status: 'sent', node: 's1', template: 'tpl-sms', receipt: 'undelivered', segments: 1, cost: 7_500 },
  s4: { channel: 'sms', status: 'sent', node: 's1', template: 'tpl-sms', receipt: 'failed', segments: 3, cost: 22_500 },
  s5: { channel: 'sms', status: 'sent', node: 's1', template: 'tpl-sms', segments: 1, cost: 7_500 },
  s6: { channel: 'sms', status: 'failed', node: 's1', template: 'tpl-sms' },
  s7: { channel: 'sms', status: 'queued', node: 's1', template: 'tpl-sms' },
  w1: { channel: 'webhook', status: 'sent', node: 'h1', template: null, segments: 1, with: 'e1' },
  w2: { channel: 'webhook', status: 'failed', node: 'h1', template: null, with: 'e2' },
  b1: { channel: 'sms', status: 'sent', template: 'tpl-news', key: 'broadcast:spring:b1', receipt: 'delivered', segments: 1, cost: 5_000 },
};

const JOURNEY = {
  id: 'welcome',
  name: 'Welcome',
  trigger: { type: 'manual' },
  start: 'ab',
  nodes: [
    {
      id: 'ab',
      type: 'split',
      variants: [
        { output: 'mail', weight: 1 },
        { output: 'text', weight: 1 },
      ],
    },
    { id: 'm1', type: 'message', channel: 'email', template: 'tpl-mail' },
    { id: 'h1', type: 'message', channel: 'webhook', config: { url: 'http://127.0.0.1:9/hook' } },
    { id: 's1', type: 'message', channel: 'sms', template: 'tpl-sms' },
    { id: 'done', type: 'exit' },
  ],
  edges: [
    { from: 'ab', output: 'mail', to: 'm1' },
    { from: 'm1', to: 'h1' },
    { from: 'h1', to: 'done' },
    { from: 'ab', output: 'text', to: 's1' },
    { from: 's1', to: 'done' },
  ],
};

async function seedMessages(h: Harness, workspaceId: string, seeds: Record<string, Seed>, now: number) {
  const contacts: Record<string, string> = {};
  const runs: Record<string, string> = {};
  for (const [name, s] of Object.entries(seeds)) {
    if (s.with) continue;
    contacts[name] = (await createContact(h.deps, workspaceId, { email: `${name}@example.com`, attributes: {} })).id;
    if (s.node) {
      runs[name] = newId('run', now);
      const base = { workspace_id: workspaceId, journey_id: 'welcome', version: 1, contact_id: contacts[name], current_node: null, visit: 1, due_at: null, wait_event: null, wait_filters: null };
      await h.deps.store.db
        .insertInto('journey_runs')
        .values({
          ...base,
          id: runs[name],
          status: 'completed',
          wait_started_at: null,
          claimed_by: null,
          lease_until: null,
          attempts: 0,
          last_error: null,
          trigger_props: '{}',
          event_props: '{}',
          data: '{}',
          entered_at: now - 2 * HOUR,
          updated_at: now,
          ended_at: now,
          exit_reason: null,
          goal_value: null,
        })
        .execute();
      const step = (node_id: string, outcome: string, at: number) => ({ run_id: runs[name]!, workspace_id: workspaceId, node_id, visit: 1, outcome, due_at: null, executed_at: at, detail: null });
      await h.deps.store.db
        .insertInto('journey_steps')
        .values([step('ab', s.channel === 'sms' ? 'text' : 'mail', now - HOUR), step(s.node, s.status === 'failed' ? 'failed' : 'sent', now)])
        .execute();
    }
  }
  for (const [name, s] of Object.entries(seeds)) {
    const owner = s.with ?? name;
    const sent = s.status === 'sent' || s.status === 'bounced';
    await h.deps.store.db
      .insertInto('messages')
      .values({
        id: newId('msg', now),
        workspace_id: workspaceId,
        contact_id: contacts[owner]!,
        channel: s.channel,
        kind: 'marketing',
        idempotency_key: s.key ?? `seed:${name}`,
        journey_id: s.node ? 'welcome' : null,
        journey_version: s.node ? 1 : null,
        run_id: s.node ? runs[owner]! : null,
        node_id: s.node ?? null,
        template_id: s.template ?? null,
        template_version: s.template ? 1 : null,
        topic: null,
        provider: s.channel === 'sms' ? 'twilio' : s.channel,
        status: s.status,
        reason: null,
        provider_message_id: null,
        header_message_id: null,
        to_address: s.channel === 'sms' ? '+966501234567' : `${owner}@example.com`,
        subject: null,
        links: '[]',
        open_count: s.opens ?? 0,
        click_count: s.clicks ?? 0,
        first_opened_at: s.human ? now + 60_000 : null,
        first_clicked_at: s.clicks ? now + 120_000 : null,
        complained_at: s.complained ? now + HOUR : null,
        segments: s.segments ?? null,
        cost_micros: s.cost ?? null,
        delivery_status: s.receipt ?? null,
        delivered_at: s.receipt === 'delivered' ? now + 5_000 : null,
        error_code: s.receipt && s.receipt !== 'delivered' ? '30003' : null,
        created_at: now,
        sent_at: sent ? now : null,
        updated_at: now,
      })
      .execute();
  }
  return contacts;
}

describe.each(backends())('statistics per channel on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let now: number;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    now = h.clock.now();
    for (const [id, channel] of [
      ['tpl-mail', 'email'],
      ['tpl-sms', 'sms'],
      ['tpl-news', 'sms'],
    ] as const) {
      await h.deps.store.db
        .insertInto('templates')
        .values({ workspace_id: t.workspaceId, id, name: id, channel, kind: 'marketing', current_version: 1, archived_at: null, created_at: now, updated_at: now })
        .execute();
    }
    await applyJourney(h.deps, t.workspaceId, JOURNEY);
    const contacts = await seedMessages(h, t.workspaceId, SEEDS, now);
    const consent = (contact: string, channel: string, source: string | null, at: number) => ({
      workspace_id: t.workspaceId,
      contact_id: contacts[contact]!,
      channel,
      topic: '',
      status: 'unsubscribed' as const,
      source,
      ip: null,
      user_agent: null,
      text_version: null,
      detail: channel === 'sms' ? 'STOP' : null,
      created_at: at,
    });
    await h.deps.store.db
      .insertInto('consent_history')
      .values([
        consent('s1', 'sms', 'sms-keyword', now + HOUR), // an SMS opt-out: counts
        consent('s2', 'sms', null, now + HOUR), // any source counts for SMS
        consent('s4', 'sms', '__proto__', now + HOUR), // a hostile source name is just a name
        consent('s3', 'sms', 'sms-keyword', now + 40 * DAY), // after the 30-day attribution window: not counted
        consent('e1', 'email', 'one-click', now + HOUR), // an email unsubscribe from the message: counts
        consent('e3', 'email', 'admin', now + HOUR), // an admin's change is no email opt-out
      ])
      .execute();
  });
  afterAll(async () => h?.close());

  const SMS_JOURNEY = {
    recorded: 7,
    queued: 1,
    sent: 5,
    delivered: 2,
    undelivered: 1,
    failed: 2,
    pending: 1,
    skipped: 0,
    clicks: 2,
    uniqueClicks: 1,
    engaged: 1,
    optOuts: 3,
    segments: 8,
    costMicros: 60_000,
    rates: { delivery: 0.4, clickThrough: 0.5, optOut: 1.5 },
  };
  const EMAIL = {
    recorded: 4,
    queued: 0,
    sent: 3,
    delivered: 2,
    undelivered: 1,
    failed: 1,
    pending: 0,
    skipped: 0,
    clicks: 3,
    uniqueClicks: 1,
    engaged: 1,
    optOuts: 1,
    segments: 3,
    costMicros: 0,
    opens: 3,
    uniqueOpens: 2,
    humanOpens: 1,
    machineOnlyOpens: 1,
    bounces: 1,
    complaints: 1,
    rates: { delivery: 0.666667, clickThrough: 0.5, optOut: 0.5, open: 0.5, clickToOpen: 1, bounce: 0.333333, complaint: 0.5 },
  };
  const WEBHOOK = { recorded: 2, queued: 0, sent: 1, delivered: 1, undelivered: 0, failed: 1, pending: 0, clicks: 0, engaged: 0, optOuts: 0, segments: 1, costMicros: 0 };

  it("a journey's figures split by channel: SMS delivered by receipt, segments and cost summed, opt-outs from consent_history", async () => {
    const s = await journeyStats(h.deps, t.workspaceId, 'welcome');
    expect(Object.keys(s.byChannel)).toEqual(['email', 'sms', 'webhook']);
    expect(s.byChannel.sms).toMatchObject(SMS_JOURNEY);
    expect(s.byChannel.email).toMatchObject(EMAIL);
    expect(s.byChannel.webhook).toMatchObject(WEBHOOK);
    // Email-only figures exist only for email.
    for (const ch of ['sms', 'webhook']) for (const k of ['opens', 'bounces', 'complaints']) expect(s.byChannel[ch]).not.toHaveProperty(k);
    expect(s.byChannel.sms!.rates).not.toHaveProperty('open');
  });

  it('the totals keep their meaning for existing callers (status-based delivered, email-only unsubscribes)', async () => {
    const s = await journeyStats(h.deps, t.workspaceId, 'welcome');
    expect(s.total).toMatchObject({ key: 'all', cost: null, roi: null });
    expect(s.total.messages).toEqual({
      recorded: 13,
      queued: 1,
      sent: 9,
      delivered: 8,
      failed: 3,
      skipped: 0,
      bounced: 1,
      complained: 1,
      opens: 3,
      uniqueOpens: 2,
      humanOpens: 1,
      machineOnlyOpens: 1,
      clicks: 5,
      uniqueClicks: 2,
      unsubscribed: 1,
    });
  });

  it('each journey step (node) has its own channel split', async () => {
    const s = await journeyStats(h.deps, t.workspaceId, 'welcome');
    const node = (id: string) => s.byNode.find((r) => r.key === id)!;
    expect(Object.keys(node('s1').byChannel)).toEqual(['sms']);
    expect(node('s1').byChannel.sms).toMatchObject(SMS_JOURNEY);
    expect(Object.keys(node('m1').byChannel)).toEqual(['email']);
    expect(node('h1').byChannel.webhook).toMatchObject(WEBHOOK);
    expect(s.byVersion[0]!.byChannel.sms).toMatchObject(SMS_JOURNEY);
  });

  it('A/B variants split delivery and clicks by channel, SMS delivered by receipt', async () => {
    const s = await journeyStats(h.deps, t.workspaceId, 'welcome');
    const [ab] = s.experiments;
    const text = ab!.variants.find((v) => v.variant === 'text')!;
    const mail = ab!.variants.find((v) => v.variant === 'mail')!;
    // The variant's own figures keep counting accepted messages of every channel.
    expect({ delivered: text.delivered, clicked: text.clicked }).toEqual({ delivered: 5, clicked: 1 });
    expect(text.byChannel).toEqual({
      email: { delivered: 0, clicked: 0, clickRate: null },
      sms: { delivered: 2, clicked: 1, clickRate: 0.5 },
      webhook: { delivered: 0, clicked: 0, clickRate: null },
    });
    expect(mail.byChannel).toEqual({
      email: { delivered: 2, clicked: 1, clickRate: 0.5 },
      sms: { delivered: 0, clicked: 0, clickRate: null },
      webhook: { delivered: 1, clicked: 0, clickRate: 0 },
    });
  });

  it("the funnel names each message step's channel and sums the steps per channel", async () => {
    const f = await journeyFunnel(h.deps, t.workspaceId, 'welcome');
    expect(f.nodes.map((n) => [n.node, n.channel])).toEqual([
      ['ab', null],
      ['m1', 'email'],
      ['h1', 'webhook'],
      ['s1', 'sms'],
      ['done', null],
    ]);
    expect(f.byChannel).toEqual({
      email: { nodes: ['m1'], reached: 4, outcomes: { sent: 3, failed: 1 } },
      sms: { nodes: ['s1'], reached: 7, outcomes: { sent: 6, failed: 1 } },
      webhook: { nodes: ['h1'], reached: 0, outcomes: {} },
    });
  });

  it('the workspace, a template and a broadcast each split by channel', async () => {
    const w = await overviewStats(h.deps, t.workspaceId);
    expect(w.byChannel.sms).toMatchObject({ recorded: 8, sent: 6, delivered: 3, segments: 9, costMicros: 65_000, optOuts: 3 });
    expect(w.byChannel.email).toMatchObject(EMAIL);
    const tpl = await templateStats(h.deps, t.workspaceId, 'tpl-sms');
    expect(Object.keys(tpl.byChannel)).toEqual(['sms']);
    expect(tpl.byChannel.sms).toMatchObject(SMS_JOURNEY);
    const b = await broadcastStats(h.deps, t.workspaceId, 'spring');
    expect(b.byChannel).toEqual({ sms: expect.objectContaining({ recorded: 1, sent: 1, delivered: 1, pending: 0, segments: 1, costMicros: 5_000, optOuts: 0 }) });
  });

  it("cost from the workspace's price per message is split by channel too; the recorded cost stays separate", async () => {
    await h.app.inject({ method: 'PUT', url: '/api/stats/settings', headers: t.admin, payload: { costPerMessage: { sms: 0.05, email: 0.001 } } });
    try {
      const s = await journeyStats(h.deps, t.workspaceId, 'welcome');
      expect(s.byChannel.sms).toMatchObject({ cost: 0.25, costMicros: 60_000 });
      expect(s.byChannel.email).toMatchObject({ cost: 0.003 });
      expect(s.byChannel.webhook!.cost).toBeNull();
      expect(s.total.cost).toBe(0.253);
    } finally {
      await h.app.inject({ method: 'PUT', url: '/api/stats/settings', headers: t.admin, payload: {} });
    }
  });

  it('the CSV lists each step once per channel with a channel column and the channel figures', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/journeys/welcome/stats?format=csv&fresh=true', headers: t.admin });
    expect(res.statusCode).toBe(200);
    const lines = res.body
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    const header = lines[0]!;
    const col = (name: string) => header.indexOf(name);
    const node = lines.find((l) => l[0] === 'node' && l[1] === 's1')!;
    expect(node[col('channel')]).toBe('sms');
    expect([node[col('sent')], node[col('delivered')], node[col('failed')], node[col('segments')], node[col('cost_micros')], node[col('opt_outs')]]).toEqual(['5', '2', '2', '8', '60000', '3']);
    expect(lines.filter((l) => l[0] === 'channel').map((l) => l[1])).toEqual(['email', 'sms', 'webhook']);
    expect(statsCsv(await journeyStats(h.deps, t.workspaceId, 'welcome'))).toBe(res.body);
  });

  it('a snapshot stored before the channel split is recomputed, not served', async () => {
    const body = { ...(await journeyStats(h.deps, t.workspaceId, 'welcome')), byChannel: [] };
    await h.deps.store.db
      .insertInto('stats_snapshots')
      .values({ workspace_id: t.workspaceId, scope: 'journey', scope_id: 'welcome', body: toJson(body), computed_at: h.clock.now(), compute_ms: 1, refreshing_until: null })
      .onConflict((oc) => oc.columns(['workspace_id', 'scope', 'scope_id']).doUpdateSet({ body: toJson(body), computed_at: h.clock.now() }))
      .execute();
    const s = await journeyStatsCached(h.deps, t.workspaceId, 'welcome');
    expect(s.fromSnapshot).toBe(false);
    expect(s.byChannel.sms).toMatchObject(SMS_JOURNEY);
    expect((await journeyStatsCached(h.deps, t.workspaceId, 'welcome')).fromSnapshot).toBe(true);
  });

  it('a workspace with no SMS has no sms key (a channel appears once the scope has a message of it)', async () => {
    const other = await h.tenant();
    await seedMessages(h, other.workspaceId, { e1: SEEDS.e1!, e2: SEEDS.e2! }, now);
    const s = await overviewStats(h.deps, other.workspaceId);
    expect(Object.keys(s.byChannel)).toEqual(['email']);
    expect(s.byChannel.email).toMatchObject({ sent: 2, delivered: s.total.messages.delivered, uniqueClicks: s.total.messages.uniqueClicks });
    expect((await overviewStats(h.deps, (await h.tenant()).workspaceId)).byChannel).toEqual({});
  });

  it('channel names that are Object.prototype keys are plain keys of byChannel', async () => {
    const other = await h.tenant();
    await seedMessages(h, other.workspaceId, { p1: { channel: '__proto__' as 'sms', status: 'sent', segments: 1 }, p2: { channel: 'constructor' as 'sms', status: 'failed' } }, now);
    const s = await overviewStats(h.deps, other.workspaceId);
    expect(Object.keys(s.byChannel)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(s.byChannel)).toBe(Object.prototype);
    expect(s.byChannel['__proto__']).toMatchObject({ sent: 1, delivered: 1, segments: 1 });
    expect(JSON.parse(JSON.stringify(s.byChannel)).constructor).toMatchObject({ failed: 1 });
  });
});
