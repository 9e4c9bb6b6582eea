import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { emailKit, type EmailKit } from '../channels/email/test-kit.js';
import { createList } from '../lists/lists.js';
import type { Contact } from '../contacts/contact.js';
import { judge } from './rates.js';
import { runBreaker } from './breaker.js';
import { deliverabilityTask } from './task.js';

describe('the breaker rule', () => {
  const s = { complaintRate: 0.003, hardBounceRate: 0.05, minSample: 1000 };
  it('trips at the threshold (3 complaints in 1,000 sends is 0.3%) and not below', () => {
    expect(judge({ sent: 1000, complaints: 3, hardBounces: 0 }, s)).toMatchObject({ trip: true, reason: 'complaints', rate: 0.003 });
    expect(judge({ sent: 1000, complaints: 2, hardBounces: 0 }, s)).toEqual({ trip: false });
    expect(judge({ sent: 1000, complaints: 0, hardBounces: 50 }, s)).toMatchObject({ trip: true, reason: 'hard_bounces', rate: 0.05 });
    expect(judge({ sent: 1000, complaints: 0, hardBounces: 49 }, s)).toEqual({ trip: false });
  });
  it('decides nothing below the minimum sample: 1 complaint in 3 sends is noise', () => {
    expect(judge({ sent: 3, complaints: 1, hardBounces: 0 }, s)).toEqual({ trip: false });
    expect(judge({ sent: 999, complaints: 10, hardBounces: 0 }, s)).toEqual({ trip: false });
  });
});

describe.each(backends())('the reputation breaker pauses journeys and broadcasts (%s)', (kind) => {
  let k: EmailKit;
  let contact: Contact;
  let hook: http.Server;
  const received: string[] = [];
  let n = 0;

  /** `count` messages of the target handed to the provider now; the first `complaints` drew a complaint, the next `hard` hard-bounced. */
  async function sends(target: { journeyId?: string; broadcastId?: string; template?: string }, count: number, complaints = 0, hard = 0) {
    const now = k.h.clock.now();
    const rows = Array.from({ length: count }, (_, i) => {
      const id = `msg_t${kind}${++n}`;
      return {
        id,
        workspace_id: k.t.workspaceId,
        contact_id: contact.id,
        channel: 'email',
        kind: 'marketing' as const,
        idempotency_key: target.journeyId ? `run:r${n}:welcome:0` : `broadcast:${target.broadcastId}:ct_${n}`,
        journey_id: target.journeyId ?? null,
        template_id: target.template ?? 'welcome-1',
        status: i >= complaints && i < complaints + hard ? ('bounced' as const) : ('sent' as const),
        reason: i >= complaints && i < complaints + hard ? 'hard bounce: 5.1.1 user unknown' : i < complaints ? 'complained: abuse' : null,
        complained_at: i < complaints ? now : null,
        links: '[]',
        created_at: now,
        sent_at: now,
        updated_at: now,
      };
    });
    for (let i = 0; i < rows.length; i += 500)
      await k.h.deps.store.db
        .insertInto('messages')
        .values(rows.slice(i, i + 500))
        .execute();
  }

  const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => k.h.app.inject({ method, url, headers: k.t.admin, ...(payload ? { payload } : {}) });
  const breaker = () => runBreaker({ ...k.h.deps, email: k.channel });

  beforeAll(async () => {
    k = await emailKit(kind);
    contact = await k.contact('reader@example.org');
    const db = k.h.deps.store.db;
    await db.insertInto('users').values({ id: 'usr_admin', email: 'admin@team.example', name: 'Admin', password_hash: 'x', created_at: 0 }).execute();
    await db.insertInto('users').values({ id: 'usr_viewer', email: 'viewer@team.example', name: 'Viewer', password_hash: 'x', created_at: 0 }).execute();
    await db
      .insertInto('workspace_members')
      .values([
        { workspace_id: k.t.workspaceId, user_id: 'usr_admin', role: 'admin', created_at: 0 },
        { workspace_id: k.t.workspaceId, user_id: 'usr_viewer', role: 'viewer', created_at: 0 },
      ])
      .execute();
    await db
      .updateTable('workspaces')
      .set({ settings: JSON.stringify({ webhookSecret: 'whsec-test', allowPrivateWebhookTargets: true }) })
      .where('id', '=', k.t.workspaceId)
      .execute();
    hook = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push(body);
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    const put = await api('PUT', '/api/deliverability/settings', { breaker: { webhookUrl: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook` } });
    expect(put.statusCode).toBe(200);
    expect(put.json().breaker).toMatchObject({ enabled: true, complaintRate: 0.003, hardBounceRate: 0.05, windowHours: 24, minSample: 1000 });
  }, 60_000);
  afterAll(async () => {
    await new Promise((resolve) => hook?.close(resolve));
    await k?.close();
  });

  it('pauses a live journey once its complaint rate reaches 0.3%, tells the admins once, and resumes', async () => {
    const created = await api('POST', '/api/journeys', {
      id: 'spring',
      name: 'Spring',
      status: 'live',
      trigger: { type: 'event', event: 'signed_up' },
      start: 'hello',
      nodes: [
        { id: 'hello', type: 'message', channel: 'email', template: 'welcome-1' },
        { id: 'done', type: 'exit' },
      ],
      edges: [{ from: 'hello', to: 'done' }],
    });
    expect(created.statusCode, created.body).toBe(201);
    await sends({ journeyId: 'spring' }, 1000, 2);
    expect(await breaker()).toBe(0);
    expect((await api('GET', '/api/journeys/spring')).json().status).toBe('live');

    k.h.clock.advance(60_000);
    await k.h.deps.store.db
      .updateTable('messages')
      .set({ complained_at: k.h.clock.now() })
      .where('id', '=', `msg_t${kind}${n - 500}`)
      .execute();
    expect(await breaker()).toBe(1);
    expect((await api('GET', '/api/journeys/spring')).json().status).toBe('paused');
    const trips = (await api('GET', '/api/deliverability/trips?kind=journey&targetId=spring')).json().data;
    expect(trips).toHaveLength(1);
    expect(trips[0]).toMatchObject({ targetKind: 'journey', targetId: 'spring', reason: 'complaints', rate: 0.003, sent: 1000, complaints: 3, hardBounces: 0, windowMs: 86_400_000, resumedAt: null });
    expect(trips[0].notifiedAt).not.toBeNull();
    expect(trips[0].summary).toContain('3 spam complaints in 1000 sends in the last 24 h (0.3%');

    // Evaluating again (another worker, the next tick) pauses nothing and tells no one again.
    expect(await Promise.all([breaker(), breaker()])).toEqual([0, 0]);
    const mails = await k.sink.waitFor(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(k.sink.mails.filter((m) => m.envelope.rcptTo.includes('admin@team.example'))).toHaveLength(1);
    expect(k.sink.mails.some((m) => m.envelope.rcptTo.includes('viewer@team.example'))).toBe(false);
    expect(mails[0]!.parsed.subject).toContain('Qatra paused journey spring');
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0]!)).toMatchObject({ type: 'reputation.paused', workspaceId: k.t.workspaceId, trip: { targetId: 'spring', reason: 'complaints' } });

    // Resume: the complaints before it no longer count.
    k.h.clock.advance(60_000);
    const resumed = await api('POST', `/api/deliverability/trips/${trips[0].id}/resume`);
    expect(resumed.statusCode).toBe(200);
    expect(resumed.json().resumedAt).toBe(k.h.clock.now());
    expect((await api('GET', '/api/journeys/spring')).json().status).toBe('live');
    k.h.clock.advance(60_000);
    expect(await breaker()).toBe(0);
    expect((await api('GET', '/api/journeys/spring')).json().status).toBe('live');

    // New complaints after the resume trip it again; resuming through the journey's own route closes that trip too.
    k.h.clock.advance(60_000);
    await sends({ journeyId: 'spring' }, 1000, 4);
    expect(await breaker()).toBe(1);
    k.h.clock.advance(60_000);
    expect((await api('POST', '/api/journeys/spring/status', { status: 'live' })).statusCode).toBe(200);
    k.h.clock.advance(60_000);
    expect(await breaker()).toBe(0);
    const after = (await api('GET', '/api/deliverability/trips?targetId=spring')).json().data;
    expect(after).toHaveLength(2);
    expect(after.every((t: { resumedAt: number | null }) => t.resumedAt !== null)).toBe(true);
  }, 60_000);

  it('pauses a sending broadcast on hard bounces, not below the minimum sample; the task runs it once a minute', async () => {
    const list = await createList(k.h.deps, k.t.workspaceId, { name: 'News' });
    const b = (await api('POST', '/api/broadcasts', { name: 'News', template: 'welcome-1', audience: { type: 'list', id: list.id } })).json();
    expect((await api('POST', `/api/broadcasts/${b.id}/schedule`, { sendAt: k.h.clock.now() + 3_600_000 })).statusCode).toBe(200);
    // The broadcast worker's start (audience snapshotted): sending.
    await k.h.deps.store.db.updateTable('broadcasts').set({ status: 'sending', started_at: k.h.clock.now() }).where('id', '=', b.id).execute();

    const task = deliverabilityTask(k.h.deps, { email: k.channel });
    await sends({ broadcastId: b.id }, 3, 1);
    expect(await task.tick()).toBe(0);
    expect((await api('GET', `/api/broadcasts/${b.id}`)).json().status).toBe('sending');

    await sends({ broadcastId: b.id }, 997, 0, 50);
    // Within the minute: not evaluated again.
    k.h.clock.advance(30_000);
    expect(await task.tick()).toBe(0);
    k.h.clock.advance(30_000);
    expect(await task.tick()).toBe(1);
    expect((await api('GET', `/api/broadcasts/${b.id}`)).json().status).toBe('paused');
    const [trip] = (await api('GET', `/api/deliverability/trips?kind=broadcast&targetId=${b.id}`)).json().data;
    // 1 complaint in 1000 is below 0.3%; 50 hard bounces in 1000 reach 5%.
    expect(trip).toMatchObject({ reason: 'hard_bounces', sent: 1000, complaints: 1, hardBounces: 50, rate: 0.05, threshold: 0.05 });
    expect((await api('POST', `/api/deliverability/trips/${trip.id}/resume`)).json().resumedAt).not.toBeNull();
    expect((await api('GET', `/api/broadcasts/${b.id}`)).json().status).toBe('sending');
  }, 60_000);

  it('refuses bad settings with the field path, and a workspace can turn the breaker off', async () => {
    const bad = await api('PUT', '/api/deliverability/settings', { breaker: { complaintRate: 2 }, sunset: { inactiveDays: 30, reengageDaysBefore: 30 } });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('complaintRate');
    expect(JSON.stringify(bad.json())).toContain('reengageDaysBefore');
    const off = await api('PUT', '/api/deliverability/settings', { breaker: { enabled: false } });
    expect(off.json().breaker.enabled).toBe(false);
    const autumn = await api('POST', '/api/journeys', {
      id: 'autumn',
      name: 'Autumn',
      status: 'live',
      trigger: { type: 'event', event: 'x' },
      start: 'hello',
      nodes: [
        { id: 'hello', type: 'message', channel: 'email', template: 'welcome-1' },
        { id: 'done', type: 'exit' },
      ],
      edges: [{ from: 'hello', to: 'done' }],
    });
    expect(autumn.statusCode).toBe(201);
    await sends({ journeyId: 'autumn' }, 1000, 100);
    expect(await breaker()).toBe(0);
  }, 60_000);
});
